/**
 * The little of ZIP an `.xlsx` reader needs: the central directory (at the end of the file) gives each part's place
 * and size, so any part can be read in any order without reading the others. Stored and deflated entries, data
 * descriptors (the directory has the sizes) and ZIP64 sizes and offsets. Parts stream through `zlib`'s raw inflate.
 */
import { once } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { CENTRAL, EOCD, LOCAL, ZIP64_EOCD, ZIP64_LOCATOR } from './zip-signatures.js';

/** One file of the archive, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  /** General-purpose flags (bit 0: encrypted). */
  flags: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts. */
  headerOffset: number;
}

/** The archive is not a ZIP file, or one this reader cannot read. */
export class ZipFormatError extends Error {}

/** The end record (22 bytes) plus the longest comment it may have. */
const TAIL_BYTES = 22 + 0xffff;
/**
 * Bytes read from the file at a time while streaming an entry. Small on purpose: a compressed chunk lives until all
 * its inflated text is parsed, and a 64 KiB one (8 times as much XML) outlived two young-generation collections, so
 * every one was promoted and freed only by a full collection: +13 MB of dead buffers over a 200,000-row sheet
 * (bench/NOTES.md). At 8 KiB they die young and the read stays flat; the extra reads cost nothing measurable.
 */
const READ_CHUNK = 8 * 1024;

/** The entries of a ZIP file, by name. */
export interface ZipDirectory {
  entries: Map<string, ZipEntry>;
  /** The entry of that name, else of that name in any case (part names are case-insensitive in OPC). */
  find(name: string): ZipEntry | undefined;
}

/**
 * Reads the central directory of the ZIP file at `path`.
 * @throws ZipFormatError when it is not a ZIP file (or a split or corrupt one); the file system's errors as they are.
 */
export async function readZipDirectory(path: string): Promise<ZipDirectory> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const tailLength = Math.min(size, TAIL_BYTES);
    const tail = await readAt(handle, size - tailLength, tailLength);
    let at = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
        at = i;
        break;
      }
    }
    if (at < 0) {
      // An OLE2 compound file: an old .xls, or an .xlsx saved with a password (Excel encrypts it into one).
      const head = await readAt(handle, 0, 8);
      if (head.length === 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) {
        throw new ZipFormatError(
          'an old .xls workbook or a password-protected .xlsx, which cannot be read: save it in Excel as .xlsx without a password',
        );
      }
      throw new ZipFormatError('not a ZIP file (no end of central directory)');
    }
    if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0)
      throw new ZipFormatError('a ZIP file split over several disks');
    let count = tail.readUInt16LE(at + 10);
    let cdSize = tail.readUInt32LE(at + 12);
    let cdOffset = tail.readUInt32LE(at + 16);
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      // ZIP64: the locator sits right before the end record and points at the ZIP64 end record.
      const locatorAt = size - tailLength + at - 20;
      const locator = locatorAt >= 0 ? await readAt(handle, locatorAt, 20) : Buffer.alloc(0);
      if (locator.length < 20 || locator.readUInt32LE(0) !== ZIP64_LOCATOR)
        throw new ZipFormatError('a ZIP64 file without its locator');
      const record = await readAt(handle, toNumber(locator.readBigUInt64LE(8)), 56);
      if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD)
        throw new ZipFormatError('a ZIP64 file without its end record');
      count = toNumber(record.readBigUInt64LE(32));
      cdSize = toNumber(record.readBigUInt64LE(40));
      cdOffset = toNumber(record.readBigUInt64LE(48));
    }
    if (cdOffset + cdSize > size)
      throw new ZipFormatError('a truncated ZIP file (central directory past its end)');
    const cd = await readAt(handle, cdOffset, cdSize);
    return toDirectory(parseCentralDirectory(cd, count));
  } finally {
    await handle.close();
  }
}

function toDirectory(entries: Map<string, ZipEntry>): ZipDirectory {
  let lower: Map<string, ZipEntry> | undefined;
  return {
    entries,
    find(name) {
      const exact = entries.get(name);
      if (exact !== undefined) return exact;
      lower ??= new Map([...entries].map(([key, entry]) => [key.toLowerCase(), entry]));
      return lower.get(name.toLowerCase());
    },
  };
}

function parseCentralDirectory(cd: Buffer, count: number): Map<string, ZipEntry> {
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL)
      throw new ZipFormatError('a corrupt ZIP central directory');
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    let headerOffset = cd.readUInt32LE(p + 42);
    const nameEnd = p + 46 + nameLength;
    if (nameEnd + extraLength > cd.length) throw new ZipFormatError('a corrupt ZIP central directory');
    // Bit 11: UTF-8 names; else CP437, which for the ASCII names of an xlsx's parts reads the same as latin1.
    const name = cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, nameEnd);
    // ZIP64 extra field (id 1): the 64-bit values of the fields that are saturated, in this order.
    for (let e = nameEnd; e + 4 <= nameEnd + extraLength;) {
      const id = cd.readUInt16LE(e);
      const length = cd.readUInt16LE(e + 2);
      if (id === 1) {
        let q = e + 4;
        const next = (): number => {
          const value = toNumber(cd.readBigUInt64LE(q));
          q += 8;
          return value;
        };
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (headerOffset === 0xffffffff) headerOffset = next();
      }
      e += 4 + length;
    }
    entries.set(name, { name, method, flags, compressedSize, size, headerOffset });
    p = nameEnd + extraLength + commentLength;
  }
  return entries;
}

function toNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('a ZIP64 size beyond 2^53');
  return Number(value);
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

/**
 * Streams an entry's uncompressed bytes, reading the file as the consumer asks for more. Leaving the loop early (a
 * `break`, an error) closes the file and the inflater before the generator returns.
 * @throws ZipFormatError for an encrypted entry, an unknown compression method, a bad local header or a size that
 *   does not match; zlib's errors for corrupt data.
 */
export async function* streamZipEntry(
  path: string,
  entry: ZipEntry,
): AsyncGenerator<Buffer, void, undefined> {
  if (entry.flags & 1) throw new ZipFormatError(`${entry.name} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8)
    throw new ZipFormatError(`${entry.name} uses compression method ${entry.method}, which is not supported`);
  const handle = await open(path, 'r');
  let raw: Readable | undefined;
  let inflate: Readable | undefined;
  try {
    const head = await readAt(handle, entry.headerOffset, 30);
    if (head.length < 30 || head.readUInt32LE(0) !== LOCAL)
      throw new ZipFormatError(`a corrupt ZIP file (no local header for ${entry.name})`);
    const start = entry.headerOffset + 30 + head.readUInt16LE(26) + head.readUInt16LE(28);
    let total = 0;
    if (entry.compressedSize > 0) {
      raw = handle.createReadStream({
        start,
        end: start + entry.compressedSize - 1,
        highWaterMark: READ_CHUNK,
        autoClose: false,
      });
      let chunks: AsyncIterable<Buffer> = raw;
      if (entry.method === 8) {
        const inflater = createInflateRaw();
        inflate = inflater;
        // The callback takes the errors (they surface through the loop below), also the early close of a break.
        pipeline(raw, inflater, () => undefined);
        chunks = inflater;
      }
      for await (const chunk of chunks) {
        total += chunk.length;
        if (total > entry.size) break;
        yield chunk;
      }
    }
    if (total !== entry.size)
      throw new ZipFormatError(`a corrupt ZIP file (${entry.name} is ${total} bytes, not ${entry.size})`);
  } finally {
    inflate?.destroy();
    if (raw !== undefined && !raw.destroyed) {
      const closed = once(raw, 'close').catch(() => undefined);
      raw.destroy();
      await closed;
    }
    await handle.close();
  }
}

/**
 * Reads a whole entry into memory: for the small parts (the workbook, its relationships, the styles).
 * @throws ZipFormatError as {@link streamZipEntry}, and for an entry larger than `maxBytes`.
 */
export async function readZipEntry(path: string, entry: ZipEntry, maxBytes: number): Promise<Buffer> {
  if (entry.size > maxBytes)
    throw new ZipFormatError(
      `${entry.name} is ${entry.size} bytes, more than the ${maxBytes} this part may have`,
    );
  const chunks: Buffer[] = [];
  for await (const chunk of streamZipEntry(path, entry)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
