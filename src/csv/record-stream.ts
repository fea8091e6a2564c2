/**
 * The only stream code of the CSV reader: file bytes -> decoding (or a UTF-8 check) -> csv-parse -> records, handed
 * out in batches of whatever the parser has ready.
 */
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { Transform, type Readable, type TransformCallback, pipeline } from 'node:stream';
import { InputError } from '../shared/index.js';
import {
  firstInvalidUtf8,
  iconv,
  incompleteUtf8Tail,
  type Delimiter,
  type DetectedEncoding,
} from './detect.js';
import { attachLineTracking, readParsePosition } from './line-tracking.js';
import { createCsvParser } from './parser-settings.js';
import { createRecordShaper } from './ragged.js';
import { translateReadError } from './translate-error.js';
import type { BatchOptions, CsvRecord } from './types.js';

const READ_CHUNK = 64 * 1024;

/** Where the records are and how to read them. */
export interface RecordStreamOptions {
  file: string;
  encoding: DetectedEncoding;
  delimiter: Delimiter;
  /** Byte offset of the first record (after the header line and its line break). */
  bodyOffset: number;
  /** Lines of the file before `bodyOffset` (the header's end line): parser line N is file line N + this. */
  lineOffset: number;
  /** The header's cells: the width of a record and the names of columns in messages. */
  header: readonly string[];
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

/** The decoding stage for `encoding`: a UTF-8 check (csv-parse decodes UTF-8 itself) or an iconv decoder. */
function decodingStage(encoding: DetectedEncoding): NodeJS.ReadWriteStream {
  if (encoding === 'utf8' || encoding === 'utf8-bom') return new Utf8Guard();
  if (encoding === 'utf16le') return iconv().decodeStream('utf16le', { stripBOM: false });
  if (encoding === 'utf16be') return iconv().decodeStream('utf16be', { stripBOM: false });
  return iconv().decodeStream('windows-1252');
}

/**
 * Streams the records of a file from `bodyOffset` (each call reads the file again), in batches of whatever the
 * parser has ready (up to one read chunk's worth).
 * @throws InputError ENCODING, UNCLOSED_QUOTE, FIELD_TOO_LARGE, MALFORMED, UNREADABLE
 */
export async function* streamRecordBatches(
  options: RecordStreamOptions,
  batchOptions: BatchOptions = {},
): AsyncGenerator<CsvRecord[], void, undefined> {
  const chunkBytes = batchOptions.chunkBytes ?? READ_CHUNK;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) {
    throw new RangeError(`chunkBytes must be a whole number of bytes, at least 1; got ${String(chunkBytes)}`);
  }
  const { file, bodyOffset, lineOffset, header } = options;
  const parser = createCsvParser(options.delimiter);
  const tracker = attachLineTracking(parser, lineOffset, createRecordShaper(header));
  const source = createReadStream(file, { start: bodyOffset, highWaterMark: chunkBytes });
  const stages = [source, decodingStage(options.encoding), parser];
  let pipelineError: unknown;
  pipeline(stages as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], (error) => {
    if (error !== null && error !== undefined) pipelineError = error;
  });
  try {
    yield* readBatches<CsvRecord>(parser);
  } catch (error) {
    const cause = pipelineError ?? error;
    if (cause instanceof NotUtf8Error) {
      const line = lineOffset + 1 + (await countLineBreaks(file, bodyOffset, bodyOffset + cause.offset));
      throw new InputError(
        'ENCODING',
        `the bytes at line ${line} are not valid UTF-8 although the start of the file is; if the file was saved as Windows-1252 (ANSI), use --encoding windows-1252`,
        { file, line },
      );
    }
    throw translateReadError(cause, {
      file,
      header,
      position: () => readParsePosition(parser, tracker, lineOffset),
    });
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/** The same records one by one. */
export async function* streamRecords(
  options: RecordStreamOptions,
): AsyncGenerator<CsvRecord, void, undefined> {
  for await (const batch of streamRecordBatches(options)) yield* batch;
}
