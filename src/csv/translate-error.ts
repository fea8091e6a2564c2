/** Errors of reading a CSV (csv-parse's, the file system's) as InputErrors that name the file, line and column. */
import { CsvError } from 'csv-parse';
import { errorText, InputError } from '../shared/index.js';
import { describeColumn } from './header.js';
import type { ParsePosition } from './line-tracking.js';
import { MAX_RECORD_CHARS } from './parser-settings.js';

/** A file system error as an InputError: NOT_FOUND or UNREADABLE. */
export function fsError(error: unknown, path: string): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError('NOT_FOUND', 'file not found', { file: path });
  if (code === 'EACCES' || code === 'EPERM')
    return new InputError('UNREADABLE', 'cannot read the file: permission denied', { file: path });
  if (code === 'EISDIR')
    return new InputError('UNREADABLE', 'this is a folder, not a CSV file', { file: path });
  const message = errorText(error);
  return new InputError('UNREADABLE', `cannot read the file (${code ?? message})`, { file: path });
}

/** Where reading failed: the file, its header (to name columns) and the parser's position (read on demand). */
export interface ReadFailurePlace {
  file: string;
  header: readonly string[];
  position: () => ParsePosition;
}

/**
 * The error a reader of the records sees: UNCLOSED_QUOTE, FIELD_TOO_LARGE or MALFORMED for csv-parse's errors,
 * NOT_FOUND/UNREADABLE for the file system's; InputErrors and anything else unchanged.
 */
export function translateReadError(error: unknown, place: ReadFailurePlace): unknown {
  const { file, header } = place;
  if (error instanceof CsvError) {
    const at = place.position();
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      const opened = at.fieldStartAtEnd;
      return new InputError(
        'UNCLOSED_QUOTE',
        `a quoted field that starts on line ${opened} is never closed (a " is missing), so the rest of the file would be one cell`,
        { file, line: opened, column: describeColumn(header, at.cellIndex) },
      );
    }
    if (error.code === 'CSV_MAX_RECORD_SIZE') {
      const opened = at.quoting ? at.fieldStart : at.recordStart;
      return new InputError(
        'FIELD_TOO_LARGE',
        `the record starting on line ${at.recordStart} is larger than ${MAX_RECORD_CHARS / 1024 / 1024} MiB` +
          (at.quoting ? `: a quote opened on line ${opened} is probably never closed` : ''),
        { file, line: at.recordStart, column: describeColumn(header, at.cellIndex) },
      );
    }
    return new InputError('MALFORMED', `cannot read the CSV: ${error.message}`, {
      file,
      line: at.currentLine,
    });
  }
  if (error instanceof InputError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return fsError(error, file);
  return error;
}
