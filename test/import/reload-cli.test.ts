import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator, SimulatorOptions } from '../../src/sim/index.js';
import { runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { customFields, makeTempDir, readHeader, readResults, vendorCsv, VENDOR_MAPPING } from './helpers.js';

/** Issue #17 through the built CLI against the simulator: batched lookups, unchanged rows, --plan, create with a key. */
describe('reloads: batched lookups, unchanged rows, --plan, create with a key (CLI against the simulator)', () => {
  let sim: Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  let env: Record<string, string>;
  const start = async (options: SimulatorOptions = {}): Promise<void> => {
    await sim.close();
    sim = await startTestSim(options);
    env = simEnv(sim);
  };
  beforeEach(async () => {
    sim = await startTestSim();
    tmp = makeTempDir('reload');
    env = simEnv(sim);
    fs.writeFileSync(tmp.file('m.yaml'), VENDOR_MAPPING);
  });
  afterEach(async () => {
    await sim.close();
    tmp.cleanup();
  });

  const gets = (): number => sim.stats().byMethod.GET ?? 0;
  const puts = (): number => sim.stats().byMethod.PUT ?? 0;
  const posts = (): number => (sim.stats().byMethod.POST ?? 0) - sim.stats().tokensIssued;
  const importJson = async (file: string, ...flags: string[]) => {
    const res = await runCli(
      ['import', tmp.file(file), '--mapping', tmp.file('m.yaml'), '--json', ...flags],
      {
        env,
      },
    );
    return { ...res, summary: JSON.parse(res.stdout || '{}') as Record<string, unknown> };
  };
  /** The simulator's vendors as rows of vendorCsv, the first `n`. */
  const preload = (n: number): void => {
    for (let i = 1; i <= n; i++) {
      sim.insert(101, {
        'vendor-code': `V-${i}`,
        'vendor-name': `Vendor ${i}`,
        'credit-limit': `${i}00.50`,
        'onboarding-date': '2026-03-01T00:00:00-08:00',
        notes: `note ${i}`,
      });
    }
  };

  it('a 120-row upsert looks keys up 3 times (49 a request); run again, every row is unchanged and nothing is sent', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(120));
    const first = await importJson('in.csv', '--mode', 'upsert');
    expect(first.code).toBe(0);
    expect(first.summary).toMatchObject({ rows: 120, created: 120, unchanged: 0 });
    expect(gets()).toBe(1 + 3); // the preflight, then one [in] lookup per 50 rows
    expect(posts()).toBe(120);

    const before = { gets: gets(), puts: puts(), posts: posts() };
    const again = await importJson('in.csv', '--mode', 'upsert');
    expect(again.code).toBe(0);
    expect(again.summary).toMatchObject({ rows: 120, created: 0, updated: 0, unchanged: 120, failed: 0 });
    expect(gets() - before.gets).toBe(1 + 3);
    expect(puts() - before.puts).toBe(0);
    expect(posts() - before.posts).toBe(0);
    const rows = readResults(tmp.file('in.results.csv'));
    expect(new Set(rows.map((r) => r._status))).toEqual(new Set(['unchanged']));
    expect(rows[0]?._id).toBe(String(sim.records(101)[0]?.id));

    // A human summary counts them too.
    const human = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--mode', 'upsert'],
      {
        env,
      },
    );
    expect(human.stderr).toMatch(/unchanged: 120/);
  });

  it('a reload of the values Coupa holds (decimals "100.50", dates as instants) sends only the rows that changed', async () => {
    preload(100);
    const text = vendorCsv(100)
      .replace('V-7,Vendor 7,700.50', 'V-7,Vendor Seven,700.50')
      .replace('V-42,Vendor 42,4200.50', 'V-42,Vendor 42,4200.5'); // the same number: unchanged
    fs.writeFileSync(tmp.file('in.csv'), text);
    const res = await importJson('in.csv', '--mode', 'upsert');
    expect(res.code).toBe(0);
    expect(res.summary).toMatchObject({ updated: 1, unchanged: 99, created: 0 });
    expect(puts()).toBe(1);
    expect(gets()).toBe(1 + 3); // 49 + 49 + 2 keys
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows[6]?._status).toBe('updated');
    expect(customFields(sim.records(101))[6]?.['vendor-name']).toBe('Vendor Seven');
  });

  it('update mode reads the records by id[in] (one request per 50 rows) and skips unchanged ones', async () => {
    preload(60);
    const ids = sim.records(101).map((r) => r.id as number);
    const lines = ['Coupa ID,Code,Name,Limit,Since,Notes'];
    ids.forEach((id, i) =>
      lines.push(
        `${id},V-${i + 1},${i === 3 ? 'Renamed' : `Vendor ${i + 1}`},${i + 1}00.50,2026-03-01,note ${i + 1}`,
      ),
    );
    lines.push('999999,V-X,Nobody,1,2026-03-01,x');
    fs.writeFileSync(tmp.file('upd.csv'), lines.join('\n') + '\n');
    const res = await importJson('upd.csv', '--mode', 'update');
    expect(res.code).toBe(1);
    expect(res.summary).toMatchObject({ updated: 1, unchanged: 59, failed: 1 });
    expect(gets()).toBe(1 + 2);
    expect(puts()).toBe(1);
    const rows = readResults(tmp.file('upd.results.csv'));
    expect(rows[60]).toMatchObject({ _status: 'failed', _code: 'not-found' });
  });

  it('--plan writes nothing, leaves no journal or lock, and a real run afterwards is not refused', async () => {
    preload(3);
    fs.writeFileSync(
      tmp.file('in.csv'),
      vendorCsv(4).replace('V-2,Vendor 2,200.50', 'V-2,Vendor Two,250') + 'V-9,,bad,2026-03-01,x\n',
    );
    const res = await importJson('in.csv', '--mode', 'upsert', '--plan');
    expect(res.code).toBe(1); // an invalid row
    expect(res.summary).toMatchObject({
      plan: true,
      wouldCreate: 1,
      wouldUpdate: 1,
      unchanged: 2,
      invalid: 1,
    });
    expect(puts() + posts()).toBe(0);
    expect(readHeader(tmp.file('in.results.csv')).slice(0, 6)).toEqual([
      '_line',
      '_status',
      '_id',
      '_error',
      '_code',
      '_changes',
    ]);
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows.map((r) => r._status)).toEqual([
      'unchanged',
      'would-update',
      'unchanged',
      'would-create',
      'invalid',
    ]);
    expect(rows[1]?._changes).toBe('vendor-name: Vendor 2 -> Vendor Two; credit-limit: 200.50 -> 250');
    expect(rows[1]?._id).toBe(String(sim.records(101)[1]?.id));
    expect(fs.existsSync(tmp.file('in.results.csv.journal'))).toBe(false);
    expect(fs.existsSync(tmp.file('in.results.csv.lock'))).toBe(false);

    const human = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--mode', 'upsert', '--plan'],
      { env },
    );
    expect(human.stderr).toMatch(/would create: 1/);
    expect(human.stderr).toMatch(/would update: 1/);

    // The real run after the plan: not refused, applies what the plan said.
    const real = await importJson('in.csv', '--mode', 'upsert');
    expect(real.summary).toMatchObject({ created: 1, updated: 1, unchanged: 2, failed: 1 });
    expect(readHeader(tmp.file('in.results.csv'))[5]).toBe('Code');
  });

  it('--plan of a clean file exits 0; a plan refuses to replace the results of an import', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(3));
    const plan = await importJson('in.csv', '--mode', 'upsert', '--plan');
    expect(plan.code).toBe(0);
    expect(plan.summary).toMatchObject({ wouldCreate: 3 });
    await importJson('in.csv', '--mode', 'upsert');
    const again = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--mode', 'upsert', '--plan'],
      { env },
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--results <another file>/);
  });

  it('create with a key: a key already in Coupa fails `exists` naming the id; a key an earlier row has fails `duplicate-key` naming that line', async () => {
    preload(1);
    const existing = sim.records(101)[0]?.id;
    fs.writeFileSync(
      tmp.file('in.csv'),
      'Code,Name,Limit,Since,Notes\nV-1,One,1,2026-03-01,x\nV-2,Two,2,2026-03-01,x\nV-2,Again,3,2026-03-01,x\n',
    );
    const res = await importJson('in.csv');
    expect(res.code).toBe(1);
    expect(res.summary).toMatchObject({ created: 1, failed: 2 });
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows.map((r) => [r._status, r._code])).toEqual([
      ['failed', 'exists'],
      ['created', ''],
      ['failed', 'duplicate-key'],
    ]);
    expect(rows[0]?._error).toContain(`id ${String(existing)}`);
    expect(rows[2]?._error).toContain('line 3');
    expect(posts()).toBe(1);
    expect(gets()).toBe(1 + 1);
    // The plan says the same, and writes nothing.
    await sim.close();
    sim = await startTestSim();
    env = simEnv(sim);
    preload(1);
    const plan = await importJson('in.csv', '--plan', '--results', tmp.file('plan.csv'));
    expect(readResults(tmp.file('plan.csv')).map((r) => [r._status, r._code])).toEqual([
      ['failed', 'exists'],
      ['would-create', ''],
      ['failed', 'duplicate-key'],
    ]);
    expect(plan.summary).toMatchObject({ wouldCreate: 1, failed: 2 });
    expect(posts()).toBe(0);
  });

  it('several records with a key fail the row ambiguous-key; a key holding a comma is looked up alone', async () => {
    sim.insert(101, { 'vendor-code': 'DUP', 'vendor-name': 'a' });
    sim.insert(101, { 'vendor-code': 'DUP', 'vendor-name': 'b' });
    sim.insert(101, { 'vendor-code': 'A,B', 'vendor-name': 'comma' });
    fs.writeFileSync(
      tmp.file('in.csv'),
      'Code,Name,Limit,Since,Notes\nDUP,X,1,2026-03-01,x\n"A,B",comma,,,\nN-1,New,1,2026-03-01,x\n',
    );
    const res = await importJson('in.csv', '--mode', 'upsert');
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows.map((r) => [r._status, r._code])).toEqual([
      ['failed', 'ambiguous-key'],
      ['unchanged', ''],
      ['created', ''],
    ]);
    expect(res.summary).toMatchObject({ unchanged: 1, created: 1, failed: 1 });
    expect(gets()).toBe(1 + 2); // the list, and the comma key alone
  });

  it('many records for one list (more than a page) are all found: paging by offset', async () => {
    for (let i = 0; i < 55; i++) sim.insert(101, { 'vendor-code': 'MANY', 'vendor-name': `m${i}` });
    fs.writeFileSync(tmp.file('in.csv'), 'Code,Name,Limit,Since,Notes\nMANY,X,1,2026-03-01,x\n');
    await importJson('in.csv', '--mode', 'upsert');
    const row = readResults(tmp.file('in.results.csv'))[0];
    expect(row?._code).toBe('ambiguous-key');
    expect((row?._error ?? '').split(',').length).toBeGreaterThanOrEqual(55);
  });

  it('keys match as the instance does: case-insensitive filters find "v-1" for V-1; a case-sensitive instance creates it', async () => {
    await start({ variations: { caseInsensitiveFilters: true } });
    preload(2);
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(2).replace('V-1,', 'v-1,'));
    const res = await importJson('in.csv', '--mode', 'upsert');
    expect(res.summary).toMatchObject({ created: 0, updated: 1, unchanged: 1 });
    expect(sim.records(101)).toHaveLength(2);

    await start();
    preload(2);
    const sensitive = await importJson('in.csv', '--mode', 'upsert');
    expect(sensitive.summary).toMatchObject({ created: 1, unchanged: 1 });
    expect(sim.records(101)).toHaveLength(3);
  });

  it('a key twice in one window: created once by the first row, then updated by the second (later row wins)', async () => {
    fs.writeFileSync(
      tmp.file('in.csv'),
      'Code,Name,Limit,Since,Notes\nK-1,First,1,2026-03-01,x\nK-2,Other,1,2026-03-01,x\nK-1,Second,2,2026-03-01,y\n',
    );
    const res = await importJson('in.csv', '--mode', 'upsert');
    expect(res.summary).toMatchObject({ created: 2, updated: 1 });
    const k1 = customFields(sim.records(101)).filter((f) => f['vendor-code'] === 'K-1');
    expect(k1).toHaveLength(1);
    expect(k1[0]?.['vendor-name']).toBe('Second');
  });
});
