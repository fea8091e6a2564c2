/**
 * The mapping module: load and validate a mapping file, bind it to a CSV header, convert rows to request bodies and
 * records back to rows, and guess a mapping skeleton from a sample. Pure functions except {@link loadMapping}.
 */
export { loadMapping, parseMappingText } from './load-mapping.js';
export { bindMapping, closestHeader, convertRow } from './convert.js';
export { parseDecimal, readIsoDate } from './values.js';
export {
  ExportIssues,
  exportColumns,
  recordToCells,
  droppedFields,
  formatNumber,
  valueToCell,
} from './export-cells.js';
export {
  guessMapping,
  guessMappingColumns,
  type GuessedColumn,
  type GuessInstance,
  type GuessMappingOptions,
  type GuessMappingResult,
} from './guess-mapping.js';
export { guessBooleanWords, guessType, YES_NO_WORDS, type TypeGuess } from './guess-type.js';
export {
  chooseReferenceKey,
  matchField,
  nameWords,
  rankFieldMatches,
  referenceKeyNamed,
  type FieldMatch,
  type KnownField,
  type MatchFieldResult,
  type RankedMatch,
} from './match-fields.js';
export { MAPPING_SCHEMA, FIELD_KEYS, FIELD_TYPES, GROUP_SEPARATORS, REFERENCE_KEYS } from './schema.js';
export type { BlankPolicy, BoundMapping, FieldSpec, FieldType, Mapping, RowConversion } from './types.js';
