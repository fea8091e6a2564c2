import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Lib from '../../src/index.js';
import { makeTempDir, readResults } from '../import/helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SAMPLES = path.join(ROOT, 'samples');

/** The package as a user imports it: `import ... from 'coupa-csv'` resolves to the built dist/index.js. */
async function loadPackage(): Promise<typeof Lib> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    exports: { '.': { import: string } };
  };
  return (await import(path.join(ROOT, pkg.exports['.'].import))) as typeof Lib;
}

describe('the package entry point (library use)', () => {
  let lib: typeof Lib;
  let sim: Lib.Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    lib = await loadPackage();
    sim = await lib.startSimulator({ port: 0, host: '127.0.0.1', rate: 0, latencyMs: 0 });
    tmp = makeTempDir('library');
  });
  afterAll(async () => {
    await sim.close();
    tmp.cleanup();
  });

  it('runImport then runExport round-trips the vendors sample through the simulator, reporting via callbacks', async () => {
    const credentials = lib.credentialsFromEnv({
      COUPA_CLIENT_ID: sim.clientId,
      COUPA_CLIENT_SECRET: sim.clientSecret,
    });
    const results = path.join(tmp.dir, 'vendors.results.csv');
    const progress: number[] = [];
    const summary = await lib.runImport(
      {
        file: path.join(SAMPLES, 'vendors.csv'),
        mapping: path.join(SAMPLES, 'vendors.mapping.yaml'),
        mode: 'upsert',
        results,
        clientOptions: { instance: sim.url, credentials },
      },
      { onProgress: (p) => progress.push(p.done) },
    );
    // Records, not lines: some notes hold quoted newlines.
    const inputRows = (parse(fs.readFileSync(path.join(SAMPLES, 'vendors.csv'))) as unknown[]).length - 1;
    expect(summary.rows).toBe(inputRows);
    expect(summary.created).toBe(inputRows);
    expect(summary.failed).toBe(0);
    expect(progress.at(-1)).toBe(inputRows);
    const rows = readResults(results);
    expect(rows.map((r) => r._status)).toEqual(Array<string>(inputRows).fill('created'));
    expect(sim.records(101)).toHaveLength(inputRows);

    const out = path.join(tmp.dir, 'vendors.export.csv');
    const exported = await lib.runExport({
      out,
      mapping: path.join(SAMPLES, 'vendors.mapping.yaml'),
      client: { instance: sim.url, credentials },
    });
    expect(exported.records).toBe(inputRows);
    const header = fs.readFileSync(out, 'utf8').split(/\r?\n/)[0];
    expect(header).toContain('Vendor Code');

    // The export imports again with the same mapping: every row finds the record it came from, which already holds
    // its values: `unchanged`, nothing sent (issue #17).
    const again = await lib.runImport({
      file: out,
      mapping: path.join(SAMPLES, 'vendors.mapping.yaml'),
      mode: 'upsert',
      results: path.join(tmp.dir, 'again.results.csv'),
      clientOptions: { instance: sim.url, credentials },
    });
    expect(again.unchanged).toBe(inputRows);
    expect(again.updated + again.created + again.failed).toBe(0);
    expect(sim.records(101)).toHaveLength(inputRows);
  });

  it('exposes the error classes with their exit codes', () => {
    expect(new lib.UsageError('x').exitCode).toBe(2);
    expect(new lib.AuthError('x', 401).exitCode).toBe(3);
  });

  it('a bad simulator config rejects with SimConfigError, which the package exports', async () => {
    await expect(
      lib.startSimulator({ config: { users: [], suppliers: [], lookups: {}, objects: [] }, port: 0 }),
    ).rejects.toBeInstanceOf(lib.SimConfigError);
    expect(() => lib.validateSimConfig({ objects: 'no' })).toThrow(lib.SimConfigError);
  });
  it('exports ERROR_CODES, every one listed in docs/library.md with its exit code, and an error carries one of them', async () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'library.md'), 'utf8');
    const listed = [...doc.matchAll(/^\| `([A-Z_]+)` +\| ([23](?: \/ 3)?) +\|/gm)].map((m) => m[1]);
    expect([...listed].sort()).toEqual([...lib.ERROR_CODES].sort());
    const error = await lib
      .runImport({
        file: path.join(tmp.dir, 'none.csv'),
        mapping: path.join(SAMPLES, 'vendors.mapping.yaml'),
        dryRun: true,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(lib.CoupaCsvError);
    expect(lib.ERROR_CODES).toContain((error as Lib.CoupaCsvError).code);
    expect(doc).toMatch(new RegExp(`\\| \`${(error as Lib.CoupaCsvError).code}\` +\\| 2 +\\|`));
  });
});
