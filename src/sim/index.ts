export { startSimulator, CUSTOM_OBJECTS_SCOPE } from './server.js';
export { DEFAULT_VARIATIONS } from './options.js';
export { loadSimConfig, validateSimConfig, defaultSimConfigPath, SimConfigError } from './config.js';
export type {
  SimClientConfig,
  SimConfig,
  SimErrorBody,
  SimFaults,
  SimFieldConfig,
  SimFieldType,
  SimLookupValue,
  SimObjectConfig,
  SimStats,
  SimSupplier,
  SimUser,
  SimVariations,
  Simulator,
  SimulatorOptions,
} from './types.js';
