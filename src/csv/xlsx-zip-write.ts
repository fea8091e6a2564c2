/**
 * The little of ZIP an `.xlsx` writer needs, streamed: each entry's local header goes out first with the
 * data-descriptor flag (its CRC and sizes are not known yet), then its bytes through `zlib`'s raw deflate as they
 * come, then a data descriptor; the central directory and the end record close the file. Nothing but the directory
 * (about 100 bytes an entry) is kept, so memory stays flat however long an entry is. Past 4 GiB (an entry's sizes or
 * an offset) the directory gets ZIP64 fields and the end ZIP64 records; readers that go by the central directory
 * (Excel, `unzip`, this project's own reader) read it.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createDeflateRaw, deflateRawSync, type DeflateRaw } from 'node:zlib';
import { CENTRAL, DESCRIPTOR, EOCD, LOCAL, ZIP64_EOCD, ZIP64_LOCATOR } from './zip-signatures.js';

/** Bit 11: the name is UTF-8. */
const UTF8 = 0x0800;
/** Bit 3: CRC and sizes in a data descriptor after the data. */
const DESCRIBED = 0x0008;
const DEFLATED = 8;
const MAX32 = 0xffffffff;
/**
 * Text is gathered up to this many characters before it is encoded and handed to deflate: one zlib call per row
 * would cost more than the deflating. Small enough that the buffers die young (see xlsx-zip.ts's READ_CHUNK).
 */
const BATCH_CHARS = 16 * 1024;

const CRC_TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * Carries a CRC-32 (the ZIP and PNG one) over more bytes: start with 0. Node 20 has no `zlib.crc32`.
 * @example updateCrc32(0, Buffer.from('123456789')) === 0xcbf43926
 */
export function updateCrc32(crc: number, bytes: Uint8Array): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++)
    c = (CRC_TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

export interface ZipWriterOptions {
  /** zlib's deflate level (default 3: bench/NOTES.md has the measurements). */
  level?: number;
  /** For tests: write the ZIP64 records even below 4 GiB. */
  forceZip64?: boolean;
}

/** One entry being written: text or bytes as they come, then `close()`. */
export interface ZipEntryWriter {
  /** Adds text (UTF-8) or bytes. False when the caller should `await drain()` before writing much more. */
  write(data: string | Buffer): boolean;
  /** Resolves once deflate and the output have room again. */
  drain(): Promise<void>;
  /** Ends the entry: the rest of its bytes and its data descriptor. */
  close(): Promise<void>;
}

interface DoneEntry {
  name: Buffer;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/**
 * A ZIP file written front to back onto `out` (a file stream, a PassThrough): one entry at a time.
 * @example
 * const zip = new ZipWriter(createWriteStream('a.zip'));
 * zip.addEntry('a.txt', 'hello');
 * const big = zip.openEntry('b.txt');
 * if (!big.write('many lines\n')) await big.drain();
 * await big.close();
 * await zip.finish();
 */
export class ZipWriter {
  private offset = 0;
  private readonly done: DoneEntry[] = [];
  private open = false;
  private failure: Error | undefined;
  private readonly level: number;
  private readonly time: number;
  private readonly date: number;

  constructor(
    private readonly out: Writable,
    private readonly options: ZipWriterOptions = {},
  ) {
    this.level = options.level ?? 3;
    out.on('error', (error: Error) => (this.failure ??= error));
    const now = new Date();
    this.time = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1);
    this.date = (Math.max(now.getFullYear() - 1980, 0) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
  }

  /**
   * A small entry, whole, deflated at once: its CRC and sizes go in its local header, and it is written before this
   * returns (no waiting), so a workbook's fixed parts cost its writer no turn of the event loop.
   */
  addEntry(name: string, data: string | Buffer): void {
    this.check();
    if (this.open) throw new Error('a ZIP entry is still open');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const packed = deflateRawSync(bytes, { level: this.level });
    const nameBytes = Buffer.from(name, 'utf8');
    const offset = this.offset;
    const crc = updateCrc32(0, bytes);
    this.writeLocalHeader(nameBytes, UTF8, offset, crc, packed.length, bytes.length);
    this.emit(packed);
    this.done.push({
      name: nameBytes,
      flags: UTF8,
      crc,
      compressedSize: packed.length,
      size: bytes.length,
      offset,
    });
  }

  /**
   * Starts an entry streamed through deflate; write it whole and close it before the next one.
   * @throws Error while another entry is open, or after the output failed.
   */
  openEntry(name: string): ZipEntryWriter {
    this.check();
    if (this.open) throw new Error('a ZIP entry is still open');
    this.open = true;
    const nameBytes = Buffer.from(name, 'utf8');
    const offset = this.offset;
    // CRC and sizes stay 0 here: the data descriptor carries them.
    this.writeLocalHeader(nameBytes, UTF8 | DESCRIBED, offset, 0, 0, 0);

    const deflate: DeflateRaw = createDeflateRaw({ level: this.level });
    let crc = 0;
    let size = 0;
    let compressedSize = 0;
    let pending = '';
    // An output error stops deflate, which rejects whatever waits on it (drain, close); its own errors surface there.
    const onOutError = (error: Error): void => void deflate.destroy(error);
    this.out.once('error', onOutError);
    deflate.on('error', (error: Error) => (this.failure ??= error));
    deflate.on('data', (chunk: Buffer) => {
      compressedSize += chunk.length;
      if (!this.emit(chunk)) {
        deflate.pause();
        drained(this.out).then(
          () => deflate.resume(),
          (error: unknown) => deflate.destroy(error instanceof Error ? error : new Error(String(error))),
        );
      }
    });
    const push = (bytes: Buffer): boolean => {
      crc = updateCrc32(crc, bytes);
      size += bytes.length;
      return deflate.write(bytes);
    };
    const flush = (): boolean => {
      if (pending === '') return true;
      const bytes = Buffer.from(pending, 'utf8');
      pending = '';
      return push(bytes);
    };
    let room = true;
    return {
      write: (data) => {
        if (typeof data === 'string') {
          pending += data;
          if (pending.length >= BATCH_CHARS) room = flush();
        } else {
          flush();
          room = push(data);
        }
        return room;
      },
      drain: async () => {
        this.check();
        if (!room && deflate.writableNeedDrain) await once(deflate, 'drain');
        room = true;
      },
      close: async () => {
        flush();
        const ended = once(deflate, 'end');
        deflate.end();
        try {
          await ended;
        } finally {
          this.out.off('error', onOutError);
          this.open = false;
        }
        this.check();
        const zip64 = size >= MAX32 || compressedSize >= MAX32;
        const descriptor = Buffer.alloc(zip64 ? 24 : 16);
        descriptor.writeUInt32LE(DESCRIPTOR, 0);
        descriptor.writeUInt32LE(crc, 4);
        if (zip64) {
          descriptor.writeBigUInt64LE(BigInt(compressedSize), 8);
          descriptor.writeBigUInt64LE(BigInt(size), 16);
        } else {
          descriptor.writeUInt32LE(compressedSize, 8);
          descriptor.writeUInt32LE(size, 12);
        }
        this.emit(descriptor);
        this.done.push({ name: nameBytes, flags: UTF8 | DESCRIBED, crc, compressedSize, size, offset });
        await this.waitForRoom();
      },
    };
  }

  /** Writes the central directory and the end record, and ends `out` (resolves once it has taken every byte). */
  async finish(): Promise<void> {
    this.check();
    if (this.open) throw new Error('a ZIP entry is still open');
    const start = this.offset;
    for (const entry of this.done) {
      const big =
        this.options.forceZip64 === true ||
        entry.size >= MAX32 ||
        entry.compressedSize >= MAX32 ||
        entry.offset >= MAX32;
      const extra = big ? 28 : 0;
      const record = Buffer.alloc(46 + entry.name.length + extra);
      record.writeUInt32LE(CENTRAL, 0);
      record.writeUInt16LE((3 << 8) | 45, 4); // made by: Unix, version 4.5
      record.writeUInt16LE(big ? 45 : 20, 6);
      record.writeUInt16LE(entry.flags, 8);
      record.writeUInt16LE(DEFLATED, 10);
      record.writeUInt16LE(this.time, 12);
      record.writeUInt16LE(this.date, 14);
      record.writeUInt32LE(entry.crc, 16);
      record.writeUInt32LE(big ? MAX32 : entry.compressedSize, 20);
      record.writeUInt32LE(big ? MAX32 : entry.size, 24);
      record.writeUInt16LE(entry.name.length, 28);
      record.writeUInt16LE(extra, 30);
      // Comment length, disk, internal attributes 0; external attributes: a regular file, rw-r--r--.
      record.writeUInt32LE((0o100644 << 16) >>> 0, 38);
      record.writeUInt32LE(big ? MAX32 : entry.offset, 42);
      entry.name.copy(record, 46);
      if (big) {
        // ZIP64 extended information: the saturated fields' 64-bit values, in this order.
        let p = 46 + entry.name.length;
        record.writeUInt16LE(1, p);
        record.writeUInt16LE(24, p + 2);
        record.writeBigUInt64LE(BigInt(entry.size), p + 4);
        record.writeBigUInt64LE(BigInt(entry.compressedSize), p + 12);
        record.writeBigUInt64LE(BigInt(entry.offset), p + 20);
        p += 28;
      }
      this.emit(record);
    }
    const cdSize = this.offset - start;
    const count = this.done.length;
    const big = this.options.forceZip64 === true || start >= MAX32 || cdSize >= MAX32 || count >= 0xffff;
    if (big) {
      const zip64At = this.offset;
      const record = Buffer.alloc(56);
      record.writeUInt32LE(ZIP64_EOCD, 0);
      record.writeBigUInt64LE(44n, 4); // the size of the rest of this record
      record.writeUInt16LE((3 << 8) | 45, 12);
      record.writeUInt16LE(45, 14);
      // Disk numbers (16, 20) 0.
      record.writeBigUInt64LE(BigInt(count), 24);
      record.writeBigUInt64LE(BigInt(count), 32);
      record.writeBigUInt64LE(BigInt(cdSize), 40);
      record.writeBigUInt64LE(BigInt(start), 48);
      this.emit(record);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(ZIP64_LOCATOR, 0);
      locator.writeBigUInt64LE(BigInt(zip64At), 8);
      locator.writeUInt32LE(1, 16); // disks in all
      this.emit(locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(EOCD, 0);
    end.writeUInt16LE(big ? 0xffff : count, 8);
    end.writeUInt16LE(big ? 0xffff : count, 10);
    end.writeUInt32LE(big ? MAX32 : cdSize, 12);
    end.writeUInt32LE(big ? MAX32 : start, 16);
    this.emit(end);
    this.out.end();
    // Only the writing side: a PassThrough's reader may still be reading. Rejects on an error or an early close.
    await finished(this.out, { readable: false });
    this.check();
  }

  private writeLocalHeader(
    name: Buffer,
    flags: number,
    offset: number,
    crc: number,
    compressedSize: number,
    size: number,
  ): void {
    if (compressedSize >= MAX32 || size >= MAX32)
      throw new Error('a ZIP entry written whole must be below 4 GiB');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL, 0);
    header.writeUInt16LE(this.options.forceZip64 === true || offset >= MAX32 ? 45 : 20, 4);
    header.writeUInt16LE(flags, 6);
    header.writeUInt16LE(DEFLATED, 8);
    header.writeUInt16LE(this.time, 10);
    header.writeUInt16LE(this.date, 12);
    header.writeUInt32LE(crc, 14);
    header.writeUInt32LE(compressedSize, 18);
    header.writeUInt32LE(size, 22);
    header.writeUInt16LE(name.length, 26);
    this.emit(header);
    this.emit(name);
  }

  private emit(bytes: Buffer): boolean {
    this.offset += bytes.length;
    return this.out.write(bytes);
  }

  private async waitForRoom(): Promise<void> {
    if (this.out.writableNeedDrain) await drained(this.out);
    this.check();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Resolves on the output's next 'drain'; rejects on its error, or when it closes first (destroyed without one). */
async function drained(out: Writable): Promise<void> {
  const closed = new AbortController();
  const onClose = (): void => closed.abort(new Error('the output closed before the ZIP file was written'));
  out.once('close', onClose);
  try {
    await once(out, 'drain', { signal: closed.signal });
  } finally {
    out.off('close', onClose);
  }
}
