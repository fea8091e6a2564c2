export { runExport } from './run-export.js';
export { parseFilter, parseFilters, FILTER_OPERATORS, REFERENCE_ATTRIBUTES } from './filters.js';
export type { ParsedFilter, FilterOperator } from './filters.js';
export {
  chooseColumns,
  flattenValue,
  recordToPlainCells,
  BASE_COLUMNS,
  REFERENCE_DISPLAY_KEYS,
} from './columns.js';
export { pageInIdOrder, PAGE_SIZE } from './pager.js';
export type { PagerOptions } from './pager.js';
export { readState, writeState, shiftDateTime, IncrementalTracker, DEFAULT_OVERLAP_MS } from './state.js';
export type { ExportState } from './state.js';
export { tempPathFor } from './output.js';
export type { ExportFormat, ExportHooks, ExportOptions, ExportProgress, ExportSummary } from './types.js';
