/**
 * A workbook's shared-string table (`xl/sharedStrings.xml`), which any cell of any row may refer to by index, so a
 * streaming reader must be able to look up every string until the sheet's last row.
 *
 * The strings are packed into blocks of about 64 KiB: each block is one buffer holding where each of its strings
 * starts (4 bytes each, and one more for the end of the text) and then their UTF-8 text. An array of JS strings would cost an object (16-32 bytes) a string
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
  private readonly tempDir: string;
  /** Each sealed block's first string, and where the block starts (in memory's order, which is the file's). */
  private readonly firsts: number[] = [];
  private readonly starts: number[] = [];
  /** The sealed blocks' bytes in all: where the next block starts. */
  private sealedBytes = 0;
  /** Sealed blocks in memory (until the table spills). */
  private blocks: Buffer[] = [];
  private file: SpillFile | undefined;
  private readonly cache: CachedBlock[] = [];
  private tick = 0;
  /** The block last read whole, and the block of the last lookup the cache missed (see cachedBlock). */
  private lastWhole = -2;
  private lastMiss = -1;
  /** Room for one string read alone (and its two offsets). */
  private scratch = Buffer.allocUnsafeSlow(256);
  /**
   * The block being filled: its text, and where each of its strings starts in it and (last) where the text ends. A
   * sealed block has the same offsets (4 bytes each) before its text, so string k is `bounds[k]` to `bounds[k + 1]`.
   */
  private text = Buffer.allocUnsafeSlow(4096);
  private textUsed = 0;
  private bounds = new Uint32Array(256);
  /** The strings in all, and the index of the first one in the block being filled. */
  private n = 0;
  private first = 0;

  constructor(options: SharedStringsOptions = {}) {
    this.memoryLimit = options.memoryLimit ?? 2 * 1024 * 1024;
    this.tempDir = options.tempDir ?? tmpdir();
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
    const offsets = 4 * (this.n - this.first + 2);
    if (this.n > this.first && this.textUsed + most + offsets > BLOCK_BYTES) {
      if (this.textUsed + Buffer.byteLength(text, 'utf8') + offsets > BLOCK_BYTES) this.seal();
    }
    if (this.textUsed + most > this.text.length) {
      const need = this.textUsed + Buffer.byteLength(text, 'utf8');
      if (need > this.text.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(need, Math.min(this.text.length * 2, BLOCK_BYTES)));
        this.text.copy(grown, 0, 0, this.textUsed);
        this.text = grown;
      }
    }
    const k = this.n - this.first;
    if (k + 2 > this.bounds.length) {
      const grown = new Uint32Array(this.bounds.length * 2);
      grown.set(this.bounds);
      this.bounds = grown;
    }
    this.textUsed += this.text.write(text, this.textUsed, 'utf8');
    this.bounds[k + 1] = this.textUsed;
    this.n++;
  }

  /** The string at `index`; undefined past the table's end (or for an index that is not a whole number). */
  get(index: number): string | undefined {
    if (!(Number.isInteger(index) && index >= 0 && index < this.n)) return undefined;
    if (index >= this.first) {
      const k = index - this.first;
      return this.text.toString('utf8', this.bounds[k], this.bounds[k + 1]);
    }
    // The last sealed block whose first string is at or before the index.
    let low = 0;
    let high = this.firsts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if ((this.firsts[mid] as number) <= index) low = mid;
      else high = mid - 1;
    }
    const first = this.firsts[low] as number;
    const next = low + 1 < this.firsts.length ? (this.firsts[low + 1] as number) : this.first;
    const k = index - first;
    const textAt = 4 * (next - first + 1);
    const bytes = this.file === undefined ? (this.blocks[low] as Buffer) : this.cachedBlock(low);
    if (bytes === undefined) return this.readOne(low, k, textAt);
    return bytes.toString('utf8', textAt + bytes.readUInt32LE(4 * k), textAt + bytes.readUInt32LE(4 * k + 4));
  }

  /** Moves the block being filled into a sealed block (in memory, or to the file once the table is too big). */
  private seal(): void {
    const count = this.n - this.first;
    const block = Buffer.allocUnsafeSlow(4 * (count + 1) + this.textUsed);
    for (let k = 0; k <= count; k++) block.writeUInt32LE(this.bounds[k] as number, 4 * k);
    this.text.copy(block, 4 * (count + 1), 0, this.textUsed);
    this.firsts.push(this.first);
    this.starts.push(this.sealedBytes);
    this.sealedBytes += block.length;
    this.first = this.n;
    this.textUsed = 0;
    if (this.file !== undefined) this.writeAt(block, this.sealedBytes - block.length);
    else {
      this.blocks.push(block);
      if (this.sealedBytes > this.memoryLimit) this.spill();
    }
  }

  private spill(): void {
    let dir: string | undefined;
    try {
      dir = mkdtempSync(join(this.tempDir, 'coupa-csv-strings-'));
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
      throw tempFileError(this.tempDir, error);
    }
    this.blocks.forEach((block, b) => this.writeAt(block, this.starts[b] as number));
    this.blocks = [];
  }

  private writeAt(block: Buffer, position: number): void {
    const fd = (this.file as SpillFile).fd;
    try {
      let done = 0;
      while (done < block.length) done += writeSync(fd, block, done, block.length - done, position + done);
    } catch (error) {
      throw tempFileError(this.tempDir, error);
    }
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
    const start = this.starts[block] as number;
    const length =
      (block + 1 < this.starts.length ? (this.starts[block + 1] as number) : this.sealedBytes) - start;
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
    this.readAt(slot.bytes, length, start);
    // The block starts at the buffer's start (its offsets are read from there); the bytes past it are stale.
    return slot.bytes;
  }

  /** String `k` of a sealed block, read alone from the file: its two offsets, then its text. */
  private readOne(block: number, k: number, textAt: number): string {
    const start = this.starts[block] as number;
    this.readAt(this.scratch, 8, start + 4 * k);
    const from = this.scratch.readUInt32LE(0);
    const length = this.scratch.readUInt32LE(4) - from;
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafeSlow(length);
    this.readAt(this.scratch, length, start + textAt + from);
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
