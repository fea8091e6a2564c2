/**
 * The one place that configures csv-parse and csv-stringify: reading (encoding and delimiter detection, line
 * numbers, malformed input as row errors or InputErrors) and writing (quoting, formula escaping).
 */
export { openCsv } from './open-csv.js';
export { isWorkbookFile, openInput, type InputSource } from './open-input.js';
export { listXlsxSheets } from './open-input.js';
export { MAX_RECORD_CHARS } from './parser-settings.js';
export { escapeFormula, formatCsvRow } from './write-csv.js';
export type {
  BatchOptions,
  CsvReadOptions,
  CsvRecord,
  CsvSource,
  DelimiterOption,
  EncodingOption,
} from './types.js';
export { openXlsxWriter, type XlsxCellValue, type XlsxRowStyle, type XlsxWriter } from './xlsx-writer.js';
