/**
 * The mapping module: load and validate a mapping file, bind it to a CSV header, convert rows to request bodies and
 * records back to rows, and guess a mapping skeleton from a sample. Pure functions except {@link loadMapping}.
 */
export { loadMapping, parseMappingText } from './load-mapping.js';
export { bindMapping, convertRow } from './convert.js';
export { ExportIssues, exportColumns, recordToCells, droppedFields } from './export-cells.js';
export { guessMapping } from './guess-mapping.js';
export type { BlankPolicy, BoundMapping, FieldSpec, FieldType, Mapping, RowConversion } from './types.js';
export { initMapping, type InitMappingOptions, type InitMappingResult } from './init-mapping.js';
