import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { customFields, makeTempDir, readResults, vendorCsv, VENDOR_MAPPING, waitFor } from './helpers.js';

/**
 * Issue #17: batching changes how many requests, not what is guaranteed. Upsert and update with batched lookups
 * under injected faults and kill -9, through the built CLI against the simulator.
 */
const ROWS = 150;
const OLD = 60;
const FAULTS = { error5xx: 0.05, extra429: 0.05, dropAfterStore: 0.03, dropBeforeStore: 0.02, seed: 5 };

/** Records V-1..V-n as vendorCsv writes them, with another name for every odd one (those rows need an update). */
function preload(sim: Simulator, n: number): void {
  for (let i = 1; i <= n; i++) {
    sim.insert(101, {
      'vendor-code': `V-${i}`,
      'vendor-name': i % 2 ? `Old name ${i}` : `Vendor ${i}`,
      'credit-limit': `${i}00.50`,
      'onboarding-date': '2026-03-01T00:00:00-08:00',
      notes: `note ${i}`,
    });
  }
}

/** Every key once in the simulator, holding the file's name. */
function expectFileApplied(sim: Simulator, rows: number): void {
  const fields = customFields(sim.records(101));
  const codes = fields.map((f) => f['vendor-code']);
  expect(codes).toHaveLength(rows);
  expect(new Set(codes).size).toBe(rows);
  for (const f of fields) expect(f['vendor-name']).toBe(`Vendor ${String(f['vendor-code']).slice(2)}`);
}

describe('batched upsert and update under faults and kill -9', () => {
  let sim: Simulator | undefined;
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('reload-faults');
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(ROWS));
    fs.writeFileSync(tmp.file('m.yaml'), VENDOR_MAPPING);
  });
  afterEach(async () => {
    await sim?.close();
    tmp.cleanup();
  });

  it('upsert under 5xx, 429 and dropped connections: every key once, every row created, updated or unchanged as it should', async () => {
    sim = await startTestSim({ faults: FAULTS, retryAfter: false });
    preload(sim, OLD);
    const res = await runCli(
      [
        'import',
        tmp.file('in.csv'),
        '--mapping',
        tmp.file('m.yaml'),
        '--mode',
        'upsert',
        '--json',
        '--rate',
        '1000',
      ],
      { env: simEnv(sim), timeoutMs: 120_000 },
    );
    expect(res.code).toBe(0);
    expect(sim.stats().dropped).toBeGreaterThan(0); // the faults really happened
    const summary = JSON.parse(res.stdout) as Record<string, number>;
    expect(summary).toMatchObject({ created: ROWS - OLD, updated: OLD / 2, unchanged: OLD / 2, failed: 0 });
    expectFileApplied(sim, ROWS);
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows.slice(0, OLD).map((r) => r._status)).toEqual(
      Array.from({ length: OLD }, (_, i) => (i % 2 === 0 ? 'updated' : 'unchanged')),
    );
  });

  it('update under faults: the records read by id[in], changed ones updated once, the rest unchanged', async () => {
    sim = await startTestSim({ faults: FAULTS, retryAfter: false });
    preload(sim, ROWS);
    const lines = ['Coupa ID,Code,Name,Limit,Since,Notes'];
    for (const r of sim.records(101)) {
      const code = String((r['custom-fields'] as Record<string, unknown>)['vendor-code']);
      const i = code.slice(2);
      lines.push(`${String(r.id)},${code},Vendor ${i},${i}00.50,2026-03-01,note ${i}`);
    }
    fs.writeFileSync(tmp.file('upd.csv'), lines.join('\n') + '\n');
    const res = await runCli(
      [
        'import',
        tmp.file('upd.csv'),
        '--mapping',
        tmp.file('m.yaml'),
        '--mode',
        'update',
        '--json',
        '--rate',
        '1000',
      ],
      { env: simEnv(sim), timeoutMs: 120_000 },
    );
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout) as Record<string, number>;
    expect(summary).toMatchObject({ updated: ROWS / 2, unchanged: ROWS / 2, failed: 0 });
    expectFileApplied(sim, ROWS);
  });

  it('kill -9 during a batched upsert: --resume ends with every key once and each row counted once', async () => {
    // The existing records were made an hour before the run (a record created within the clock-skew allowance of a
    // row's first send could be that row's own lost create).
    let offset = -3_600_000;
    sim = await startTestSim({ latencyMs: 40, now: () => Date.now() + offset });
    preload(sim, OLD);
    offset = 0;
    const env = simEnv(sim);
    const args = [
      'import',
      tmp.file('in.csv'),
      '--mapping',
      tmp.file('m.yaml'),
      '--mode',
      'upsert',
      '--concurrency',
      '3',
    ];
    const run = spawnCli(args, { env });
    const s = sim;
    await waitFor(() => (s.stats().byMethod.PUT ?? 0) + s.records(101).length >= OLD + 20);
    run.child.kill('SIGKILL');
    await run.result;
    expect(fs.existsSync(tmp.file('in.results.csv.journal'))).toBe(true);
    await new Promise((r) => setTimeout(r, 150)); // requests the dead process left in flight land

    const resumed = await runCli([...args, '--resume', '--json'], { env });
    expect(resumed.code).toBe(0);
    expectFileApplied(sim, ROWS);
    const final = readResults(tmp.file('in.results.csv'));
    expect(final).toHaveLength(ROWS);
    // The 90 new keys were created exactly once (a create the dead run landed is found and reported created).
    expect(final.filter((r) => r._status === 'created')).toHaveLength(ROWS - OLD);
    expect(final.slice(0, OLD).every((r) => r._status === 'updated' || r._status === 'unchanged')).toBe(true);
    expect(fs.existsSync(tmp.file('in.results.csv.journal'))).toBe(false);
  });

  it('kill -9 during a batched update: --resume finishes, every record holds its row once', async () => {
    sim = await startTestSim({ latencyMs: 40 });
    preload(sim, ROWS);
    const lines = ['Coupa ID,Code,Name,Limit,Since,Notes'];
    for (const r of sim.records(101)) {
      const code = String((r['custom-fields'] as Record<string, unknown>)['vendor-code']);
      const i = code.slice(2);
      lines.push(`${String(r.id)},${code},Vendor ${i},${i}00.50,2026-03-01,note ${i}`);
    }
    fs.writeFileSync(tmp.file('upd.csv'), lines.join('\n') + '\n');
    const env = simEnv(sim);
    const args = [
      'import',
      tmp.file('upd.csv'),
      '--mapping',
      tmp.file('m.yaml'),
      '--mode',
      'update',
      '--concurrency',
      '3',
    ];
    const run = spawnCli(args, { env });
    const s = sim;
    await waitFor(() => (s.stats().byMethod.PUT ?? 0) >= 10);
    run.child.kill('SIGKILL');
    await run.result;
    await new Promise((r) => setTimeout(r, 150));
    const resumed = await runCli([...args, '--resume', '--json'], { env });
    expect(resumed.code).toBe(0);
    expectFileApplied(sim, ROWS);
    const final = readResults(tmp.file('upd.results.csv'));
    expect(final).toHaveLength(ROWS);
    expect(final.every((r) => r._status === 'updated' || r._status === 'unchanged')).toBe(true);
    // Every odd row needed an update; each was applied by one of the two runs (carried over or sent now).
    expect(final.filter((r, i) => i % 2 === 0 && r._status === 'updated')).toHaveLength(
      ROWS / 2 - countUnchangedOdd(final),
    );
  });

  it('--plan under faults writes nothing and reports every row', async () => {
    sim = await startTestSim({ faults: FAULTS, retryAfter: false });
    preload(sim, OLD);
    const res = await runCli(
      [
        'import',
        tmp.file('in.csv'),
        '--mapping',
        tmp.file('m.yaml'),
        '--mode',
        'upsert',
        '--plan',
        '--json',
        '--rate',
        '1000',
      ],
      { env: simEnv(sim), timeoutMs: 120_000 },
    );
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout) as Record<string, number>;
    expect(summary).toMatchObject({
      wouldCreate: ROWS - OLD,
      wouldUpdate: OLD / 2,
      unchanged: OLD / 2,
      failed: 0,
    });
    expect(
      (sim.stats().byMethod.PUT ?? 0) + (sim.stats().byMethod.POST ?? 0) - sim.stats().tokensIssued,
    ).toBe(0);
    expect(sim.records(101)).toHaveLength(OLD);
  });
});

/** Odd rows (needing an update) that the resumed run found already updated by the killed run's in-flight PUT. */
function countUnchangedOdd(rows: Array<Record<string, string>>): number {
  return rows.filter((r, i) => i % 2 === 0 && r._status === 'unchanged').length;
}
