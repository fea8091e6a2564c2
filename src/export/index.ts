export { runExport } from './run-export.js';
export { parseFilter, parseFilters, FILTER_OPERATORS } from './filters.js';
export type { ParsedFilter, FilterOperator } from './filters.js';
export { readState } from './state.js';
export type { ExportState } from './state.js';
export type { ExportFormat, ExportHooks, ExportOptions, ExportProgress, ExportSummary } from './types.js';
