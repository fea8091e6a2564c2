import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, readJournal, type JournalHeader } from '../../src/import/journal.js';

const header: JournalHeader = {
  v: 1,
  input: '/data/in.csv',
  object: 101,
  mode: 'create',
  key: 'vendor-code',
};

describe('journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coupa-csv-journal-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records sends and outcomes; a send without an outcome is uncertain', async () => {
    const file = path.join(dir, 'r.csv.journal');
    const j = Journal.start(file, header);
    await j.sent(2, 0);
    j.done(2, 'created', 10);
    await j.sent(3, 0);
    await j.sent(4, 0);
    j.refused(4);
    await j.sent(5, 0);
    j.unknown(5);
    await j.sent(6, 0);
    j.done(6, 'failed', 11);
    j.close();
    const state = readJournal(file);
    expect(state?.header).toEqual(header);
    expect([...(state?.done ?? [])]).toEqual([
      [2, { status: 'created', id: 10 }],
      [6, { status: 'failed', id: 11 }],
    ]);
    expect([...(state?.uncertain ?? [])]).toEqual([
      [3, 'in-flight'],
      [5, 'unknown'],
    ]);
  });

  it('the sent lines and outcomes of one turn go out in one write, before any of those requests may leave', async () => {
    const file = path.join(dir, 'r.csv.journal');
    const j = Journal.start(file, header);
    const first = j.sent(2, 21);
    const second = j.sent(3, 31);
    j.done(1, 'created', 9);
    // Nothing written yet: neither request may leave before its line is in the kernel.
    expect(fs.readFileSync(file, 'utf8')).not.toContain('"s":2');
    await first;
    // The write that released the first request holds the whole turn.
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n').slice(1, 4)).toEqual([
      '{"d":1,"st":"created","id":9}',
      '{"s":2,"h":21}',
      '{"s":3,"h":31}',
    ]);
    await second;
    j.close();
  });

  it('close writes waiting outcomes but drops a sent line never written (its request never left)', async () => {
    const file = path.join(dir, 'r.csv.journal');
    const j = Journal.start(file, header);
    await j.sent(2, 0);
    j.done(2, 'updated', 5);
    const never = j.sent(3, 0);
    j.close();
    await expect(never).rejects.toThrow(/closed before the row was sent/);
    const state = readJournal(file);
    expect(state?.done.get(2)).toEqual({ status: 'updated', id: 5 });
    expect(state?.uncertain.has(3)).toBe(false);
  });

  it('a failed write fails its requests and every later one (no row is sent without its line)', async () => {
    const file = path.join(dir, 'r.csv.journal');
    const j = Journal.start(file, header);
    // The disk going away under the run: the journal's descriptor stops working.
    fs.closeSync((j as unknown as { fd: number }).fd);
    await expect(j.sent(2, 0)).rejects.toThrow(/cannot write the journal/);
    await expect(j.sent(3, 0)).rejects.toThrow(/cannot write the journal/);
    (j as unknown as { fd: number | undefined }).fd = undefined;
    j.close();
  });

  it('a restarted journal keeps the carried-over state and replaces the old file atomically', async () => {
    const file = path.join(dir, 'r.csv.journal');
    const j = Journal.start(file, header, {
      done: new Map([[7, { status: 'updated' as const, id: 70 }]]),
      uncertain: new Map([[8, 'in-flight' as const]]),
    });
    await j.sent(9, 0);
    j.close();
    const state = readJournal(file);
    expect(state?.done.get(7)).toEqual({ status: 'updated', id: 70 });
    expect(state?.uncertain.get(8)).toBe('in-flight');
    expect(state?.uncertain.get(9)).toBe('in-flight');
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
  });

  it('ignores a torn last line left by kill -9 but refuses damage in the middle', () => {
    const file = path.join(dir, 'r.csv.journal');
    fs.writeFileSync(file, `${JSON.stringify(header)}\n{"s":2}\n{"d":2,"st":"created","id":5}\n{"s":3`);
    expect(readJournal(file)?.done.get(2)).toEqual({ status: 'created', id: 5 });
    fs.writeFileSync(file, `${JSON.stringify(header)}\n{"s":2\n{"s":3}\n{"s":4}\n`);
    expect(() => readJournal(file)).toThrow(/damaged journal line/);
  });

  it('returns undefined when there is no journal and rejects a file that is not one', () => {
    expect(readJournal(path.join(dir, 'none.journal'))).toBeUndefined();
    const file = path.join(dir, 'bad.journal');
    fs.writeFileSync(file, 'hello\n');
    expect(() => readJournal(file)).toThrow(/not a coupa-csv journal/);
  });

  it('remove() deletes the journal', () => {
    const file = path.join(dir, 'r.csv.journal');
    const j = Journal.start(file, header);
    j.remove();
    expect(fs.existsSync(file)).toBe(false);
  });
});
