import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/shared/errors.js';
import {
  IncrementalTracker,
  readState,
  shiftDateTime,
  writeState,
  type ExportState,
} from '../../src/export/state.js';
import { chooseColumns, flattenValue, recordToPlainCells } from '../../src/export/columns.js';
import { makeRecord } from './fake-client.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coupa-csv-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('shiftDateTime', () => {
  it('keeps the offset and whole seconds', () => {
    expect(shiftDateTime('2026-05-01T10:15:30-07:00', -5 * 60_000)).toBe('2026-05-01T10:10:30-07:00');
    expect(shiftDateTime('2026-05-01T00:02:00+05:30', -5 * 60_000)).toBe('2026-04-30T23:57:00+05:30');
    expect(shiftDateTime('2026-05-01T10:15:30.900Z', 0)).toBe('2026-05-01T10:15:30Z');
    expect(shiftDateTime('2026-05-01T00:00:10+00:00', -20_000)).toBe('2026-04-30T23:59:50+00:00');
  });

  it('reads the instant as Date.parse does (like the rest of the tracker): bare dates, no offset, other forms', () => {
    expect(shiftDateTime('2026-05-01', -5 * 60_000)).toBe('2026-04-30T23:55:00Z');
    const local = '2026-03-08T10:00:00'; // no offset: Date.parse reads it in this machine's zone
    expect(shiftDateTime(local, 60_000)).toBe(
      `${new Date(Date.parse(local) + 60_000).toISOString().slice(0, 19)}Z`,
    );
    expect(shiftDateTime('Fri, 01 May 2026 10:15:30 GMT', 0)).toBe('2026-05-01T10:15:30Z');
    expect(() => shiftDateTime('yesterday', 0)).toThrow(RangeError);
  });
});

describe('state file', () => {
  it('is absent on a first run and round-trips', async () => {
    const path = join(dir, 'state.json');
    expect(await readState(path)).toBeUndefined();
    const state: ExportState = {
      version: 1,
      object: 101,
      watermark: '2026-05-01T10:15:30-07:00',
      overlapMs: 300_000,
      exportedAt: '2026-05-01T17:20:00.000Z',
      records: 3,
      filters: ['active=true'],
      recent: { '7': '2026-05-01T10:15:30-07:00' },
    };
    await writeState(path, state);
    expect(await readState(path)).toEqual(state);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it.each([
    ['not json', /not JSON/],
    ['[]', /expected a JSON object/],
    ['{"version":2,"object":1,"watermark":null}', /unknown version/],
    ['{"version":1,"object":1,"watermark":"yesterday"}', /"watermark" is not a datetime/],
  ])('refuses %s (exit 2)', async (text, message) => {
    const path = join(dir, 'state.json');
    await writeFile(path, text);
    const error = await readState(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('STATE');
    expect((error as InputError).message).toMatch(message);
  });
});

describe('IncrementalTracker', () => {
  const start = new Date('2026-05-01T18:00:00Z'); // 11:00 at -07:00

  it('exports everything on a first run and sets the watermark to the newest updated-at', () => {
    const t = new IncrementalTracker(undefined, 300_000, start);
    expect(t.since()).toBeUndefined();
    expect(t.observe(1, '2026-05-01T10:00:00-07:00')).toBe(false);
    expect(t.observe(2, '2026-05-01T10:58:00-07:00')).toBe(false);
    expect(t.observe(3, '2026-05-01T09:00:00-07:00')).toBe(false);
    const next = t.nextState(101, 3, [], 0);
    expect(next.watermark).toBe('2026-05-01T10:58:00-07:00');
    // Only records inside the overlap window before the watermark are remembered.
    expect(next.recent).toEqual({ '2': '2026-05-01T10:58:00-07:00' });
  });

  it('caps the watermark at the start of the run (records changed during the run are asked again)', () => {
    const t = new IncrementalTracker(undefined, 300_000, start);
    t.observe(1, '2026-05-01T10:56:00-07:00');
    t.observe(2, '2026-05-01T11:03:00-07:00'); // changed after the run started
    t.observe(3, '2026-05-01T10:50:00-07:00'); // before the overlap window
    const next = t.nextState(101, 2, [], 0);
    expect(next.watermark).toBe('2026-05-01T11:00:00-07:00');
    // Record 2 changed after the start: it could change again in the same second unnoticed, so it is not
    // remembered as exported and the next run writes it again.
    expect(Object.keys(next.recent)).toEqual(['1']);
  });

  it("remembers a record only when its updated-at second had ended on the instance's clock before its page was asked for", () => {
    const at = (hms: string): number => Date.parse(`2026-05-01T${hms}-07:00`);
    const remembered = (offset: number | undefined): string[] => {
      const t = new IncrementalTracker(undefined, 300_000, start);
      t.observe(1, '2026-05-01T10:59:59-07:00', at('11:00:00')); // its second ended as the page was asked for
      t.observe(2, '2026-05-01T11:00:00-07:00', at('11:00:00.500')); // the same second: it may change again in it
      t.observe(3, '2026-05-01T11:03:00-07:00', at('11:04:00')); // changed during the run, read a minute later
      t.observe(4, '2026-05-01T10:58:00-07:00', at('11:00:01'));
      return Object.keys(t.nextState(101, 4, [], offset).recent);
    };
    expect(remembered(0)).toEqual(['1', '3', '4']);
    // The instance's clock 3 s behind this machine's: record 1's second (10:59:59 there) had not ended yet.
    expect(remembered(-3000)).toEqual(['3', '4']);
    // Its clock unknown: the instance may be up to the overlap behind, so only older records are remembered.
    expect(remembered(undefined)).toEqual([]);
  });

  it('asks from watermark minus overlap and drops unchanged repeats only', () => {
    const previous: ExportState = {
      version: 1,
      object: 101,
      watermark: '2026-05-01T10:58:00-07:00',
      overlapMs: 300_000,
      exportedAt: '',
      records: 2,
      filters: [],
      recent: { '2': '2026-05-01T10:58:00-07:00', '4': '2026-05-01T10:55:00-07:00' },
    };
    const t = new IncrementalTracker(previous, 300_000, new Date('2026-05-02T18:00:00Z'));
    expect(t.since()).toBe('2026-05-01T10:53:00-07:00');
    expect(t.observe(2, '2026-05-01T17:58:00Z')).toBe(true); // same instant, other notation
    expect(t.observe(4, '2026-05-01T10:59:00-07:00')).toBe(false); // changed
    expect(t.observe(5, '2026-05-01T10:54:00-07:00')).toBe(false); // new to us
    const next = t.nextState(101, 2, []);
    expect(next.watermark).toBe('2026-05-01T10:59:00-07:00');
  });

  it('never moves the watermark back', () => {
    const previous: ExportState = {
      version: 1,
      object: 101,
      watermark: '2026-05-01T10:58:00-07:00',
      overlapMs: 300_000,
      exportedAt: '',
      records: 0,
      filters: [],
      recent: {},
    };
    const t = new IncrementalTracker(previous, 300_000, start);
    t.observe(9, '2026-05-01T10:56:00-07:00');
    expect(t.nextState(101, 1, []).watermark).toBe('2026-05-01T10:58:00-07:00');
    expect(new IncrementalTracker(previous, 300_000, start).nextState(101, 0, []).watermark).toBe(
      '2026-05-01T10:58:00-07:00',
    );
  });
});

describe('unmapped columns', () => {
  it('are id, created-at, updated-at, then the custom fields in record order', () => {
    const a = makeRecord(1);
    a['custom-fields'] = {
      'vendor-code': 'V-1',
      owner: { id: 11, login: 'jdoe', email: 'jdoe@example.com' },
    };
    const b = makeRecord(2);
    b['custom-fields'] = { 'vendor-code': 'V-2', extra: 1 };
    const columns = chooseColumns([a, b]);
    expect(columns).toEqual(['id', 'created-at', 'updated-at', 'vendor-code', 'owner', 'extra']);
    expect(recordToPlainCells(a, columns)).toEqual([
      '1',
      '2026-05-01T10:00:00-07:00',
      '2026-05-01T10:00:00-07:00',
      'V-1',
      'jdoe',
      '',
    ]);
  });

  it('flattens references readably', () => {
    expect(flattenValue({ id: 31, active: true, name: 'Marketing', 'external-ref-code': 'CC-100' })).toBe(
      'Marketing',
    );
    expect(flattenValue({ id: 21, name: 'Acme Industrial Supply', number: 'S-1001' })).toBe(
      'Acme Industrial Supply',
    );
    expect(flattenValue({ id: 5 })).toBe('5');
    expect(flattenValue(null)).toBe('');
    expect(flattenValue(false)).toBe('false');
    expect(flattenValue('12.50')).toBe('12.50');
    expect(flattenValue({ weird: 1 })).toBe('{"weird":1}');
  });
});
