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

  it('records sends and outcomes; a send without an outcome is uncertain', () => {
    const file = path.join(dir, 'r.csv.journal');
    const j = Journal.start(file, header);
    j.sent(2, 0);
    j.done(2, 'created', 10);
    j.sent(3, 0);
    j.sent(4, 0);
    j.refused(4);
    j.sent(5, 0);
    j.unknown(5);
    j.sent(6, 0);
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

  it('a restarted journal keeps the carried-over state and replaces the old file atomically', () => {
    const file = path.join(dir, 'r.csv.journal');
    const j = Journal.start(file, header, {
      done: new Map([[7, { status: 'updated' as const, id: 70 }]]),
      uncertain: new Map([[8, 'in-flight' as const]]),
    });
    j.sent(9, 0);
    j.close();
    const state = readJournal(file);
    expect(state?.done.get(7)).toEqual({ status: 'updated', id: 70 });
    expect(state?.uncertain.get(8)).toBe('in-flight');
    expect(state?.uncertain.get(9)).toBe('in-flight');
    expect(fs.existsSync(`${file}.tmp`)).toBe(false);
  });

  it('knows since when each uncertain row may have been sent: its run start, carried over by a restarted journal', () => {
    const file = path.join(dir, 'r.csv.journal');
    const first = Journal.start(file, { ...header, t: 1000 });
    first.sent(2, 0);
    first.sent(3, 0);
    first.unknown(3);
    first.close();
    const killed = readJournal(file);
    expect([...(killed?.sentSince ?? [])]).toEqual([
      [2, 1000],
      [3, 1000],
    ]);
    // The resumed run (started at 5000) carries rows 2 and 3 with the first run's start, and a row without one as 0.
    const carried = {
      done: new Map(),
      uncertain: new Map([...(killed?.uncertain ?? []), [4, 'in-flight' as const]]),
    };
    const second = Journal.start(
      file,
      { ...header, t: 5000 },
      { ...carried, sentSince: killed?.sentSince ?? new Map<number, number>() },
    );
    second.sent(5, 0);
    second.close();
    expect([...(readJournal(file)?.sentSince ?? [])].sort((a, b) => a[0] - b[0])).toEqual([
      [2, 1000],
      [3, 1000],
      [4, 0],
      [5, 5000],
    ]);
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
