export { runImport, defaultResultsPath, UNKNOWN_OUTCOME_MESSAGE, IN_FLIGHT_MESSAGE } from './run-import.js';
export { journalPathFor } from './journal.js';
export { RESULT_COLUMNS } from './resume.js';
export type {
  ImportHooks,
  ImportMode,
  ImportOptions,
  ImportProgress,
  ImportStop,
  ImportSummary,
  RowStatus,
} from './types.js';
