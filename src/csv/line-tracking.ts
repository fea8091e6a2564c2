/**
 * The only file that knows csv-parse's internals (pinned to an exact version in package.json; the assumptions are
 * tested in test/csv/line-tracking.test.ts, so an upgrade that breaks them fails there):
 * - records leave the parser through `this.push(record)` (an array), which is replaced here;
 * - `parser.info.lines` and `parser.info.empty_lines` are current while a record is pushed, and `info.lines` counts a
 *   CRLF inside a quoted cell as two lines;
 * - on an error, `parser.state.record` holds the cells read so far of the failing record, `parser.state.field` (a
 *   buffer with `toString`) the open cell, and `parser.state.quoting` whether it is inside quotes.
 * Why not `info: true` / `on_record`: they copy the whole info object for every record (~40% slower).
 */
import { Transform } from 'node:stream';
import type { Parser } from 'csv-parse';

interface ParserInternals {
  info: { lines: number; empty_lines: number };
  state: { quoting: boolean; field: { toString(encoding?: string): string }; record: unknown[] };
}

/** Line bookkeeping between records (parser numbering: line 1 is the parser's first line). */
export interface LineTracker {
  /** File-true end line of the previous record. */
  prevEnd: number;
  /** csv-parse's own line counter at the previous record. */
  prevRawEnd: number;
  prevEmpty: number;
  /** Lines csv-parse counted twice so far (CRLF inside quoted cells). */
  overcount: number;
}

/**
 * Makes `parser` emit `toRecord(cells, line)` for each record as it is parsed, while its line counters still
 * describe that record: the start line is the previous record's end line plus the blank lines skipped since, plus
 * `lineOffset` (lines of the file before the parser's input). Nothing is emitted where `toRecord` returns undefined.
 */
export function attachLineTracking<T>(
  parser: Parser,
  lineOffset: number,
  toRecord: (cells: string[], line: number) => T | undefined,
): LineTracker {
  const tracker: LineTracker = { prevEnd: 0, prevRawEnd: 0, prevEmpty: 0, overcount: 0 };
  const internals = parser as unknown as ParserInternals;
  parser.push = function pushRecord(this: Parser, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null || !Array.isArray(chunk)) return Transform.prototype.push.call(this, chunk, encoding);
    const info = internals.info;
    const cells = chunk as string[];
    const rawEnd = info.lines;
    // csv-parse counts a CRLF inside a quoted cell as two lines: take those back (only multi-line records can have one).
    if (rawEnd - tracker.prevRawEnd > 1) tracker.overcount += countCrlf(cells);
    const start = tracker.prevEnd + 1 + (info.empty_lines - tracker.prevEmpty);
    tracker.prevRawEnd = rawEnd;
    tracker.prevEnd = rawEnd - tracker.overcount;
    tracker.prevEmpty = info.empty_lines;
    const record = toRecord(cells, start + lineOffset);
    if (record === undefined) return true;
    return Transform.prototype.push.call(this, record);
  } as Parser['push'];
  return tracker;
}

/** Where a parser stopped, as file lines: what an error message needs. */
export interface ParsePosition {
  /** The line on which the record being read starts. */
  recordStart: number;
  /** The line the parser is on. */
  currentLine: number;
  /** The index (0-based) of the cell being read. */
  cellIndex: number;
  /** Whether the parser is inside a quoted cell. */
  quoting: boolean;
  /** The line on which the open cell starts, for an error in the middle of the input. */
  fieldStart: number;
  /** The same at the end of the input (a line break that ends it was not counted yet). */
  fieldStartAtEnd: number;
}

/** Reads where `parser` (tracked by `tracker`) stopped; call it when the parser failed. */
export function readParsePosition(parser: Parser, tracker: LineTracker, lineOffset: number): ParsePosition {
  const internals = parser as unknown as ParserInternals;
  const recordStart = tracker.prevEnd + 1 + (internals.info.empty_lines - tracker.prevEmpty) + lineOffset;
  // csv-parse's line counter, less the CRLFs it double-counted in earlier records, as a file line.
  const currentLine = internals.info.lines - tracker.overcount + lineOffset;
  const field = internals.state.field.toString('utf8');
  // Every CR and LF of the open field was counted (CRLF twice), except a trailing one at the very end.
  const breaks = countBreakChars(field);
  const trailing = /[\r\n]$/.test(field) ? 1 : 0;
  return {
    recordStart,
    currentLine,
    cellIndex: internals.state.record.length,
    quoting: internals.state.quoting,
    fieldStart: currentLine - breaks,
    fieldStartAtEnd: currentLine - (breaks - trailing),
  };
}

/** CR and LF characters (a CRLF counts twice, as csv-parse counts it inside quotes). */
function countBreakChars(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) n++;
  }
  return n;
}

/** CRLF pairs inside the cells of a record. */
function countCrlf(cells: readonly string[]): number {
  let n = 0;
  for (const cell of cells) {
    let pos = cell.indexOf('\r\n');
    while (pos >= 0) {
      n++;
      pos = cell.indexOf('\r\n', pos + 2);
    }
  }
  return n;
}
