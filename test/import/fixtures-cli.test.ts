import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { customFields, makeTempDir, readResults } from './helpers.js';

/** One fixture file per CSV quirk (test/fixtures/csv, made by make-fixtures.mjs), imported by the built CLI. */
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/csv');
const MAPPING = 'object: 101\nfields:\n  Vendor Code: vendor-code\n  Vendor Name: vendor-name\n';

const readable: Array<{ file: string; rows: number; failed?: number; detected: Record<string, string> }> = [
  { file: 'bom.csv', rows: 1, detected: { encoding: 'utf8-bom' } },
  { file: 'utf16le.csv', rows: 2, detected: { encoding: 'utf16le', delimiter: '\t', lineEnding: 'CRLF' } },
  { file: 'utf16le-nobom.csv', rows: 1, detected: { encoding: 'utf16le' } },
  { file: 'utf16be.csv', rows: 1, detected: { encoding: 'utf16be' } },
  { file: 'cp1252.csv', rows: 2, detected: { encoding: 'windows-1252', delimiter: ';', lineEnding: 'CRLF' } },
  { file: 'semicolon.csv', rows: 2, detected: { delimiter: ';' } },
  { file: 'tab.tsv', rows: 2, detected: { delimiter: '\t' } },
  { file: 'pipe.csv', rows: 2, detected: { delimiter: '|' } },
  { file: 'crlf.csv', rows: 2, detected: { lineEnding: 'CRLF' } },
  { file: 'quoted-newline.csv', rows: 3, detected: {} },
  { file: 'blank-lines.csv', rows: 2, detected: {} },
  { file: 'stray-quote.csv', rows: 2, detected: {} },
  { file: 'ragged.csv', rows: 5, failed: 2, detected: {} },
];
const unreadable: Array<{ file: string; message: RegExp; mapping?: string }> = [
  {
    file: 'unclosed-quote.csv',
    message: /:3 \(column "Vendor Name"\): a quoted field that starts on line 3 is never closed/,
  },
  { file: 'empty.csv', message: /the file is empty/ },
  { file: 'header-only.csv', message: /no data rows/ },
  {
    // A repeated name is refused only when the mapping reads it.
    file: 'duplicate-headers.csv',
    message: /:1 \(column "amount"\): columns 2 and 4 have the same name/,
    mapping:
      'object: 101\nfields:\n  Vendor Code: vendor-code\n  Amount: { field: credit-limit, type: decimal }\n',
  },
  { file: 'binary.bin', message: /not a text CSV file/ },
];

describe('every CSV fixture imported by the CLI into the simulator', () => {
  let sim: Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    sim = await startTestSim();
    tmp = makeTempDir('fixtures');
    fs.writeFileSync(tmp.file('m.yaml'), MAPPING);
  });
  afterAll(async () => {
    await sim.close();
    tmp.cleanup();
  });

  it('covers every fixture file', () => {
    expect([...readable, ...unreadable].map((f) => f.file).sort()).toEqual(fs.readdirSync(FIXTURES).sort());
  });

  for (const f of readable) {
    it(`${f.file}: ${f.rows} rows, detection ${JSON.stringify(f.detected)}`, async () => {
      const results = tmp.file(`${f.file}.results.csv`);
      const before = sim.records(101).length;
      const res = await runCli(
        [
          'import',
          path.join(FIXTURES, f.file),
          '--mapping',
          tmp.file('m.yaml'),
          '--results',
          results,
          '--json',
        ],
        { env: simEnv(sim) },
      );
      expect(res.code).toBe(f.failed ? 1 : 0);
      const summary = JSON.parse(res.stdout) as Record<string, unknown>;
      expect(summary).toMatchObject({ rows: f.rows, created: f.rows - (f.failed ?? 0), ...f.detected });
      const rows = readResults(results);
      expect(rows).toHaveLength(f.rows);
      const created = rows.filter((r) => r._status === 'created');
      expect(sim.records(101).length - before).toBe(created.length);
      // The stored codes are the file's codes, decoded: the first column never carries a BOM or quote.
      const stored = new Set(customFields(sim.records(101)).map((x) => x['vendor-code']));
      for (const r of created) expect(stored.has(r['Vendor Code'])).toBe(true);
      for (const r of created) expect(r['Vendor Code']).toMatch(/^[A-Za-z0-9-]+$/);
    });
  }

  for (const f of unreadable) {
    it(`${f.file}: exit 2, one line naming the file, nothing sent`, async () => {
      const before = sim.stats().requests;
      const file = path.join(FIXTURES, f.file);
      const mapping = tmp.file(f.mapping ? `${f.file}.mapping.yaml` : 'm.yaml');
      if (f.mapping) fs.writeFileSync(mapping, f.mapping);
      const res = await runCli(
        ['import', file, '--mapping', mapping, '--results', tmp.file(`${f.file}.results.csv`)],
        { env: simEnv(sim) },
      );
      expect(res.code).toBe(2);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toContain(file);
      expect(res.stderr).toMatch(f.message);
      expect(sim.stats().requests).toBe(before);
    });
  }
});
