import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { credentialsFromEnv } from '../../src/coupa/index.js';
import { runImport } from '../../src/import/index.js';
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

const ROWS = 150;
const FAULTS = { error5xx: 0.05, extra429: 0.05, dropAfterStore: 0.03, dropBeforeStore: 0.02, seed: 7 };

describe('import under injected faults (seeded)', () => {
  let sim: Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(async () => {
    sim = await startTestSim({ faults: FAULTS, retryAfter: false });
    tmp = makeTempDir('faults');
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(ROWS));
  });
  afterEach(async () => {
    await sim.close();
    tmp.cleanup();
  });

  it('with a key: every row is created exactly once and the results file is complete', async () => {
    fs.writeFileSync(tmp.file('m.yaml'), VENDOR_MAPPING);
    const res = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--json', '--rate', '1000'],
      {
        env: simEnv(sim),
        timeoutMs: 120_000,
      },
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(sim.stats().dropped).toBeGreaterThan(0); // the faults really happened
    const summary = JSON.parse(res.stdout) as { created: number; retries: number; throttled: number };
    expect(summary.created).toBe(ROWS);
    expect(summary.retries).toBeGreaterThan(0);
    expectEveryRowOnce(sim.records(101), tmp.file('in.results.csv'), ROWS);
  });

  it('without a key: rows whose create outcome is unknown fail with that reason and are counted; no other row is duplicated', async () => {
    fs.writeFileSync(tmp.file('m.yaml'), VENDOR_MAPPING_NO_KEY);
    const res = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--json', '--rate', '1000'],
      {
        env: simEnv(sim),
        timeoutMs: 120_000,
      },
    );
    expect(res.code).toBe(1);
    const summary = JSON.parse(res.stdout) as { created: number; failed: number; unknown: number };
    expect(summary.unknown).toBeGreaterThan(0);
    expect(summary.failed).toBe(summary.unknown);
    expect(summary.created + summary.failed).toBe(ROWS);
    const rows = readResults(tmp.file('in.results.csv'));
    const unknown = rows.filter((r) => r._status === 'failed');
    expect(unknown.every((r) => (r._error ?? '').startsWith('outcome unknown:'))).toBe(true);
    expect(res.stderr).toContain(
      unknown
        .map((r) => r._line)
        .slice(0, 3)
        .join(', '),
    );
    const counts = new Map<unknown, number>();
    for (const f of customFields(sim.records(101)))
      counts.set(f['vendor-code'], (counts.get(f['vendor-code']) ?? 0) + 1);
    for (const r of rows) {
      if (r._status === 'created') expect(counts.get(r.Code)).toBe(1);
      else expect(counts.get(r.Code) ?? 0).toBeLessThanOrEqual(1);
    }
  });
});

describe('a few thousand rows under injected faults, through the pipeline (seeded)', () => {
  const BIG = 3000;
  let sim: Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(async () => {
    sim = await startTestSim({ faults: { ...FAULTS, seed: 11 }, retryAfter: false });
    tmp = makeTempDir('faults-big');
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(BIG));
    fs.writeFileSync(tmp.file('m.yaml'), VENDOR_MAPPING);
  });
  afterEach(async () => {
    await sim.close();
    tmp.cleanup();
  });

  it('creates every row exactly once (counted by key in the simulator) and writes one results row per input row', async () => {
    // The real client and pipeline; only the backoff base is shortened so the run fits the test suite.
    const summary = await runImport({
      file: tmp.file('in.csv'),
      mapping: tmp.file('m.yaml'),
      results: tmp.file('in.results.csv'),
      concurrency: 16,
      rate: 2000,
      clientOptions: {
        instance: sim.url,
        credentials: credentialsFromEnv({
          COUPA_CLIENT_ID: sim.clientId,
          COUPA_CLIENT_SECRET: sim.clientSecret,
        }),
        backoffBaseMs: 5,
      },
    });
    const stats = sim.stats();
    expect(stats.dropped).toBeGreaterThan(BIG * 0.03); // the faults really happened, in numbers
    expect(stats.throttled).toBeGreaterThan(BIG * 0.02);
    expect(summary).toMatchObject({ rows: BIG, created: BIG, failed: 0 });
    expectEveryRowOnce(sim.records(101), tmp.file('in.results.csv'), BIG);
  });
});
