/** csv-parse's settings, in one place: the header and the data records are read by the same rules. */
import { parse, type Parser } from 'csv-parse';
import type { Delimiter } from './detect.js';

/**
 * The largest record accepted, in characters. Larger ones are almost always a missing closing quote that swallowed
 * the rest of the file; a real cell that large cannot go into a Coupa field anyway.
 */
export const MAX_RECORD_CHARS = 1024 * 1024;

/**
 * csv-parse's settings for the header and the data alike: the header (whose end `scanHeader` finds with the same
 * quote rule) is read through the same streaming parser with the same settings as the data.
 */
export function createCsvParser(delimiter: Delimiter): Parser {
  return parse({
    delimiter,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: MAX_RECORD_CHARS,
    // All three line endings, even mixed in one file (auto-detection would fix the first one it sees).
    record_delimiter: ['\r\n', '\n', '\r'],
  });
}
