/**
 * A workbook's shared-string table (`xl/sharedStrings.xml`), which any cell of any row may refer to by index, so a
 * streaming reader must be able to look up every string until the sheet's last row.
 *
 * The strings are packed into blocks of about 64 KiB: each block is one buffer holding the end offset of each of its
 * strings (4 bytes each) and then their UTF-8 text. An array of JS strings would cost an object (16-32 bytes) a string
 * on top of its text, and the garbage collector's time.
 *
 * A table up to `memoryLimit` bytes (2 MiB: the strings of a sheet of tens of thousands of rows) stays in memory.
 * Past it, the blocks go to a temporary file and the table keeps in memory only each block's first index and place in
 * the file, and a few blocks last read (about 512 KiB), so memory stays flat whatever the table's size. A sheet that
 * refers to its strings in the table's order (Excel and the libraries number strings by first use) reads the file a
 * block at a time; one that jumps around (sorted after it was typed) reads each string alone. The file is removed as
 * soon as it is open (POSIX), or when the table is garbage-collected (Windows, which cannot remove an open file).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorText } from '../shared/index.js';

/** The text and offsets of a block, at most (a longer string gets a block of its own). */
const BLOCK_BYTES = 64 * 1024;
/** The blocks read back from the file that are kept (least recently used goes first). */
const CACHED_BLOCKS = 8;

export interface SharedStringsOptions {
  /**
   * The bytes of text and offsets kept in memory before the table moves to a temporary file; 2 MiB by default.
   * Checked as each block of about 64 KiB fills, so a table never spills before its first block is full.
   */
  memoryLimit?: number;
  /** Where the temporary file goes; the system's temporary folder (`TMPDIR`, `TEMP`) by default. */
  tempDir?: string;
}

interface SpillFile {
  fd: number;
  /** Set where the file could not be removed while open (Windows): removed with the table. */
  dir: string | undefined;
}

/** Closes a garbage-collected table's file (and removes it where it could not be removed while open). */
const files = new FinalizationRegistry<SpillFile>(closeSpill);

function closeSpill(file: SpillFile): void {
  try {
    closeSync(file.fd);
  } catch {
    // Already closed.
  }
  if (file.dir !== undefined) rmSync(file.dir, { recursive: true, force: true });
}

interface CachedBlock {
  block: number;
  bytes: Buffer;
  /** When it was last read (a tick of the table's clock): the oldest goes first. */
  used: number;
}

export class SharedStrings {
  private readonly memoryLimit: number;
  private readonly tempDir: string | undefined;
  /** The index of each sealed block's first string. */
  private readonly firsts: number[] = [];
  /** Sealed blocks in memory (until the table spills). */
  private blocks: Buffer[] = [];
  private resident = 0;
  /** Once spilled: each sealed block's place and length in the file. */
  private file: SpillFile | undefined;
  private readonly positions: number[] = [];
  private readonly lengths: number[] = [];
  private fileSize = 0;
  private readonly cache: CachedBlock[] = [];
  private tick = 0;
  /** The block last read whole, and the block of the last lookup the cache missed (see cachedBlock). */
  private lastWhole = -2;
  private lastMiss = -1;
  /** Room for one string read alone (and its two offsets). */
  private scratch = Buffer.allocUnsafeSlow(256);
  /** The block being filled: its text and each string's end offset in it. */
  private text = Buffer.allocUnsafeSlow(4096);
  private textUsed = 0;
  private ends = new Uint32Array(256);
  private endsUsed = 0;
  private n = 0;

  constructor(options: SharedStringsOptions = {}) {
    this.memoryLimit = options.memoryLimit ?? 2 * 1024 * 1024;
    this.tempDir = options.tempDir;
  }

  get count(): number {
    return this.n;
  }

  /** The table went to a temporary file (it outgrew `memoryLimit`). */
  get spilled(): boolean {
    return this.file !== undefined;
  }

  push(text: string): void {
    const most = text.length * 3;
    if (this.endsUsed > 0 && this.textUsed + most + 4 * (this.endsUsed + 1) > BLOCK_BYTES) {
      const size = Buffer.byteLength(text, 'utf8');
      if (this.textUsed + size + 4 * (this.endsUsed + 1) > BLOCK_BYTES) this.seal();
    }
    if (this.textUsed + most > this.text.length) {
      const need = this.textUsed + Buffer.byteLength(text, 'utf8');
      if (need > this.text.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(need, Math.min(this.text.length * 2, BLOCK_BYTES)));
        this.text.copy(grown, 0, 0, this.textUsed);
        this.text = grown;
      }
    }
    if (this.endsUsed === this.ends.length) {
      const grown = new Uint32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.textUsed += this.text.write(text, this.textUsed, 'utf8');
    this.ends[this.endsUsed++] = this.textUsed;
    this.n++;
  }

  /** The string at `index`; undefined past the table's end (or for an index that is not a whole number). */
  get(index: number): string | undefined {
    if (!(Number.isInteger(index) && index >= 0 && index < this.n)) return undefined;
    const sealed = this.firsts.length;
    if (sealed === 0 || index >= this.n - this.endsUsed) {
      const k = index - (this.n - this.endsUsed);
      return this.text.toString('utf8', k === 0 ? 0 : this.ends[k - 1], this.ends[k]);
    }
    // The last block whose first string is at or before the index.
    let low = 0;
    let high = sealed - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.firsts[mid] as number) <= index) low = mid;
      else high = mid - 1;
    }
    const first = this.firsts[low] as number;
    const count = (low + 1 < sealed ? (this.firsts[low + 1] as number) : this.n - this.endsUsed) - first;
    const k = index - first;
    const offsets = 4 * count;
    const bytes = this.file === undefined ? (this.blocks[low] as Buffer) : this.cachedBlock(low);
    if (bytes === undefined) return this.readOne(low, k, offsets);
    return bytes.toString(
      'utf8',
      offsets + (k === 0 ? 0 : bytes.readUInt32LE(4 * (k - 1))),
      offsets + bytes.readUInt32LE(4 * k),
    );
  }

  /** Moves the block being filled into a sealed block (in memory, or to the file once the table is too big). */
  private seal(): void {
    const count = this.endsUsed;
    const block = Buffer.allocUnsafeSlow(4 * count + this.textUsed);
    for (let k = 0; k < count; k++) block.writeUInt32LE(this.ends[k] as number, 4 * k);
    this.text.copy(block, 4 * count, 0, this.textUsed);
    this.firsts.push(this.n - count);
    this.textUsed = 0;
    this.endsUsed = 0;
    if (this.file === undefined) {
      this.blocks.push(block);
      this.resident += block.length;
      if (this.resident > this.memoryLimit) this.spill();
    } else this.writeBlock(block);
  }

  private spill(): void {
    let dir: string | undefined;
    try {
      dir = mkdtempSync(join(this.tempDir ?? tmpdir(), 'coupa-csv-strings-'));
      const path = join(dir, 'shared-strings');
      const fd = openSync(path, 'w+', 0o600);
      let removed = false;
      try {
        unlinkSync(path);
        rmSync(dir, { recursive: true, force: true });
        removed = true;
      } catch {
        // Windows: removed when the table is garbage-collected.
      }
      this.file = { fd, dir: removed ? undefined : dir };
      files.register(this, this.file);
    } catch (error) {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      throw tempFileError(this.tempDir ?? tmpdir(), error);
    }
    for (const block of this.blocks) this.writeBlock(block);
    this.blocks = [];
    this.resident = 0;
  }

  private writeBlock(block: Buffer): void {
    const fd = (this.file as SpillFile).fd;
    try {
      let done = 0;
      while (done < block.length)
        done += writeSync(fd, block, done, block.length - done, this.fileSize + done);
    } catch (error) {
      throw tempFileError(this.tempDir ?? tmpdir(), error);
    }
    this.positions.push(this.fileSize);
    this.lengths.push(block.length);
    this.fileSize += block.length;
  }

  /**
   * A sealed block from the cache of the blocks last read, or read into it; undefined when the lookups jump around
   * the table (a sheet sorted after it was typed refers to its strings in no order), and the string is read alone.
   * A block is read whole when it follows the last one read whole, or on its second miss in a row: strings looked up
   * in order cost one read a block, and at random two small reads a string instead of a 64 KiB one (bench/NOTES.md).
   */
  private cachedBlock(block: number): Buffer | undefined {
    const cache = this.cache;
    const tick = ++this.tick;
    let oldest: CachedBlock | undefined;
    for (const slot of cache) {
      if (slot.block === block) {
        slot.used = tick;
        return slot.bytes;
      }
      if (oldest === undefined || slot.used < oldest.used) oldest = slot;
    }
    const inOrder = block === this.lastWhole + 1 || block === this.lastMiss;
    this.lastMiss = block;
    if (!inOrder) return undefined;
    this.lastWhole = block;
    const length = this.lengths[block] as number;
    // Reuse the least recently used block's buffer (when big enough): reading a block makes no garbage.
    let slot: CachedBlock;
    if (cache.length < CACHED_BLOCKS || oldest === undefined) {
      slot = { block, bytes: Buffer.allocUnsafeSlow(Math.max(length, BLOCK_BYTES)), used: tick };
      cache.push(slot);
    } else {
      slot = oldest;
      slot.block = block;
      slot.used = tick;
      if (slot.bytes.length < length) slot.bytes = Buffer.allocUnsafeSlow(length);
    }
    this.readAt(slot.bytes, length, this.positions[block] as number);
    // The block starts at the buffer's start (its offsets are read from there); the bytes past it are stale.
    return slot.bytes;
  }

  /** String `k` of a sealed block, read alone from the file: its two offsets, then its text. */
  private readOne(block: number, k: number, offsets: number): string {
    const position = this.positions[block] as number;
    let start = 0;
    let end: number;
    if (k === 0) {
      this.readAt(this.scratch, 4, position);
      end = this.scratch.readUInt32LE(0);
    } else {
      this.readAt(this.scratch, 8, position + 4 * (k - 1));
      start = this.scratch.readUInt32LE(0);
      end = this.scratch.readUInt32LE(4);
    }
    const length = end - start;
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafeSlow(length);
    this.readAt(this.scratch, length, position + offsets + start);
    return this.scratch.toString('utf8', 0, length);
  }

  private readAt(into: Buffer, length: number, position: number): void {
    const fd = (this.file as SpillFile).fd;
    let done = 0;
    while (done < length) {
      const read = readSync(fd, into, done, length - done, position + done);
      if (read === 0) throw new Error('the temporary file of the shared strings was cut short');
      done += read;
    }
  }
}

/** The table outgrew memory and its temporary file could not be made or written (a full disk, no such folder). */
export class SpillError extends Error {}

function tempFileError(dir: string, error: unknown): SpillError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return new SpillError(
    `the shared strings are too many to keep in memory, and their temporary file could not be written in ${dir} (${code ?? errorText(error)}); set TMPDIR (TEMP on Windows) to a folder with room`,
  );
}
