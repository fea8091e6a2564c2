/**
 * From a row's cells to a CsvRecord: blank rows skipped, ragged rows padded or cut to the header's width with an
 * error. Pure, and blind to where the cells came from (csv-parse today, spreadsheet rows later).
 */
import type { CsvRecord } from './types.js';

/** Turns one row's cells into a record; undefined for a row to skip (all cells blank). */
export type RecordShaper = (cells: string[], line: number) => CsvRecord | undefined;

/**
 * The shaper for rows under `header`. It takes ownership of `cells` (padded or cut in place: no copy per row).
 *
 * @example
 * const shape = createRecordShaper(['a', 'b']);
 * shape(['1'], 2); // { line: 2, cells: ['1', ''], error: 'line 2 has 1 cell, the header has 2' }
 * shape([' ', ''], 3); // undefined
 */
export function createRecordShaper(header: readonly string[]): RecordShaper {
  const width = header.length;
  const unnamedTail = unnamedTailStart(header);
  return (cells, line) => {
    if (isBlankRecord(cells)) return undefined;
    const record: CsvRecord = { line, cells };
    if (cells.length !== width) fixWidth(record, width, unnamedTail);
    return record;
  };
}

/** True when every cell is empty or white space. */
export function isBlankRecord(cells: readonly string[]): boolean {
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as string;
    if (cell.length !== 0 && cell.trim().length !== 0) return false;
  }
  return true;
}

/** Where the header's run of unnamed columns at its end starts (its length when the last column has a name). */
export function unnamedTailStart(header: readonly string[]): number {
  let start = header.length;
  while (start > 0 && (header[start - 1] as string).trim() === '') start--;
  return start;
}

/**
 * Pads or cuts a ragged record. Extra cells that are all blank (trailing delimiters) are dropped silently, and so is
 * the lack of cells under unnamed columns at the end of the header (a spreadsheet writes their delimiters on some rows
 * only): both are what a spreadsheet leaves, not a shifted row.
 */
export function fixWidth(record: CsvRecord, width: number, unnamedTail: number): void {
  const cells = record.cells;
  const count = cells.length;
  if (count < width && count >= unnamedTail) {
    for (let i = count; i < width; i++) cells.push('');
    return;
  }
  if (count > width) {
    let extraBlank = true;
    for (let i = width; i < count; i++) {
      if ((cells[i] as string).trim() !== '') {
        extraBlank = false;
        break;
      }
    }
    cells.length = width;
    if (extraBlank) return;
  } else {
    for (let i = count; i < width; i++) cells.push('');
  }
  record.error = `line ${record.line} has ${count} ${count === 1 ? 'cell' : 'cells'}, the header has ${width}`;
}
