import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback, pipeline } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import { CsvError, parse, type Parser } from 'csv-parse';
import { errorText, InputError } from '../shared/errors.js';
import { normalizeColumn } from '../shared/column-name.js';
import {
  SNIFF_BYTES,
  decodeBytes,
  encodedLength,
  encodingFromBom,
  iconv,
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
  type DetectedEncoding,
  type EncodingGuess,
  type HeaderScan,
} from './detect.js';
import type { BatchOptions, CsvReadOptions, CsvRecord, CsvSource } from './types.js';

/**
 * The largest record accepted, in characters. Larger ones are almost always a missing closing quote that swallowed
 * the rest of the file; a real cell that large cannot go into a Coupa field anyway.
 */
export const MAX_RECORD_CHARS = 1024 * 1024;

const READ_CHUNK = 64 * 1024;

/**
 * csv-parse's settings for the header and the data alike: the header (whose end `scanHeader` finds with the same
 * quote rule) is read through the same streaming parser with the same settings as the data.
 */
function csvParser(delimiter: Delimiter): Parser {
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

/** The cells of the one record in `text` (the header); rejects with csv-parse's error. */
async function parseOneRecord(text: string, delimiter: Delimiter): Promise<string[]> {
  const parser = csvParser(delimiter);
  parser.end(Buffer.from(text));
  for await (const record of parser as AsyncIterable<string[]>) return record;
  return [];
}

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
      delimiter = await delimiterFindingColumns(text, whole, counts, delimiter, options.columns);
    const scan = scanHeader(text, whole, delimiter);
    if (scan.complete) return buildSource(path, text, scan, delimiter, guess, options.allowDuplicateHeaders);
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

function fsError(error: unknown, path: string): InputError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new InputError('NOT_FOUND', 'file not found', { file: path });
  if (code === 'EACCES' || code === 'EPERM')
    return new InputError('UNREADABLE', 'cannot read the file: permission denied', { file: path });
  if (code === 'EISDIR')
    return new InputError('UNREADABLE', 'this is a folder, not a CSV file', { file: path });
  const message = errorText(error);
  return new InputError('UNREADABLE', `cannot read the file (${code ?? message})`, { file: path });
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
  const hint = zip ? ' It looks like a ZIP or Excel .xlsx file: save it as CSV first.' : '';
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
    header = await parseOneRecord(headerText, delimiter);
  } catch (error) {
    throw new InputError('MALFORMED', `cannot read the header: ${errorText(error)}`, {
      file: path,
      line: scan.startLine,
    });
  }
  if (header.every((h) => h.trim() === '')) {
    throw new InputError('EMPTY', 'the header line has no column names', {
      file: path,
      line: scan.startLine,
    });
  }
  if (!allowDuplicateHeaders) checkDuplicates(header, path, scan.startLine);
  const bodyOffset = guess.bomLength + encodedLength(text.slice(0, scan.end), guess.encoding);
  const reader = new RecordReader(path, guess.encoding, delimiter, bodyOffset, scan.endLine, header);
  return {
    file: path,
    header,
    encoding: guess.encoding,
    delimiter,
    lineEnding: scan.lineEnding,
    records: () => reader.records(),
    batches: (options) => reader.batches(options),
  };
}

/**
 * The delimiter under which the header has most of the `columns` the caller expects: `picked` (the most frequent
 * candidate on the header line) unless another candidate on that line finds more of them. Header names may hold the
 * delimiter's rivals (`Name (first, middle, last)` in a `;` file).
 */
async function delimiterFindingColumns(
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
        (await parseOneRecord(text.slice(scan.start, scan.contentEnd), d)).map(normalizeColumn),
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

function checkDuplicates(header: readonly string[], path: string, line: number): void {
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    const norm = normalizeColumn(name);
    if (norm === '') return; // unnamed columns cannot be mapped, so several of them do no harm
    const first = seen.get(norm);
    if (first !== undefined) {
      throw new InputError(
        'DUPLICATE_HEADER',
        `columns ${first + 1} and ${index + 1} have the same name ${JSON.stringify(name.trim())} (header names match ignoring case and outer spaces); rename one`,
        { file: path, line, column: name.trim() },
      );
    }
    seen.set(norm, index);
  });
}

/** Thrown inside the stream when UTF-8 input turns out not to be UTF-8 after the sniffed part. */
class NotUtf8Error extends Error {
  /** @param offset bytes from the start of the streamed part to the first bad byte */
  constructor(readonly offset: number) {
    super('not UTF-8');
  }
}

/**
 * Checks UTF-8 validity chunk by chunk (carrying sequences split between chunks). It only counts bytes: the line of
 * a bad byte is worked out from the file when it happens, so valid files pay nothing for it.
 */
class Utf8Guard extends Transform {
  private carry: Buffer | undefined;
  private bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let buf = this.carry === undefined ? chunk : Buffer.concat([this.carry, chunk]);
    const tail = incompleteUtf8Tail(buf);
    this.carry = tail > 0 ? buf.subarray(buf.length - tail) : undefined;
    if (tail > 0) buf = buf.subarray(0, buf.length - tail);
    if (!isUtf8(buf)) {
      callback(new NotUtf8Error(this.bytes + Math.max(0, firstInvalidUtf8(buf))));
      return;
    }
    this.bytes += buf.length;
    callback(null, buf);
  }

  override _flush(callback: TransformCallback): void {
    if (this.carry !== undefined) {
      callback(new NotUtf8Error(this.bytes));
      return;
    }
    callback();
  }
}

/** Everything an object-mode stream has buffered, as one array per wait; throws the stream's error. */
async function* readBatches<T>(stream: Readable): AsyncGenerator<T[], void, undefined> {
  for (;;) {
    const batch: T[] = [];
    for (let item = stream.read() as T | null; item !== null; item = stream.read() as T | null)
      batch.push(item);
    if (batch.length > 0) {
      yield batch;
      continue;
    }
    if (stream.readableEnded) return;
    if (stream.errored) throw stream.errored;
    if (stream.destroyed) throw new Error('the CSV stream closed before its end');
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        cleanup();
        resolve();
      };
      const fail = (error: unknown): void => {
        cleanup();
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const cleanup = (): void => {
        stream.off('readable', done);
        stream.off('end', done);
        stream.off('close', done);
        stream.off('error', fail);
      };
      stream.on('readable', done);
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', fail);
    });
  }
}

/** Line breaks (LF, CRLF or a lone CR) in the file's bytes [start, end). */
async function countLineBreaks(path: string, start: number, end: number): Promise<number> {
  if (end <= start) return 0;
  let breaks = 0;
  let lastWasCr = false;
  for await (const chunk of createReadStream(path, { start, end: end - 1 })) {
    const buf = chunk as Buffer;
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i];
      if (b === 10) {
        if (!lastWasCr) breaks++;
        lastWasCr = false;
      } else if (b === 13) {
        breaks++;
        lastWasCr = true;
      } else {
        lastWasCr = false;
      }
    }
  }
  return breaks;
}

interface LineTracker {
  /** File-true end line (parser numbering) of the previous record. */
  prevEnd: number;
  /** csv-parse's own line counter at the previous record. */
  prevRawEnd: number;
  prevEmpty: number;
  /** Lines csv-parse counted twice so far (CRLF inside quoted cells). */
  overcount: number;
}

interface ParserInternals {
  info: { lines: number; empty_lines: number };
  state: { quoting: boolean; field: { toString(encoding?: string): string }; record: unknown[] };
}

/** Streams the records after the header. */
class RecordReader {
  constructor(
    private readonly file: string,
    private readonly encoding: DetectedEncoding,
    private readonly delimiter: Delimiter,
    private readonly bodyOffset: number,
    /** Line on which the header ends: parser line N is file line N + this. */
    private readonly headerEndLine: number,
    private readonly header: readonly string[],
  ) {}

  private get width(): number {
    return this.header.length;
  }

  /** The column of the `index`th cell (0-based) for a message: its header name, else its number. */
  private columnAt(index: number): string | number {
    const name = this.header[index]?.trim() ?? '';
    return name === '' ? index + 1 : name;
  }

  async *records(): AsyncGenerator<CsvRecord, void, undefined> {
    for await (const batch of this.batches()) yield* batch;
  }

  async *batches(options: BatchOptions = {}): AsyncGenerator<CsvRecord[], void, undefined> {
    const chunkBytes = options.chunkBytes ?? READ_CHUNK;
    if (!Number.isInteger(chunkBytes) || chunkBytes < 1) {
      throw new RangeError(
        `chunkBytes must be a whole number of bytes, at least 1; got ${String(chunkBytes)}`,
      );
    }
    const parser = csvParser(this.delimiter);
    const tracker = this.attachLineTracking(parser);
    const source = createReadStream(this.file, {
      start: this.bodyOffset,
      highWaterMark: chunkBytes,
    });
    const stages: Array<NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream> = [source];
    if (this.encoding === 'utf8' || this.encoding === 'utf8-bom') stages.push(new Utf8Guard());
    else if (this.encoding === 'utf16le') stages.push(iconv().decodeStream('utf16le', { stripBOM: false }));
    else if (this.encoding === 'utf16be') stages.push(iconv().decodeStream('utf16be', { stripBOM: false }));
    else stages.push(iconv().decodeStream('windows-1252'));
    stages.push(parser);
    let pipelineError: unknown;
    pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], (error) => {
      if (error !== null && error !== undefined) pipelineError = error;
    });
    try {
      yield* readBatches<CsvRecord>(parser);
    } catch (error) {
      const cause = pipelineError ?? error;
      if (cause instanceof NotUtf8Error) {
        const line =
          this.headerEndLine +
          1 +
          (await countLineBreaks(this.file, this.bodyOffset, this.bodyOffset + cause.offset));
        throw new InputError(
          'ENCODING',
          `the bytes at line ${line} are not valid UTF-8 although the start of the file is; if the file was saved as Windows-1252 (ANSI), use --encoding windows-1252`,
          { file: this.file, line },
        );
      }
      throw this.translate(cause, parser, tracker);
    } finally {
      source.destroy();
      parser.destroy();
    }
  }

  /**
   * Turns each parsed array into a CsvRecord as csv-parse emits it, while its line counters still describe that
   * record: the start line is the previous record's end line plus the blank lines skipped since. Done by wrapping
   * the parser's `push` because `info: true` / `on_record` copy the whole info object for every record (~40% slower).
   */
  private attachLineTracking(parser: Parser): LineTracker {
    const tracker: LineTracker = { prevEnd: 0, prevRawEnd: 0, prevEmpty: 0, overcount: 0 };
    const internals = parser as unknown as ParserInternals;
    const width = this.width;
    const offset = this.headerEndLine;
    const unnamedTail = unnamedTailStart(this.header);
    parser.push = function pushRecord(this: Parser, chunk: unknown, encoding?: BufferEncoding): boolean {
      if (chunk === null || !Array.isArray(chunk))
        return Transform.prototype.push.call(this, chunk, encoding);
      const info = internals.info;
      const cells = chunk as string[];
      const rawEnd = info.lines;
      // csv-parse counts a CRLF inside a quoted cell as two lines: take those back (only multi-line records can have one).
      if (rawEnd - tracker.prevRawEnd > 1) tracker.overcount += countCrlf(cells);
      const start = tracker.prevEnd + 1 + (info.empty_lines - tracker.prevEmpty);
      tracker.prevRawEnd = rawEnd;
      tracker.prevEnd = rawEnd - tracker.overcount;
      tracker.prevEmpty = info.empty_lines;
      if (isBlankRecord(cells)) return true;
      const record: CsvRecord = { line: start + offset, cells };
      if (cells.length !== width) fixWidth(record, width, unnamedTail);
      return Transform.prototype.push.call(this, record);
    } as Parser['push'];
    return tracker;
  }

  private translate(error: unknown, parser: Parser, tracker: LineTracker): unknown {
    const internals = parser as unknown as ParserInternals;
    const recordStart =
      tracker.prevEnd + 1 + (internals.info.empty_lines - tracker.prevEmpty) + this.headerEndLine;
    if (error instanceof CsvError) {
      // csv-parse's line counter, less the CRLFs it double-counted in earlier records, as a file line.
      const currentLine = internals.info.lines - tracker.overcount + this.headerEndLine;
      if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
        // Every CR and LF of the open field was counted (CRLF twice), except a trailing one at the very end.
        const field = internals.state.field.toString('utf8');
        const trailing = /[\r\n]$/.test(field) ? 1 : 0;
        const opened = currentLine - (countBreakChars(field) - trailing);
        return new InputError(
          'UNCLOSED_QUOTE',
          `a quoted field that starts on line ${opened} is never closed (a " is missing), so the rest of the file would be one cell`,
          { file: this.file, line: opened, column: this.columnAt(internals.state.record.length) },
        );
      }
      if (error.code === 'CSV_MAX_RECORD_SIZE') {
        const columnIndex = internals.state.record.length;
        const quoting = internals.state.quoting;
        const opened = quoting
          ? currentLine - countBreakChars(internals.state.field.toString('utf8'))
          : recordStart;
        return new InputError(
          'FIELD_TOO_LARGE',
          `the record starting on line ${recordStart} is larger than ${MAX_RECORD_CHARS / 1024 / 1024} MiB` +
            (quoting ? `: a quote opened on line ${opened} is probably never closed` : ''),
          { file: this.file, line: recordStart, column: this.columnAt(columnIndex) },
        );
      }
      return new InputError('MALFORMED', `cannot read the CSV: ${error.message}`, {
        file: this.file,
        line: currentLine,
      });
    }
    if (error instanceof InputError) return error;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return fsError(error, this.file);
    return error;
  }
}

function isBlankRecord(cells: string[]): boolean {
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as string;
    if (cell.length !== 0 && cell.trim().length !== 0) return false;
  }
  return true;
}

/** Where the header's run of unnamed columns at its end starts (its length when the last column has a name). */
function unnamedTailStart(header: readonly string[]): number {
  let start = header.length;
  while (start > 0 && (header[start - 1] as string).trim() === '') start--;
  return start;
}

/**
 * Pads or cuts a ragged record. Extra cells that are all blank (trailing delimiters) are dropped silently, and so is
 * the lack of cells under unnamed columns at the end of the header (a spreadsheet writes their delimiters on some rows
 * only): both are what a spreadsheet leaves, not a shifted row.
 */
function fixWidth(record: CsvRecord, width: number, unnamedTail: number): void {
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
