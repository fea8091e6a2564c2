import { writeFileSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';

/** One file of a test zip. */
export interface ZipFileSpec {
  name: string;
  data: string | Buffer;
  /** Stored (0) or deflated (8, the default). */
  method?: 0 | 8;
  /** Sizes and CRC in a data descriptor after the data (flag bit 3), zeros in the local header, as streaming writers do. */
  descriptor?: boolean;
}

export interface ZipOptions {
  /** Central directory entries and end record in their ZIP64 form (sizes and offsets in the extra field). */
  zip64?: boolean;
  /** Bytes before the first entry (a self-extractor's stub, or junk): offsets stay absolute. */
  prefix?: Buffer;
  /** The end record's comment. */
  comment?: string;
}

/**
 * Writes a zip by hand, byte by byte, for the variants no library writes on demand: parts in any order, stored
 * entries, data descriptors, ZIP64 records.
 */
export function writeZip(file: string, files: ZipFileSpec[], options: ZipOptions = {}): void {
  const chunks: Buffer[] = [];
  let offset = 0;
  const push = (b: Buffer): void => {
    chunks.push(b);
    offset += b.length;
  };
  if (options.prefix) push(options.prefix);
  const central: Buffer[] = [];
  for (const spec of files) {
    const data = Buffer.isBuffer(spec.data) ? spec.data : Buffer.from(spec.data, 'utf8');
    const method = spec.method ?? 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const crc = crc32(data);
    const name = Buffer.from(spec.name, 'utf8');
    const flags = 0x800 | (spec.descriptor ? 8 : 0);
    const headerOffset = offset;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(spec.descriptor ? 0 : crc, 14);
    local.writeUInt32LE(spec.descriptor ? 0 : body.length, 18);
    local.writeUInt32LE(spec.descriptor ? 0 : data.length, 22);
    local.writeUInt16LE(name.length, 26);
    push(Buffer.concat([local, name, body]));
    if (spec.descriptor) {
      const d = Buffer.alloc(16);
      d.writeUInt32LE(0x08074b50, 0);
      d.writeUInt32LE(crc, 4);
      d.writeUInt32LE(body.length, 8);
      d.writeUInt32LE(data.length, 12);
      push(d);
    }
    const extra = Buffer.alloc(options.zip64 ? 28 : 0);
    if (options.zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(data.length), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(headerOffset), 20);
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(45, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(flags, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(options.zip64 ? 0xffffffff : body.length, 20);
    c.writeUInt32LE(options.zip64 ? 0xffffffff : data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt32LE(options.zip64 ? 0xffffffff : headerOffset, 42);
    central.push(Buffer.concat([c, name, extra]));
  }
  const cd = Buffer.concat(central);
  const cdOffset = offset;
  push(cd);
  if (options.zip64) {
    const record = Buffer.alloc(56);
    const recordOffset = offset;
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(files.length), 24);
    record.writeBigUInt64LE(BigInt(files.length), 32);
    record.writeBigUInt64LE(BigInt(cd.length), 40);
    record.writeBigUInt64LE(BigInt(cdOffset), 48);
    push(record);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(recordOffset), 8);
    locator.writeUInt32LE(1, 16);
    push(locator);
  }
  const comment = Buffer.from(options.comment ?? '', 'utf8');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(options.zip64 ? 0xffff : files.length, 8);
  end.writeUInt16LE(options.zip64 ? 0xffff : files.length, 10);
  end.writeUInt32LE(options.zip64 ? 0xffffffff : cd.length, 12);
  end.writeUInt32LE(options.zip64 ? 0xffffffff : cdOffset, 16);
  end.writeUInt16LE(comment.length, 20);
  push(Buffer.concat([end, comment]));
  writeFileSync(file, Buffer.concat(chunks));
}
