import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../src/sim/index.js';
import { runCli } from './helpers/cli.js';
import { simEnv, startTestSim } from './helpers/sim.js';
import { makeTempDir, readResults } from './import/helpers.js';

const SAMPLES = path.resolve(import.meta.dirname, '../samples');

/** Each `<name>.mapping.yaml` goes with the CSV files whose names start with `<name>`. */
function samplePairs(): Array<{ csv: string; mapping: string }> {
  const files = fs.readdirSync(SAMPLES);
  const pairs: Array<{ csv: string; mapping: string }> = [];
  for (const m of files.filter((f) => /\.mapping\.(ya?ml|json)$/.test(f))) {
    const base = m.replace(/\.mapping\.(ya?ml|json)$/, '');
    for (const csv of files.filter(
      (f) => f.endsWith('.csv') && f.startsWith(base) && !f.includes('.results.'),
    )) {
      pairs.push({ csv: path.join(SAMPLES, csv), mapping: path.join(SAMPLES, m) });
    }
  }
  return pairs;
}

describe('samples/', () => {
  let sim: Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    sim = await startTestSim();
    tmp = makeTempDir('samples');
  });
  afterAll(async () => {
    await sim.close();
    tmp.cleanup();
  });

  it('has at least two sample sets', () => {
    expect(samplePairs().length).toBeGreaterThanOrEqual(2);
  });

  for (const { csv, mapping } of samplePairs()) {
    it(`${path.basename(csv)} validates and imports cleanly`, async () => {
      const results = path.join(tmp.dir, `${path.basename(csv)}.results.csv`);
      const valid = await runCli(['validate', csv, '--mapping', mapping, '--results', results, '--json']);
      expect(valid.stderr).toBe('');
      expect(valid.code).toBe(0);
      const imported = await runCli(['import', csv, '--mapping', mapping, '--results', results, '--json'], {
        env: simEnv(sim),
      });
      expect(imported.code).toBe(0);
      const summary = JSON.parse(imported.stdout) as { rows: number; created: number };
      expect(summary.created).toBe(summary.rows);
      expect(readResults(results).every((r) => r._status === 'created')).toBe(true);
    });
  }

  it('the Excel sample is read as UTF-8 with BOM, ";" and CRLF, with decimal commas and DD/MM/YYYY dates intact', async () => {
    const csv = path.join(SAMPLES, 'budget-allocations-excel.csv');
    const results = path.join(tmp.dir, 'excel-check.results.csv');
    const res = await runCli([
      'validate',
      csv,
      '--mapping',
      path.join(SAMPLES, 'budget-allocations.mapping.yaml'),
      '--results',
      results,
      '--json',
    ]);
    expect(JSON.parse(res.stdout)).toMatchObject({
      encoding: 'utf8-bom',
      delimiter: ';',
      lineEnding: 'CRLF',
    });
    const record = sim
      .records(102)
      .map((r) => r['custom-fields'] as Record<string, unknown>)
      .find((f) => f['allocation-code'] === 'BA-2026-002');
    expect(record?.amount).toBe('1250000.50');
    expect(record?.['end-date']).toBe('2026-12-31T00:00:00-08:00');
    expect((record?.['cost-center'] as { name?: string } | undefined)?.name).toBe('Finance');
  });
});
