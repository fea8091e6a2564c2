import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsFromEnv } from '../../src/coupa/index.js';
import { runImport, type ImportOptions } from '../../src/import/index.js';
import { holdsAppliedRows, unfinishedRun } from '../../src/import/resume.js';
import type { Simulator } from '../../src/sim/index.js';
import { runCli } from '../helpers/cli.js';
import { startTestSim } from '../helpers/sim.js';
import type { TempDir } from '../helpers/temp-dir.js';
import { useSimWorkspace } from '../helpers/workspace.js';
import {
  customFields,
  expectEveryRowOnce,
  makeTempDir,
  readResults,
  vendorCsv,
  VENDOR_MAPPING,
  VENDOR_MAPPING_NO_KEY,
} from './helpers.js';

/** Edge cases of --resume found in review: each one used to lose an id or create a record twice. */
describe('resume edge cases', () => {
  let sim: Simulator;
  let tmp: TempDir;
  let env: Record<string, string>;
  useSimWorkspace('resume-edge', { files: { 'm.yaml': VENDOR_MAPPING } }, (ws) => ({ sim, tmp, env } = ws));
  const clientOptions = (): { instance: string; credentials: ReturnType<typeof credentialsFromEnv> } => ({
    instance: sim.url,
    credentials: credentialsFromEnv({ COUPA_CLIENT_ID: sim.clientId, COUPA_CLIENT_SECRET: sim.clientSecret }),
  });
  /** Import options for `<name>.csv` in the temp folder, results beside it, the vendor mapping, the simulator. */
  const importOptions = (name = 'in'): ImportOptions & { results: string } => ({
    file: tmp.file(`${name}.csv`),
    mapping: tmp.file('m.yaml'),
    results: tmp.file(`${name}.results.csv`),
    clientOptions: clientOptions(),
    rate: 1000,
  });

  it('a resume stopped at its first row keeps every carried row and id; the next resume creates only the rest', async () => {
    // Every 5th row fails conversion in the first run.
    const bad = vendorCsv(20)
      .split('\n')
      .map((l, i) => (i > 0 && i % 5 === 0 ? l.replace(/,[0-9]+00\.50,/, ',lots,') : l))
      .join('\n');
    fs.writeFileSync(tmp.file('in.csv'), bad);
    const options = importOptions();
    const first = await runImport(options);
    expect(first).toMatchObject({ created: 16, failed: 4 });
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(20)); // fixed
    const controller = new AbortController();
    const stopped = await runImport(
      { ...options, resume: true, signal: controller.signal },
      { onProgress: () => controller.abort() }, // stops at the first row: the rest are read after the stop
    );
    expect(stopped.interrupted).toBe(true);
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows.filter((r) => r._status === 'created' && r._id !== '')).toHaveLength(16);
    expect(rows.filter((r) => r._status === 'failed')).toHaveLength(4);
    const last = await runImport({ ...options, resume: true });
    expect(last).toMatchObject({ skipped: 16, created: 4, failed: 0 });
    expectEveryRowOnce(sim.records(101), tmp.file('in.results.csv'), 20);
  });

  it('refuses --resume with --limit (rows past the limit would drop out of the results file)', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(5));
    const res = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--resume', '--limit', '2'],
      {
        env,
      },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--limit cannot be combined with --resume');
  });

  it('refuses to resume when a row that was applied moved or changed (edited input), naming the line', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(5));
    const args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')];
    expect((await runCli(args, { env })).code).toBe(0);
    const lines = vendorCsv(5).split('\n');
    lines.splice(1, 0, 'V-NEW,Inserted,1.50,2026-03-01,new');
    fs.writeFileSync(tmp.file('in.csv'), lines.join('\n'));
    const before = sim.stats().requests;
    const res = await runCli([...args, '--resume'], { env });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('in.csv:2');
    expect(res.stderr).toContain('differs from the one the previous run applied');
    expect(res.stderr).not.toContain('resuming from'); // the refusal alone, not "carried over" first
    expect(sim.stats().requests).toBe(before);
    expect(sim.records(101)).toHaveLength(5);
  });

  it('resumes an input whose header starts with a formula character (escaped in the results file)', async () => {
    fs.writeFileSync(
      tmp.file('in.csv'),
      vendorCsv(4)
        .replace('Code,Name,Limit,Since,Notes', 'Code,Name,Limit,Since,Notes,-Ref')
        .replace(/\n(V-\d+[^\n]*)/g, '\n$1,x'),
    );
    const args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')];
    expect((await runCli(args, { env })).code).toBe(0);
    const res = await runCli([...args, '--resume', '--json'], { env });
    expect(res.stderr).toMatch(/resuming from the results file/);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ skipped: 4, created: 0 });
  });

  it('update mode sends rows for the same id in input order, so the last row wins even under faults', async () => {
    await sim.close();
    sim = await startTestSim({ faults: { error5xx: 0.3, seed: 5 } });
    const created = sim.insert(101, { 'vendor-code': 'V-1', 'vendor-name': 'first' });
    fs.writeFileSync(tmp.file('nk.yaml'), VENDOR_MAPPING_NO_KEY);
    const lines = ['Coupa ID,Code,Name'];
    for (let i = 0; i < 30; i++) lines.push(`${String(created.id)},V-1,Name ${i}`);
    fs.writeFileSync(tmp.file('upd.csv'), lines.join('\n') + '\n');
    fs.writeFileSync(
      tmp.file('upd.yaml'),
      'object: 101\nid: Coupa ID\nfields:\n  Code: vendor-code\n  Name: vendor-name\n',
    );
    const summary = await runImport({
      file: tmp.file('upd.csv'),
      mapping: tmp.file('upd.yaml'),
      mode: 'update',
      concurrency: 8,
      rate: 1000,
      clientOptions: { ...clientOptions(), backoffBaseMs: 5 },
    });
    expect(summary).toMatchObject({ updated: 30, failed: 0 });
    expect(customFields(sim.records(101))[0]?.['vendor-name']).toBe('Name 29');
  });

  it('--resume after rows of one record failed still ends with the last row of the file (update and upsert)', async () => {
    const created = sim.insert(101, { 'vendor-code': 'V-1', 'vendor-name': 'first' });
    const lines = ['Coupa ID,Code,Name'];
    for (let i = 0; i < 12; i++) lines.push(`${String(created.id)},V-1,Name ${i}`);
    fs.writeFileSync(tmp.file('same.csv'), lines.join('\n') + '\n');
    fs.writeFileSync(
      tmp.file('same.yaml'),
      'object: 101\nid: Coupa ID\nkey: vendor-code\nfields:\n  Code: vendor-code\n  Name: vendor-name\n',
    );
    for (const mode of ['update', 'upsert'] as const) {
      const options: ImportOptions = {
        file: tmp.file('same.csv'),
        mapping: tmp.file('same.yaml'),
        results: tmp.file(`same-${mode}.results.csv`),
        mode,
        concurrency: 4,
        rate: 1000,
        clientOptions: { ...clientOptions(), maxRetries: 1, backoffBaseMs: 5 },
      };
      sim.setFaults({ error5xx: 0.6, seed: 2 });
      const first = await runImport(options);
      const statuses = readResults(tmp.file(`same-${mode}.results.csv`)).map((r) => r._status);
      // Some earlier row failed and the last one was applied: the case where a resume used to let an earlier row win.
      expect(statuses.slice(0, -1)).toContain('failed');
      expect(statuses.at(-1)).toBe('updated');
      expect(first.failed).toBeGreaterThan(0);
      sim.setFaults({ error5xx: 0 });
      const resumed = await runImport({ ...options, resume: true });
      expect(resumed.failed).toBe(0);
      expect(customFields(sim.records(101))).toHaveLength(1);
      expect(customFields(sim.records(101))[0]?.['vendor-name']).toBe('Name 11');
    }
  });

  it('refuses a reference field as the key (records are looked up by its value)', async () => {
    fs.writeFileSync(tmp.file('in.csv'), 'Code,Owner\nV-1,jdoe\n');
    fs.writeFileSync(
      tmp.file('ref.yaml'),
      'object: 101\nkey: owner\nfields:\n  Code: vendor-code\n  Owner: { field: owner, type: user, by: login }\n',
    );
    const res = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('ref.yaml'), '--mode', 'upsert'],
      { env },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('the key must be a plain field');
  });

  it('a create whose answer is lost while the lookup by key fails too is outcome unknown; --resume finds it instead of creating it again', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(2));
    const options = { ...importOptions(), concurrency: 1 };
    // The first create is stored but its answer lost; from then on the instance answers 503 (the lookup too).
    sim.setFaults({ dropAfterStore: 1 });
    const first = await runImport({
      ...options,
      clientOptions: {
        ...clientOptions(),
        backoffBaseMs: 1,
        onEvent: (event) => {
          if (event.type === 'request' && event.method === 'POST' && event.status === 0)
            sim.setFaults({ dropAfterStore: 0, error5xx: 1 });
        },
      },
    });
    expect(first).toMatchObject({ created: 0, failed: 2, unknown: 2 });
    expect(customFields(sim.records(101)).map((f) => f['vendor-code'])).toEqual(['V-1']);
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows.map((r) => r._error?.startsWith('outcome unknown'))).toEqual([true, true]);

    sim.setFaults({ error5xx: 0 });
    const resumed = await runImport({ ...options, resume: true, clientOptions: clientOptions() });
    expect(resumed).toMatchObject({ created: 2, failed: 0 });
    expectEveryRowOnce(sim.records(101), tmp.file('in.results.csv'), 2);
  });

  it('an input that is itself a results file (its own _line, _status, _id and _error columns) can be stopped and resumed', async () => {
    const input = vendorCsv(6)
      .trim()
      .split('\n')
      .map((l, i) => (i === 0 ? `_line,_status,_id,_error,${l}` : `${i + 1},failed,,fixed by hand,${l}`));
    fs.writeFileSync(tmp.file('again.csv'), `${input.join('\n')}\n`);
    const options = { ...importOptions('again'), concurrency: 1 };
    const controller = new AbortController();
    const stopped = await runImport(
      { ...options, signal: controller.signal },
      { onProgress: () => controller.abort() },
    );
    expect(stopped.interrupted).toBe(true);
    expect(stopped.created).toBeGreaterThan(0);
    const resumed = await runImport({ ...options, resume: true });
    expect(resumed).toMatchObject({ skipped: stopped.created, created: 6 - stopped.created, failed: 0 });
    const rows: string[][] = parse(fs.readFileSync(tmp.file('again.results.csv'), 'utf8'), { bom: true });
    expect(rows[0]?.slice(0, 10)).toEqual([
      '_line',
      '_status',
      '_id',
      '_error',
      '_code',
      '_line',
      '_status',
      '_id',
      '_error',
      'Code',
    ]);
    expect(rows.slice(1).map((r) => `${r[0]} ${r[1]} ${r[5]}`)).toEqual(
      [2, 3, 4, 5, 6, 7].map((line) => `${line} created ${line}`),
    );
    expect(new Set(customFields(sim.records(101)).map((f) => f['vendor-code'])).size).toBe(6);
    expect(sim.records(101)).toHaveLength(6);
  });

  it("a resume with nothing left to send carries every row and reports 0 rows/s (carried rows are not this run's work)", async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(3));
    const options = importOptions();
    expect(await runImport(options)).toMatchObject({ created: 3 });
    const again = await runImport({ ...options, resume: true });
    expect(again).toMatchObject({ rows: 3, skipped: 3, created: 0, rowsPerSecond: 0 });
  });
});

describe('holdsAppliedRows / unfinishedRun: may a run replace this results file?', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('applied');
  });
  afterEach(() => tmp.cleanup());

  const resultsWith = (...rows: string[]): string => {
    const file = tmp.file(`r${rows.length}-${rows.join('').length}.csv`);
    fs.writeFileSync(file, ['_line,_status,_id,_error,Code', ...rows].join('\n') + '\n');
    return file;
  };

  it('answers true for a created, updated, stored-with-an-error or outcome-unknown row anywhere', async () => {
    expect(await holdsAppliedRows(resultsWith('2,failed,,bad date,A', '3,created,7,,B'))).toBe(true);
    expect(await holdsAppliedRows(resultsWith('2,updated,7,,A'))).toBe(true);
    expect(await holdsAppliedRows(resultsWith('2,failed,7,field dropped,A'))).toBe(true);
    expect(await holdsAppliedRows(resultsWith('2,failed,,outcome unknown: no answer,A'))).toBe(true);
  });

  it("answers false for a dry run's file, and stops at its first row (only dry runs write valid/invalid)", async () => {
    expect(await holdsAppliedRows(resultsWith('2,valid,,,A', '3,invalid,,bad date,B'))).toBe(false);
    expect(await holdsAppliedRows(resultsWith('2,failed,,bad date,A'))).toBe(false);
    // A created row after a dry run's first row cannot come from one run; the first row decides.
    expect(await holdsAppliedRows(resultsWith('2,invalid,,bad date,A', '3,created,7,,B'))).toBe(false);
    expect(await holdsAppliedRows(tmp.file('missing.csv'))).toBe(false);
  });

  it('unfinishedRun: rows applied and rows not sent (a stopped run); undefined for a finished run or a dry run', async () => {
    const stopped = resultsWith(
      '2,created,7,,A',
      '3,failed,,outcome unknown: no answer,B',
      '4,failed,,bad date,C',
      '5,failed,,not sent: run interrupted; finish with --resume,D',
    );
    expect(await unfinishedRun(stopped)).toEqual({ applied: 2, notSent: 1 });
    // A quoted _error (a stop message with a comma), a file re-saved with a BOM and CRLF line ends.
    const resaved = tmp.file('resaved.csv');
    fs.writeFileSync(
      resaved,
      '\uFEFF_line,_status,_id,_error,Code\r\n2,created,7,,A\r\n3,failed,,"not sent: 401, token refused",B\r\n',
    );
    expect(await unfinishedRun(resaved)).toEqual({ applied: 1, notSent: 1 });
    expect(await unfinishedRun(resultsWith('2,created,7,,A', '3,failed,,bad date,B'))).toBeUndefined();
    expect(await unfinishedRun(resultsWith('2,failed,,not sent: run interrupted,A'))).toBeUndefined();
    expect(await unfinishedRun(resultsWith('2,valid,,,A'))).toBeUndefined();
    expect(await unfinishedRun(tmp.file('missing.csv'))).toBeUndefined();
  });
  it('a results file with _code is read by its _code, whatever _error says (quoted, with commas, CRLF)', async () => {
    const file = tmp.file('coded.csv');
    fs.writeFileSync(
      file,
      [
        '\uFEFF_line,_status,_id,_error,_code,Code',
        '2,created,7,,,A',
        '3,failed,,"outcome unknown, reworded ""quoted""",rejected,B',
        '4,failed,,"stopped, for a reason",not-sent,C',
        '5,failed,,anything,outcome-unknown,D',
      ].join('\r\n') + '\r\n',
    );
    expect(await unfinishedRun(file)).toEqual({ applied: 2, notSent: 1 });
    const onlyUnknown = tmp.file('unknown.csv');
    fs.writeFileSync(onlyUnknown, '_line,_status,_id,_error,_code,Code\n2,failed,,x,outcome-unknown,A\n');
    expect(await holdsAppliedRows(onlyUnknown)).toBe(true);
    const rejected = tmp.file('rejected.csv');
    fs.writeFileSync(rejected, '_line,_status,_id,_error,_code,Code\n2,failed,,outcome unknown,rejected,A\n');
    expect(await holdsAppliedRows(rejected)).toBe(false);
  });
});
