/**
 * The header record: its cells read from text, checked (named at all, no two names alike) and used to name columns
 * in messages, and the delimiter under which it holds the columns a mapping expects. Works on strings and cell
 * arrays, so a header from another source (a spreadsheet row) goes through the same checks.
 */
import { InputError } from '../shared/index.js';
import { normalizeColumn } from '../shared/index.js';
import { scanHeader, type Delimiter } from './detect.js';
import { createCsvParser } from './parser-settings.js';

/** Where a header was read, for its errors. */
export interface HeaderPlace {
  file: string;
  /** The line on which the header record starts. */
  line: number;
}

/**
 * The cells of the one record in `text` (a header); rejects with csv-parse's error.
 *
 * @example
 * await parseHeaderCells('Code;"Name; full"', ';'); // ['Code', 'Name; full']
 */
export async function parseHeaderCells(text: string, delimiter: Delimiter): Promise<string[]> {
  const parser = createCsvParser(delimiter);
  parser.end(Buffer.from(text));
  for await (const record of parser as AsyncIterable<string[]>) return record;
  return [];
}

/**
 * Throws unless the header names a column at all (EMPTY) and, unless `allowDuplicates`, names no two columns alike
 * (DUPLICATE_HEADER; names match ignoring case and outer spaces, unnamed columns may repeat).
 */
export function checkHeader(header: readonly string[], place: HeaderPlace, allowDuplicates = false): void {
  if (header.every((h) => h.trim() === '')) {
    throw new InputError('EMPTY', 'the header line has no column names', {
      file: place.file,
      line: place.line,
    });
  }
  if (!allowDuplicates) checkDuplicates(header, place);
}

function checkDuplicates(header: readonly string[], place: HeaderPlace): void {
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    const norm = normalizeColumn(name);
    if (norm === '') return; // unnamed columns cannot be mapped, so several of them do no harm
    const first = seen.get(norm);
    if (first !== undefined) {
      throw new InputError(
        'DUPLICATE_HEADER',
        `columns ${first + 1} and ${index + 1} have the same name ${JSON.stringify(name.trim())} (header names match ignoring case and outer spaces); rename one`,
        { file: place.file, line: place.line, column: name.trim() },
      );
    }
    seen.set(norm, index);
  });
}

/** The column of the `index`th cell (0-based) for a message: its header name, else its number (1-based). */
export function describeColumn(header: readonly string[], index: number): string | number {
  const name = header[index]?.trim() ?? '';
  return name === '' ? index + 1 : name;
}

/**
 * The delimiter under which the header has most of the `columns` the caller expects: `picked` (the most frequent
 * candidate on the header line) unless another candidate on that line finds more of them. Header names may hold the
 * delimiter's rivals (`Name (first, middle, last)` in a `;` file).
 */
export async function pickDelimiterFindingColumns(
  text: string,
  whole: boolean,
  counts: Record<Delimiter, number>,
  picked: Delimiter,
  columns: readonly string[],
): Promise<Delimiter> {
  const wanted = columns.map(normalizeColumn);
  const found = async (d: Delimiter): Promise<number> => {
    const scan = scanHeader(text, whole, d);
    if (!scan.complete) return -1;
    try {
      const names = new Set(
        (await parseHeaderCells(text.slice(scan.start, scan.contentEnd), d)).map(normalizeColumn),
      );
      return wanted.filter((name) => names.has(name)).length;
    } catch {
      return -1;
    }
  };
  let best = picked;
  let bestFound = await found(picked);
  for (const d of [',', ';', '\t', '|'] as const) {
    if (bestFound === wanted.length) break;
    if (d === picked || counts[d] === 0) continue;
    const n = await found(d);
    if (n > bestFound) {
      best = d;
      bestFound = n;
    }
  }
  return best;
}
