/**
 * The typed value of a spreadsheet cell, when the workbook stored one: the csv module reads it (xlsx-source.ts) and
 * the mapping converts it (no `format:`, `decimal:` or word list needed). Here because neither imports the other.
 * Dates are calendar values (the sheet's wall clock), never instants: no machine or instance time zone moves them.
 */
export type TypedCell =
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  /** `YYYY-MM-DD`: a cell whose number format shows a date and no time. */
  | { kind: 'date'; value: string }
  /** `YYYY-MM-DDTHH:mm:ss`: a cell whose number format shows a date and a time. */
  | { kind: 'datetime'; value: string }
  /** `HH:mm:ss`: a cell whose number format shows only a time of day. */
  | { kind: 'time'; value: string };
