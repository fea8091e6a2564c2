export { startSimulator, CUSTOM_OBJECTS_SCOPE } from './server.js';
export { loadSimConfig, validateSimConfig, defaultSimConfigPath, SimConfigError } from './config.js';
export type {
  SimClientConfig,
  SimConfig,
  SimFaults,
  SimFieldConfig,
  SimFieldType,
  SimLookupValue,
  SimObjectConfig,
  SimStats,
  SimSupplier,
  SimUser,
  Simulator,
  SimulatorOptions,
} from './types.js';
