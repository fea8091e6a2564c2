/**
 * coupa-csv as a library: the same import, export and simulator that the CLI runs, reporting through callbacks.
 *
 *   import { runImport, startSimulator } from 'coupa-csv';
 */
export * from './shared/index.js';

export {
  runImport,
  defaultResultsPath,
  journalPathFor,
  RESULT_CODES,
  RESULT_COLUMNS,
} from './import/index.js';
export type {
  ImportHooks,
  ImportMode,
  ImportOptions,
  ImportProgress,
  ImportStop,
  ImportSummary,
  ResultCode,
  RowStatus,
} from './import/index.js';

export { runExport, parseFilter, parseFilters, FILTER_OPERATORS, readState } from './export/index.js';
export type {
  ExportFormat,
  ExportHooks,
  ExportOptions,
  ExportProgress,
  ExportState,
  ExportSummary,
  FilterOperator,
  ParsedFilter,
} from './export/index.js';

export { discoverFields, describeFields, NO_RECORDS_HINT } from './fields/index.js';
export type {
  DiscoveredType,
  DiscoverFieldsOptions,
  DiscoverFieldsResult,
  FieldInfo,
} from './fields/index.js';

export {
  createClient,
  credentialsFromEnv,
  resolveInstanceUrl,
  parseCoupaErrors,
  CoupaApiError,
  OutcomeUnknownError,
  DEFAULT_SCOPES,
} from './coupa/index.js';
export type {
  ClientEvent,
  ClientOptions,
  ClientStats,
  CoupaClient,
  Credentials,
  IndexQuery,
  ObjectInstance,
  WriteOptions,
} from './coupa/index.js';

export { loadMapping, parseMappingText, bindMapping, convertRow, guessMapping } from './mapping/index.js';
export type {
  BlankPolicy,
  BoundMapping,
  FieldSpec,
  FieldType,
  Mapping,
  RowConversion,
} from './mapping/index.js';

export { openCsv } from './csv/index.js';
export type {
  BatchOptions,
  CsvReadOptions,
  CsvRecord,
  CsvSource,
  DelimiterOption,
  EncodingOption,
} from './csv/index.js';

export {
  startSimulator,
  loadSimConfig,
  validateSimConfig,
  defaultSimConfigPath,
  SimConfigError,
} from './sim/index.js';
export type * from './sim/index.js';
