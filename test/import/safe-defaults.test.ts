import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import {
  customFields,
  expectEveryRowOnce,
  makeTempDir,
  readResults,
  vendorCsv,
  VENDOR_MAPPING,
  VENDOR_MAPPING_NO_KEY,
} from './helpers.js';

/** Issue #16 through the built CLI: no silent date shift, no accidental duplicates, stop early. */

/** The vendor mapping with no time zone anywhere. */
const NO_ZONE = VENDOR_MAPPING.replace('timezone: America/Los_Angeles\n', '');
/** A January instant: the simulator's America/Los_Angeles is at -08:00 then, whatever day the tests run. */
const JANUARY = Date.parse('2026-01-15T18:00:00Z');

let sim: Simulator | undefined;
let tmp: ReturnType<typeof makeTempDir> | undefined;
afterEach(async () => {
  await sim?.close();
  tmp?.cleanup();
  sim = undefined;
  tmp = undefined;
});

async function setUp(options: Parameters<typeof startTestSim>[0] = {}): Promise<{
  sim: Simulator;
  file: (name: string) => string;
  env: Record<string, string>;
}> {
  sim = await startTestSim(options);
  tmp = makeTempDir('safe');
  return { sim, file: tmp.file, env: simEnv(sim) };
}

/** POSTs to /api (token requests are POSTs too). */
function posts(s: Simulator): number {
  return (s.stats().byMethod.POST ?? 0) - s.stats().tokensIssued;
}

function dateOf(s: Simulator, code: string): unknown {
  return customFields(s.records(101)).find((f) => f['vendor-code'] === code)?.['onboarding-date'];
}

describe('no silent date shift', () => {
  it('an object with records, no zone set, an instance at -08:00: refused before anything is sent (exit 2), naming the offset and the zones', async () => {
    const { sim, file, env } = await setUp({ now: () => JANUARY });
    sim.insert(101, { 'vendor-code': 'OLD-1', 'vendor-name': 'Older' });
    fs.writeFileSync(file('m.yaml'), NO_ZONE);
    fs.writeFileSync(file('in.csv'), vendorCsv(5));
    const res = await runCli(['import', file('in.csv'), '--mapping', file('m.yaml')], { env });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('no time zone is set');
    expect(res.stderr).toContain('the instance reports UTC offset -08:00');
    expect(res.stderr).toContain('--timezone, COUPA_TIMEZONE or "timezone:" in the mapping');
    expect(res.stderr).toContain('America/Los_Angeles, America/Vancouver, America/Tijuana');
    expect(res.stderr).toContain('Nothing was sent');
    expect(posts(sim)).toBe(0);
    expect(sim.records(101)).toHaveLength(1);
    expect(fs.existsSync(file('in.results.csv'))).toBe(false);
  });

  it('an empty object, no zone set: the first row is stored alone, named in the results file, the rest not sent; --timezone with --mode upsert --resume corrects it', async () => {
    const { sim, file, env } = await setUp({ now: () => JANUARY });
    fs.writeFileSync(file('m.yaml'), NO_ZONE);
    fs.writeFileSync(file('in.csv'), vendorCsv(20));
    const res = await runCli(['import', file('in.csv'), '--mapping', file('m.yaml')], { env });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('the instance reports UTC offset -08:00');
    expect(res.stderr).toContain('America/Los_Angeles');
    expect(res.stderr).toContain('--mode upsert --resume');
    expect(res.stderr).toMatch(/--resume --timezone America\/Los_Angeles/);
    // One record, sent alone: nothing else stored shifted.
    expect(posts(sim)).toBe(1);
    expect(sim.records(101)).toHaveLength(1);
    expect(dateOf(sim, 'V-1')).toBe('2026-02-28T16:00:00-08:00'); // midnight UTC: the day before
    const rows = readResults(file('in.results.csv'));
    expect(rows).toHaveLength(20);
    expect(rows[0]).toMatchObject({
      _status: 'created',
      _id: String(sim.records(101)[0]?.id),
      _code: 'date-shifted',
    });
    expect(rows[0]?._error).toContain('dates shifted');
    expect(rows.slice(1).every((r) => r._status === 'failed' && r._code === 'not-sent')).toBe(true);

    const again = await runCli(
      [
        'import',
        file('in.csv'),
        '--mapping',
        file('m.yaml'),
        '--timezone',
        'America/Los_Angeles',
        '--mode',
        'upsert',
        '--resume',
      ],
      { env },
    );
    expect(again.stderr).toContain('sent again to their record');
    expect(again.code).toBe(0);
    expectEveryRowOnce(sim.records(101), file('in.results.csv'), 20);
    // Every date is now midnight in the instance's zone, the first record's too.
    for (const f of customFields(sim.records(101)))
      expect(f['onboarding-date']).toBe('2026-03-01T00:00:00-08:00');
  });

  it('without a key, --resume with the zone set corrects the stored record by its id', async () => {
    const { sim, file, env } = await setUp({ now: () => JANUARY });
    fs.writeFileSync(file('m.yaml'), NO_ZONE.replace('key: vendor-code\n', ''));
    fs.writeFileSync(file('in.csv'), vendorCsv(4));
    expect((await runCli(['import', file('in.csv'), '--mapping', file('m.yaml')], { env })).code).toBe(2);
    expect(sim.records(101)).toHaveLength(1);
    const res = await runCli(['import', file('in.csv'), '--mapping', file('m.yaml'), '--resume'], {
      env: { ...env, COUPA_TIMEZONE: 'America/Los_Angeles' },
    });
    expect(res.code).toBe(0);
    expectEveryRowOnce(sim.records(101), file('in.results.csv'), 4);
    for (const f of customFields(sim.records(101)))
      expect(f['onboarding-date']).toBe('2026-03-01T00:00:00-08:00');
  });

  it('a zone that contradicts the instance is refused before any write (object with records)', async () => {
    const { sim, file, env } = await setUp({ now: () => JANUARY });
    sim.insert(101, { 'vendor-code': 'OLD-1', 'vendor-name': 'Older' });
    fs.writeFileSync(file('m.yaml'), VENDOR_MAPPING.replace('America/Los_Angeles', 'Europe/Berlin'));
    fs.writeFileSync(file('in.csv'), vendorCsv(3));
    const res = await runCli(['import', file('in.csv'), '--mapping', file('m.yaml')], { env });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('the time zone Europe/Berlin ("timezone:" in m.yaml) has UTC offset +01:00');
    expect(res.stderr).toContain('the instance reports -08:00');
    expect(posts(sim)).toBe(0);
  });

  it('a contradicting zone on an empty object stops after the first record', async () => {
    const { sim, file, env } = await setUp({ now: () => JANUARY });
    fs.writeFileSync(file('m.yaml'), VENDOR_MAPPING);
    fs.writeFileSync(file('in.csv'), vendorCsv(6));
    const res = await runCli(
      ['import', file('in.csv'), '--mapping', file('m.yaml'), '--timezone', 'Asia/Tokyo'],
      { env },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(
      'the time zone Asia/Tokyo (--timezone or COUPA_TIMEZONE) has UTC offset +09:00',
    );
    expect(sim.records(101)).toHaveLength(1);
  });

  it('the right zone passes, on an object with records and on an empty one', async () => {
    const { sim, file, env } = await setUp({ now: () => JANUARY });
    fs.writeFileSync(file('m.yaml'), NO_ZONE);
    fs.writeFileSync(file('in.csv'), vendorCsv(12));
    const empty = await runCli(
      ['import', file('in.csv'), '--mapping', file('m.yaml'), '--timezone', 'America/Los_Angeles'],
      { env },
    );
    expect(empty.code).toBe(0);
    fs.writeFileSync(file('more.csv'), vendorCsv(5, 'W'));
    const withRecords = await runCli(['import', file('more.csv'), '--mapping', file('m.yaml')], {
      env: { ...env, COUPA_TIMEZONE: 'America/Los_Angeles' },
    });
    expect(withRecords.code).toBe(0);
    expect(sim.records(101)).toHaveLength(17);
    for (const f of customFields(sim.records(101)))
      expect(f['onboarding-date']).toBe('2026-03-01T00:00:00-08:00');
  });

  it('an instance at UTC takes dates with no zone set', async () => {
    const { sim, file, env } = await setUp({ timezone: 'UTC' });
    fs.writeFileSync(file('m.yaml'), NO_ZONE);
    fs.writeFileSync(file('in.csv'), vendorCsv(12));
    const res = await runCli(['import', file('in.csv'), '--mapping', file('m.yaml')], { env });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('created:   12');
    for (const f of customFields(sim.records(101)))
      expect(f['onboarding-date']).toBe('2026-03-01T00:00:00+00:00');
  });

  it('a mapping without dates is not checked', async () => {
    const { sim, file, env } = await setUp({ now: () => JANUARY });
    fs.writeFileSync(file('m.yaml'), NO_ZONE.replace(/ {2}Since: .*\n/, ''));
    fs.writeFileSync(file('in.csv'), vendorCsv(5));
    const res = await runCli(['import', file('in.csv'), '--mapping', file('m.yaml')], { env });
    expect(res.code).toBe(0);
    expect(sim.records(101)).toHaveLength(5);
  });
});

describe('no accidental duplicates', () => {
  it('a finished create run is refused a second time (exit 2: how many, when, --mode upsert); --again or another --results runs it', async () => {
    const { sim, file, env } = await setUp();
    // Without a key: nothing else stops a second create run from duplicating every record.
    fs.writeFileSync(file('m.yaml'), VENDOR_MAPPING_NO_KEY);
    fs.writeFileSync(file('in.csv'), vendorCsv(4));
    const args = ['import', file('in.csv'), '--mapping', file('m.yaml')];
    expect((await runCli(args, { env })).code).toBe(0);
    const before = fs.readFileSync(file('in.results.csv'), 'utf8');

    const second = await runCli(args, { env });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('records a finished create run (last written ');
    expect(second.stderr).toContain('that created 4 rows');
    expect(second.stderr).toContain('--mode upsert');
    expect(second.stderr).toContain('--again');
    expect(sim.records(101)).toHaveLength(4);
    expect(fs.readFileSync(file('in.results.csv'), 'utf8')).toBe(before);

    const other = await runCli([...args, '--results', file('other.csv')], { env });
    expect(other.code).toBe(0);
    expect(sim.records(101)).toHaveLength(8);

    const forced = await runCli([...args, '--again'], { env });
    expect(forced.code).toBe(0);
    expect(sim.records(101)).toHaveLength(12);
    const rows = readResults(file('in.results.csv'));
    expect(rows.map((r) => r._status)).toEqual(['created', 'created', 'created', 'created']);
    expect(rows.map((r) => r._id)).not.toEqual(readResults(file('other.csv')).map((r) => r._id));
  });

  it('with a key, --again creates nothing twice: every row whose key is in Coupa fails exists, naming the id', async () => {
    const { sim, file, env } = await setUp();
    fs.writeFileSync(file('m.yaml'), VENDOR_MAPPING);
    fs.writeFileSync(file('in.csv'), vendorCsv(4));
    const args = ['import', file('in.csv'), '--mapping', file('m.yaml')];
    expect((await runCli(args, { env })).code).toBe(0);
    expect((await runCli(args, { env })).code).toBe(2);
    const forced = await runCli([...args, '--again'], { env });
    expect(forced.code).toBe(1);
    expect(sim.records(101)).toHaveLength(4);
    const rows = readResults(file('in.results.csv'));
    expect(rows.map((r) => r._code)).toEqual(['exists', 'exists', 'exists', 'exists']);
    expect(rows[0]?._error).toMatch(/\b1\b/);
  });

  it('upsert reruns and a run that created nothing are not refused', async () => {
    const { sim, file, env } = await setUp();
    fs.writeFileSync(file('m.yaml'), VENDOR_MAPPING);
    fs.writeFileSync(file('in.csv'), vendorCsv(3));
    const args = ['import', file('in.csv'), '--mapping', file('m.yaml')];
    expect((await runCli(args, { env })).code).toBe(0);
    expect((await runCli([...args, '--mode', 'upsert'], { env })).code).toBe(0);
    expect(sim.records(101)).toHaveLength(3);
    // Every row failed (blank required name): nothing to duplicate.
    fs.writeFileSync(file('bad.csv'), 'Code,Name,Limit,Since,Notes\nX-1,,1,2026-03-01,\n');
    const bad = ['import', file('bad.csv'), '--mapping', file('m.yaml')];
    expect((await runCli(bad, { env })).code).toBe(1);
    expect((await runCli(bad, { env })).code).toBe(1);
  });
});

describe('stop early', () => {
  it('a wrong field name leaving a required field blank: 10 requests, not one per row; --resume after fixing the mapping sends every row once', async () => {
    const { sim, file, env } = await setUp();
    fs.writeFileSync(file('bad.yaml'), VENDOR_MAPPING.replace('Name: vendor-name', 'Name: vendor_nmae'));
    fs.writeFileSync(file('in.csv'), vendorCsv(300));
    const res = await runCli(['import', file('in.csv'), '--mapping', file('bad.yaml'), '--json'], { env });
    expect(res.code).toBe(1);
    expect(posts(sim)).toBe(10);
    const summary = JSON.parse(res.stdout) as {
      failed: number;
      notSent: number;
      serverFailed: number;
      stopped: { code: string; message: string };
      topError: { message: string; rows: number };
    };
    expect(summary).toMatchObject({ failed: 300, notSent: 290, serverFailed: 10 });
    expect(summary.stopped.code).toBe('TOO_MANY_FAILURES');
    expect(summary.stopped.message).toContain('the first 10 rows sent all failed on the server');
    expect(summary.topError.rows).toBe(10);
    expect(summary.topError.message).toContain("can't be blank");
    expect(res.stderr).toContain(
      'after fixing the cause (the mapping, or the data: see the most common error above), finish the job with',
    );
    const rows = readResults(file('in.results.csv'));
    expect(rows.filter((r) => r._code === 'rejected')).toHaveLength(10);
    expect(rows.filter((r) => r._code === 'stopped')).toHaveLength(290);

    fs.writeFileSync(file('m.yaml'), VENDOR_MAPPING);
    // --rate 1000: the simulator has no limit, and 300 rows at the default 25/s would take 12 s.
    const fixed = await runCli(
      ['import', file('in.csv'), '--mapping', file('m.yaml'), '--resume', '--rate', '1000'],
      { env },
    );
    expect(fixed.code).toBe(0);
    expectEveryRowOnce(sim.records(101), file('in.results.csv'), 300);
  });

  it('--max-failures 3 on a file with scattered bad rows: stops at the third, the rest stopped; the summary names the most common error', async () => {
    const { sim, file, env } = await setUp();
    fs.writeFileSync(file('m.yaml'), VENDOR_MAPPING);
    const lines = vendorCsv(40).trimEnd().split('\n');
    for (const i of [5, 12, 20, 33]) lines[i] = `V-${i},,1,2026-03-01,`; // a blank required name
    fs.writeFileSync(file('in.csv'), lines.join('\n') + '\n');
    const res = await runCli(['import', file('in.csv'), '--mapping', file('m.yaml'), '--max-failures', '3'], {
      env,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('3 rows failed on the server (--max-failures 3)');
    expect(res.stderr).toMatch(
      /most common error \(3 of 3 failed on the server\): Coupa refused the row \(HTTP 400\): .*can't be blank/,
    );
    const rows = readResults(file('in.results.csv'));
    expect(rows.filter((r) => r._code === 'rejected').map((r) => r._line)).toEqual(['6', '13', '21']);
    expect(rows.filter((r) => r._status === 'created')).toHaveLength(17);
    expect(rows.slice(20).every((r) => r._code === 'stopped')).toBe(true);
    expect(sim.records(101)).toHaveLength(17);
    expect(posts(sim)).toBe(20);
  });

  it('rows that fail conversion are not counted: they are never sent', async () => {
    const { sim, file, env } = await setUp();
    fs.writeFileSync(file('m.yaml'), VENDOR_MAPPING);
    const lines = vendorCsv(30).trimEnd().split('\n');
    for (let i = 1; i <= 15; i++) lines[i] = `V-${i},Vendor ${i},lots,2026-03-01,`; // not a decimal
    fs.writeFileSync(file('in.csv'), lines.join('\n') + '\n');
    const res = await runCli(['import', file('in.csv'), '--mapping', file('m.yaml')], { env });
    expect(res.code).toBe(1);
    const rows = readResults(file('in.results.csv'));
    expect(rows.filter((r) => r._code === 'invalid-value')).toHaveLength(15);
    expect(rows.filter((r) => r._status === 'created')).toHaveLength(15);
    expect(sim.records(101)).toHaveLength(15);
  });
});
