/**
 * Opening a CSV file: its size, encoding (detect.ts reads the bytes; here they are read and the verdicts turned into
 * errors that name the file and line), the header located and read, and a source whose records stream from the bytes
 * after it (record-stream.ts).
 */
import { open, stat } from 'node:fs/promises';
import { errorText, InputError } from '../shared/index.js';
import {
  SNIFF_BYTES,
  decodeBytes,
  encodedLength,
  encodingFromBom,
  firstInvalidUtf8,
  firstNul,
  incompleteUtf8Tail,
  isUtf8Head,
  utf8Evidence,
  looksBinary,
  pickDelimiter,
  scanHeader,
  utf16FromNulPattern,
  type Delimiter,
  type EncodingGuess,
  type HeaderScan,
} from './detect.js';
import { normalizeColumn } from '../shared/index.js';
import { checkHeader, parseHeaderCells, pickDelimiterFindingColumns } from './header.js';
import { findHeaderRow, HEADER_SCAN_LINES, type HeadLine } from './header-row.js';
import { MAX_RECORD_CHARS } from './parser-settings.js';
import { streamRecordBatches, streamRecords, type RecordStreamOptions } from './record-stream.js';
import { fsError } from './translate-error.js';
import type { CsvReadOptions, CsvSource } from './types.js';

/**
 * Opens a CSV file: detects the encoding and delimiter (unless given), reads the header eagerly (only the first
 * bytes of the file, never all of it) and returns a source whose `records()` streams the data records in constant
 * memory. Blank lines and rows whose cells are all blank are skipped. A ragged row is returned padded/cut with
 * an `error`, not thrown.
 * @throws InputError NOT_FOUND, UNREADABLE, EMPTY, BINARY, ENCODING, DUPLICATE_HEADER, FIELD_TOO_LARGE,
 *   UNCLOSED_QUOTE, each naming the file and (where it applies) the line and column.
 * @example
 * const source = await openCsv('vendors.csv');
 * for await (const record of source.records()) console.log(record.line, record.cells);
 */
export async function openCsv(path: string, options: CsvReadOptions = {}): Promise<CsvSource> {
  const size = await fileSize(path);
  if (size === 0)
    throw new InputError('EMPTY', 'the file is empty (0 bytes): expected a header line and data rows', {
      file: path,
    });
  let headBytes = Math.min(size, SNIFF_BYTES);
  const sniffed = detectEncoding(path, await readHead(path, headBytes), size, options.encoding ?? 'auto');
  const guess = sniffed.guess;
  let text = sniffed.text;
  // Read more while the header record is not complete (a huge header, or a quote left open in it).
  const explicit = options.delimiter === 'auto' ? undefined : options.delimiter;
  for (;;) {
    const whole = headBytes >= size;
    // The delimiter is picked from a first scan that counts all candidates; the header ends where a scan that
    // knows the delimiter (and so reads quotes as csv-parse does) says it ends.
    const counts = scanHeader(text, whole).counts;
    let delimiter = explicit ?? pickDelimiter(counts);
    if (explicit === undefined && options.columns !== undefined && options.columns.length > 0)
      delimiter = await pickDelimiterFindingColumns(text, whole, counts, delimiter, options.columns);
    const first = locateHeader(text, whole, delimiter);
    const chosen = first.complete ? chooseHeader(text, whole, first, delimiter, explicit, options) : 'more';
    if (chosen !== 'more') {
      const source = await buildSource(
        path,
        text,
        chosen.scan,
        chosen.delimiter,
        guess,
        options.allowDuplicateHeaders,
      );
      return chosen.note === undefined ? source : { ...source, headerNote: chosen.note };
    }
    const scan = first.complete ? { ...first, complete: false, inQuotes: false } : first;
    if (scan.inQuotes && whole) {
      throw new InputError('UNCLOSED_QUOTE', 'a quote in the header is never closed (a " is missing)', {
        file: path,
        line: scan.startLine,
      });
    }
    // (A whole file's scan is complete or ends in an open quote: both handled above.)
    checkHeaderSize(path, scan);
    headBytes = Math.min(size, headBytes * 4);
    const body = (await readHead(path, headBytes)).subarray(guess.bomLength);
    // The bytes read now were not checked by detectEncoding (a header longer than its first read).
    checkUtf8Head(path, guess, body, headBytes >= size, utf8Reason(options.encoding ?? 'auto', guess));
    text = decodeBytes(body, guess.encoding);
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new InputError('UNREADABLE', 'this is a folder, not a CSV file', { file: path });
    return info.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw fsError(error, path);
  }
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buf = Buffer.alloc(bytes);
    let filled = 0;
    while (filled < bytes) {
      const { bytesRead } = await handle.read(buf, filled, bytes - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buf.subarray(0, filled);
  } catch (error) {
    throw fsError(error, path);
  } finally {
    await handle?.close();
  }
}

/** The encoding of a file's first bytes, and those bytes (after the BOM) decoded with it. */
interface SniffedHead {
  guess: EncodingGuess;
  text: string;
}

/**
 * Picks the encoding of the file's first bytes (or checks the one given) and rejects binary data and invalid UTF-8.
 * The decoded text is returned so that the header is scanned in it without decoding the same bytes again.
 */
function detectEncoding(
  path: string,
  head: Buffer,
  size: number,
  option: NonNullable<CsvReadOptions['encoding']>,
): SniffedHead {
  const whole = head.length >= size;
  const bom = encodingFromBom(head);
  let guess: EncodingGuess;
  switch (option) {
    case 'utf8':
      guess = {
        encoding: bom?.encoding === 'utf8-bom' ? 'utf8-bom' : 'utf8',
        bomLength: bom?.encoding === 'utf8-bom' ? 3 : 0,
      };
      break;
    case 'utf16le':
      guess = { encoding: 'utf16le', bomLength: bom?.encoding === 'utf16le' ? 2 : 0 };
      break;
    case 'windows-1252':
      guess = { encoding: 'windows-1252', bomLength: 0 };
      break;
    case 'auto': {
      if (bom !== undefined) {
        guess = bom;
        break;
      }
      const utf16 = utf16FromNulPattern(head);
      if (utf16 !== undefined) {
        guess = { encoding: utf16, bomLength: 0 };
        break;
      }
      if (isUtf8Head(head, whole) || firstNul(head) >= 0) {
        guess = { encoding: 'utf8', bomLength: 0 };
        break;
      }
      // Not UTF-8; but mostly UTF-8 characters with a few other bytes is a file of mixed encodings, which no
      // single encoding reads right: Windows-1252 would turn every "ü" into "Ã¼".
      const evidence = utf8Evidence(
        head.subarray(0, whole ? head.length : head.length - incompleteUtf8Tail(head)),
      );
      if (evidence.valid > evidence.invalid) {
        const line = countLines(head, evidence.firstInvalid);
        throw new InputError(
          'ENCODING',
          `the file mixes encodings: ${evidence.valid} characters are UTF-8, but the bytes at line ${line} are not (Windows-1252?); save the file again as UTF-8 (in Excel: "CSV UTF-8")`,
          { file: path, line },
        );
      }
      guess = { encoding: 'windows-1252', bomLength: 0 };
      break;
    }
  }
  const isUtf16 = guess.encoding === 'utf16le' || guess.encoding === 'utf16be';
  const body = head.subarray(guess.bomLength);
  if (!isUtf16) {
    const nul = firstNul(body);
    if (nul >= 0) throw binaryError(path, head, `NUL bytes (first at byte ${nul + guess.bomLength})`);
  }
  const text = decodeBytes(body, guess.encoding);
  if (isUtf16 && text.includes('\u0000')) throw binaryError(path, head, 'NUL characters');
  if (looksBinary(text)) throw binaryError(path, head, 'many control characters');
  checkUtf8Head(path, guess, body, whole, utf8Reason(option, guess));
  return { guess, text };
}

/** Why a file is read as UTF-8: `--encoding utf8`, its byte order mark, or its first bytes (auto). */
type Utf8Reason = 'given' | 'bom' | 'sniffed';

function utf8Reason(option: NonNullable<CsvReadOptions['encoding']>, guess: EncodingGuess): Utf8Reason {
  if (option !== 'auto') return 'given';
  return guess.bomLength > 0 ? 'bom' : 'sniffed';
}

/** Throws ENCODING (with the line) when a UTF-8 file's first bytes (after the BOM) are not valid UTF-8. */
function checkUtf8Head(
  path: string,
  guess: EncodingGuess,
  body: Buffer,
  whole: boolean,
  reason: Utf8Reason,
): void {
  if (guess.encoding !== 'utf8' && guess.encoding !== 'utf8-bom') return;
  if (isUtf8Head(body, whole)) return;
  const bad = firstInvalidUtf8(
    body.subarray(0, whole ? body.length : body.length - incompleteUtf8Tail(body)),
  );
  const line = countLines(body, Math.max(bad, 0));
  const advice =
    reason === 'sniffed'
      ? ' although the start of the file is; if the file was saved as Windows-1252 (ANSI), use --encoding windows-1252'
      : reason === 'bom'
        ? ' although the file starts with a UTF-8 byte order mark: it mixes encodings; save it again as UTF-8'
        : '; if the file was saved as Windows-1252 (ANSI), use --encoding windows-1252 (or auto)';
  throw new InputError('ENCODING', `the bytes at line ${line} are not valid UTF-8${advice}`, {
    file: path,
    line,
  });
}

function countLines(bytes: Buffer, upTo: number): number {
  let line = 1;
  let pos = bytes.indexOf(10);
  while (pos >= 0 && pos < upTo) {
    line++;
    pos = bytes.indexOf(10, pos + 1);
  }
  return line;
}

function binaryError(path: string, head: Buffer, what: string): InputError {
  const zip = head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4;
  // import and validate read workbooks (open-input.ts); the readers that take only text say where to go.
  const hint = zip
    ? ' It looks like a ZIP or Excel .xlsx file: import and validate read .xlsx workbooks as they are; here, save it as CSV.'
    : '';
  return new InputError('BINARY', `this is not a text CSV file: it contains binary data (${what}).${hint}`, {
    file: path,
  });
}

/** The header record is at most as large as any record may be (the data's parser enforces the same limit). */
function checkHeaderSize(path: string, scan: HeaderScan): void {
  if (scan.end - scan.start <= MAX_RECORD_CHARS) return;
  throw new InputError(
    'FIELD_TOO_LARGE',
    `the header record is larger than ${MAX_RECORD_CHARS / 1024 / 1024} MiB${scan.inQuotes ? ': a quote opened in it is probably never closed' : ''}`,
    { file: path, line: scan.startLine },
  );
}

async function buildSource(
  path: string,
  text: string,
  scan: HeaderScan,
  delimiter: Delimiter,
  guess: EncodingGuess,
  allowDuplicateHeaders = false,
): Promise<CsvSource> {
  const headerText = text.slice(scan.start, scan.contentEnd);
  if (headerText.trim() === '') {
    throw new InputError('EMPTY', 'the file has no header line (only blank lines)', { file: path });
  }
  checkHeaderSize(path, scan);
  let header: string[];
  try {
    header = await parseHeaderCells(headerText, delimiter);
  } catch (error) {
    throw new InputError('MALFORMED', `cannot read the header: ${errorText(error)}`, {
      file: path,
      line: scan.startLine,
    });
  }
  checkHeader(header, { file: path, line: scan.startLine }, allowDuplicateHeaders);
  const stream: RecordStreamOptions = {
    file: path,
    encoding: guess.encoding,
    delimiter,
    bodyOffset: guess.bomLength + encodedLength(text.slice(0, scan.end), guess.encoding),
    lineOffset: scan.endLine,
    header,
  };
  return {
    file: path,
    header,
    encoding: guess.encoding,
    delimiter,
    lineEnding: scan.lineEnding,
    records: () => streamRecords(stream),
    batches: (options) => streamRecordBatches(stream, options),
  };
}

/**
 * Where the header record is in the decoded start of the file, read with `delimiter`'s quote rule: the first record
 * that is not blank. Everything after it (the header's cells, where the records start and their line numbers) comes
 * from this scan: the place to start for a header chosen further down (title lines above it).
 */
function locateHeader(text: string, whole: boolean, delimiter: Delimiter): HeaderScan {
  return scanHeader(text, whole, delimiter);
}

/** The header chosen: its scan (offsets and lines in the whole text), the delimiter and the note for the user. */
interface ChosenHeader {
  scan: HeaderScan;
  delimiter: Delimiter;
  note?: string;
}

/**
 * The header line: line 1 (`first`), `--header-row`, or a line below a title line holding the mapped columns
 * (header-row.ts decides). Looked for only with `headerRow` or when line 1 lacks a mapped column, so that ordinary
 * files pay for one scan. With the delimiter sniffed, each candidate is tried (a title line has no delimiter to sniff).
 * 'more' when the line asked for is past the text read so far.
 */
function chooseHeader(
  text: string,
  whole: boolean,
  first: HeaderScan,
  delimiter: Delimiter,
  explicit: Delimiter | undefined,
  options: CsvReadOptions,
): ChosenHeader | 'more' {
  const columns = options.columns ?? [];
  const headerRow = options.headerRow;
  const taken: ChosenHeader = { scan: first, delimiter };
  if (headerRow === undefined && columns.length === 0) return taken;
  if (headerRow === undefined) {
    const cells = splitCells(text.slice(first.start, first.contentEnd), delimiter);
    const names = new Set(cells.map(normalizeColumn));
    if (columns.every((c) => names.has(normalizeColumn(c)))) return taken;
  }
  const candidates =
    explicit !== undefined ? [explicit] : [delimiter, ...DELIMITERS.filter((d) => d !== delimiter)];
  let best: { chosen: ChosenHeader; found: number } | undefined;
  for (const d of candidates) {
    const lines = headLines(text, whole, d, Math.max(headerRow ?? 0, HEADER_SCAN_LINES));
    if (headerRow !== undefined && !whole && !lines.some((l) => l.line >= headerRow)) return 'more';
    const found = findHeaderRow(lines, { ...(headerRow !== undefined ? { headerRow } : {}), columns });
    const line = lines[found.index] as HeadLineScan;
    if (headerRow === undefined && !found.detected) continue;
    const names = new Set(line.cells.map(normalizeColumn));
    const hits = columns.filter((c) => names.has(normalizeColumn(c))).length;
    const score = hits * 1000 + line.cells.length;
    if (best === undefined || score > best.found) {
      best = {
        chosen: { scan: line.scan, delimiter: d, ...(found.note !== undefined ? { note: found.note } : {}) },
        found: score,
      };
    }
    if (hits === columns.length && columns.length > 0) break;
  }
  return best?.chosen ?? taken;
}

const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];

interface HeadLineScan extends HeadLine {
  cells: string[];
  scan: HeaderScan;
}

/** The first `max` records of the text (complete ones only), with their scans in the whole text's offsets and lines. */
function headLines(text: string, whole: boolean, delimiter: Delimiter, max: number): HeadLineScan[] {
  const lines: HeadLineScan[] = [];
  let offset = 0;
  let lineBase = 0;
  while (offset < text.length) {
    const rest = scanHeader(text.slice(offset), whole, delimiter);
    if (!rest.complete) break;
    const content = text.slice(offset + rest.start, offset + rest.contentEnd);
    if (content.trim() === '') break;
    const scan: HeaderScan = {
      ...rest,
      start: offset + rest.start,
      end: offset + rest.end,
      contentEnd: offset + rest.contentEnd,
      startLine: lineBase + rest.startLine,
      endLine: lineBase + rest.endLine,
    };
    lines.push({ line: scan.startLine, cells: splitCells(content, delimiter), scan });
    if (scan.startLine >= max || rest.end === 0) break;
    offset = scan.end;
    lineBase = scan.endLine;
  }
  return lines;
}

/** A record's cells for telling a header from a title (quotes removed; the header itself is parsed by csv-parse). */
function splitCells(record: string, delimiter: Delimiter): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const c = record[i] as string;
    if (quoted) {
      if (c === '"' && record[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
}
