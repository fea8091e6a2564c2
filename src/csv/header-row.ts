import { normalizeColumn } from '../shared/index.js';
import { UsageError } from '../shared/index.js';

/** How far down a header is looked for when line 1 looks like a title: finance exports put a few lines above it. */
export const HEADER_SCAN_LINES = 20;

/** A line of the input as the finder sees it: CSV records or sheet rows, blank ones may be left out. */
export interface HeadLine {
  line: number;
  cells: readonly string[];
}

export interface FindHeaderRowOptions {
  /** `--header-row <n>`: the header's line, taken as given. */
  headerRow?: number;
  /** The columns the mapping reads: the header is the line that holds them. */
  columns?: readonly string[];
  /** Lines looked at for a header below a title line (default {@link HEADER_SCAN_LINES}). */
  scanLines?: number;
}

export interface FindHeaderRowResult {
  /** The header's line (1-based, the file's or sheet's numbering). */
  line: number;
  /** Its index in the lines given: data starts after it. */
  index: number;
  /** The header was found below a title line rather than taken from line 1 or `--header-row`. */
  detected: boolean;
  /** For the user when `detected`: which line was taken and why, and how to choose another. */
  note?: string;
}

/**
 * Finds the header among the first lines of an input (a pure function: the caller reads the lines, CSV or sheet,
 * at least up to line `max(headerRow, scanLines)` or the end of the input, and passes them in order).
 * `headerRow` given: that line. Otherwise the first line, unless it looks like a title (a single filled cell, or
 * fewer of the mapped columns than a later line) and a later line within the first `scanLines` holds the mapped
 * columns (all of them, or the most of them and at least half): then that line, with a note saying so.
 * @throws UsageError when `headerRow` is not a whole number from 1, or names a blank line or one past the lines given.
 * @example
 * findHeaderRow([{ line: 1, cells: ['Budget 2026'] }, { line: 3, cells: ['Code', 'Amount'] }], { columns: ['Code'] })
 * // { line: 3, index: 1, detected: true, note: 'the header is on line 3 ...' }
 */
export function findHeaderRow(
  lines: readonly HeadLine[],
  options: FindHeaderRowOptions = {},
): FindHeaderRowResult {
  if (options.headerRow !== undefined) return givenHeaderRow(lines, options.headerRow);
  const first = lines[0];
  if (first === undefined)
    throw new UsageError('the input has no header line (it is empty or blank)', 'USAGE');
  const taken: FindHeaderRowResult = { line: first.line, index: 0, detected: false };
  const scanLines = options.scanLines ?? HEADER_SCAN_LINES;
  const wanted = [...new Set((options.columns ?? []).map(normalizeColumn).filter((c) => c !== ''))];
  const firstFilled = filledCount(first.cells);
  const firstFound = foundCount(first.cells, wanted);
  if (wanted.length > 0 && firstFound === wanted.length) return taken;
  const titleLike = firstFilled <= 1 || (wanted.length > 0 && firstFound < wanted.length);
  if (!titleLike) return taken;

  let best: { index: number; found: number } | undefined;
  for (let index = 1; index < lines.length; index++) {
    const candidate = lines[index] as HeadLine;
    if (candidate.line > scanLines) break;
    if (wanted.length === 0) {
      // No mapping to go by (mapping init): the first line with more than one filled cell under a one-cell title.
      if (firstFilled <= 1 && filledCount(candidate.cells) > 1) {
        best = { index, found: 0 };
        break;
      }
      continue;
    }
    const found = foundCount(candidate.cells, wanted);
    if (found > (best?.found ?? firstFound)) best = { index, found };
    if (found === wanted.length) break;
  }
  if (best === undefined) return taken;
  if (wanted.length > 0 && best.found * 2 < wanted.length) return taken;
  const header = lines[best.index] as HeadLine;
  const title = first.cells.find((c) => c.trim() !== '')?.trim() ?? '';
  const shown = title.length > 60 ? `${title.slice(0, 57)}...` : title;
  return {
    line: header.line,
    index: best.index,
    detected: true,
    note:
      `the header is on line ${header.line}: line ${first.line} (${JSON.stringify(shown)}) looks like a title` +
      `${header.line - first.line > 1 ? ` and lines ${first.line}-${header.line - 1} are skipped` : ' and is skipped'}` +
      `; use --header-row to choose another line`,
  };
}

function givenHeaderRow(lines: readonly HeadLine[], headerRow: number): FindHeaderRowResult {
  if (!Number.isInteger(headerRow) || headerRow < 1)
    throw new UsageError(`--header-row must be a line number from 1; got ${String(headerRow)}`);
  const index = lines.findIndex((l) => l.line === headerRow);
  const found = lines[index];
  if (found === undefined || filledCount(found.cells) === 0) {
    const next = lines.find((l) => l.line > headerRow && filledCount(l.cells) > 0);
    const last = lines[lines.length - 1];
    const where =
      last !== undefined && headerRow > last.line && next === undefined
        ? `the input has no line ${headerRow} with cells (its last is line ${last.line})`
        : `line ${headerRow} is blank${next !== undefined ? ` (the next filled line is ${next.line})` : ''}`;
    throw new UsageError(`--header-row ${headerRow}: ${where}`);
  }
  return { line: found.line, index, detected: false };
}

function filledCount(cells: readonly string[]): number {
  let n = 0;
  for (const cell of cells) if (cell.trim() !== '') n++;
  return n;
}

function foundCount(cells: readonly string[], wanted: readonly string[]): number {
  if (wanted.length === 0) return 0;
  const names = new Set(cells.map(normalizeColumn));
  return wanted.filter((w) => names.has(w)).length;
}
