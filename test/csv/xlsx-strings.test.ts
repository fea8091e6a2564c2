import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedStrings, SpillError } from '../../src/csv/xlsx-strings.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xlsx-strings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Strings of every kind a sheet holds: empty, accented, emoji (4 UTF-8 bytes), long, repeated. */
function sample(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 97 === 0) out.push('');
    else if (i % 89 === 0) out.push(`Geschäftsjahr ${i} 💶`);
    else if (i % 1013 === 0)
      out.push(`long ${i} `.repeat(3000)); // about 30 KB: half a block
    else if (i % 4999 === 0)
      out.push('x'.repeat(100_000)); // longer than a block: a block of its own
    else out.push(`Vendor ${i}, Inc.`);
  }
  return out;
}

describe('SharedStrings', () => {
  it('keeps a small table in memory and gives back every string, in any order', () => {
    const strings = sample(3000);
    const table = new SharedStrings({ tempDir: dir });
    for (const s of strings) table.push(s);
    expect(table.count).toBe(strings.length);
    expect(table.spilled).toBe(false);
    for (let i = strings.length - 1; i >= 0; i -= 7) expect(table.get(i)).toBe(strings[i]);
    for (let i = 0; i < strings.length; i++) expect(table.get(i)).toBe(strings[i]);
    expect(table.get(-1)).toBeUndefined();
    expect(table.get(strings.length)).toBeUndefined();
    expect(table.get(1.5)).toBeUndefined();
  });

  it('moves a table past its memory limit to a temporary file, removed at once, and reads it back exactly', async () => {
    const spillDir = await mkdtemp(join(dir, 'spill-'));
    const strings = sample(20_000);
    const table = new SharedStrings({ memoryLimit: 64 * 1024, tempDir: spillDir });
    for (const s of strings) table.push(s);
    expect(table.spilled).toBe(true);
    // POSIX: the file is unlinked as soon as it is open, so nothing is left behind even on kill -9.
    if (process.platform !== 'win32') expect(await readdir(spillDir)).toEqual([]);
    // In order (the blocks last read stay cached), backwards, and jumping across more blocks than the cache holds.
    for (let i = 0; i < strings.length; i++) expect(table.get(i)).toBe(strings[i]);
    for (let i = strings.length - 1; i >= 0; i -= 13) expect(table.get(i)).toBe(strings[i]);
    for (let k = 0; k < 2000; k++) {
      const i = (k * 7919) % strings.length;
      expect(table.get(i)).toBe(strings[i]);
    }
  });

  it('reads the strings pushed after the spill, before and after the last block is sealed', () => {
    const table = new SharedStrings({ memoryLimit: 1024, tempDir: dir });
    const strings = sample(5000);
    for (let i = 0; i < strings.length; i++) {
      table.push(strings[i] as string);
      // Reading while filling: the block being filled is read from memory.
      if (i % 501 === 0) expect(table.get(i)).toBe(strings[i]);
    }
    expect(table.spilled).toBe(true);
    expect(table.get(strings.length - 1)).toBe(strings[strings.length - 1]);
    expect(table.get(0)).toBe(strings[0]);
  });

  it('names the folder when the table cannot spill there', async () => {
    const notADir = join(dir, 'a-file');
    await writeFile(notADir, 'not a folder');
    const table = new SharedStrings({ memoryLimit: 1024, tempDir: notADir });
    let error: unknown;
    try {
      for (const s of sample(5000)) table.push(s);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SpillError);
    expect((error as Error).message).toContain(notADir);
    expect((error as Error).message).toMatch(/ENOTDIR/);
    expect((error as Error).message).toContain('TMPDIR');
  });
});
