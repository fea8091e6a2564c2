export { runImport, defaultResultsPath, UNKNOWN_OUTCOME_MESSAGE, IN_FLIGHT_MESSAGE } from './run-import.js';
export { journalPathFor } from './journal.js';
export { RESULT_COLUMNS } from './resume.js';
export { RESULT_CODES, type ResultCode } from './result-codes.js';
export type {
  ImportHooks,
  ImportMode,
  ImportOptions,
  ImportProgress,
  ImportStop,
  ImportSummary,
  RowStatus,
  TopError,
} from './types.js';
