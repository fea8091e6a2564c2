import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/index.js';
import { runImport } from '../../src/import/index.js';
import type { Simulator } from '../../src/sim/index.js';
import { startTestSim } from '../helpers/sim.js';
import { clientFor, makeTempDir, parseJsonl, readCsv } from './helpers.js';

const SAMPLES = resolve(import.meta.dirname, '../../samples');

let dir: string;
let removeDir: () => Promise<void>;
const sims: Simulator[] = [];

beforeEach(async () => {
  ({ dir, remove: removeDir } = await makeTempDir());
});
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
  await removeDir();
});

async function newSim(): Promise<Simulator> {
  const sim = await startTestSim();
  sims.push(sim);
  return sim;
}

/**
 * The custom fields of every record (what a round trip must preserve), ordered by the object's key field: a
 * concurrent import creates records in no particular id order.
 */
function fieldsOf(sim: Simulator, objectId: number): Array<Record<string, unknown>> {
  const key = objectId === 101 ? 'vendor-code' : 'allocation-code';
  return sim
    .records(objectId)
    .map((r) => r['custom-fields'] as Record<string, unknown>)
    .sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}

/** A copy of a sample mapping with an `id:` column, so the export carries the instance ids. */
async function mappingWithId(name: string): Promise<string> {
  const text = await readFile(join(SAMPLES, name), 'utf8');
  const path = join(dir, name);
  await writeFile(path, text.replace(/^fields:/m, 'id: Coupa ID\nfields:'));
  return path;
}

describe('export with a mapping imports again with the same mapping (every field type)', () => {
  it.each([
    // string, date (ISO), datetime, decimal ".", integer, boolean, user by login, supplier by number
    ['vendors.csv', 'vendors.mapping.yaml', 101],
    // lookup by name, decimal ",", dates DD/MM/YYYY, integer, boolean, user
    ['budget-allocations-excel.csv', 'budget-allocations.mapping.yaml', 102],
  ] as const)('%s', async (csv, mappingName, objectId) => {
    const mapping = await mappingWithId(mappingName);
    const source = await newSim();
    const loaded = await runImport({
      file: join(SAMPLES, csv),
      mapping,
      results: join(dir, 'load.results.csv'),
      clientOptions: clientFor(source),
    });
    expect(loaded.failed).toBe(0);
    expect(loaded.created).toBeGreaterThan(0);

    const out = join(dir, 'export.csv');
    const summary = await runExport({ mapping, out, client: clientFor(source) });
    expect(summary.records).toBe(loaded.created);
    const { header, rows } = await readCsv(out);
    expect(header[0]).toBe('Coupa ID');
    expect(rows.map((r) => Number(r[0]))).toEqual(source.records(objectId).map((r) => r.id));

    // Into an empty instance: the same records come out.
    const target = await newSim();
    const again = await runImport({
      file: out,
      mapping,
      results: join(dir, 'again.results.csv'),
      clientOptions: clientFor(target),
    });
    expect(again.failed).toBe(0);
    expect(fieldsOf(target, objectId)).toEqual(fieldsOf(source, objectId));

    // Back into the same instance by id (update mode): nothing changes, and every row says so: the records already
    // hold every value (every field type compared as Coupa returns it), so nothing is sent (issue #17).
    const before = fieldsOf(source, objectId);
    const update = await runImport({
      file: out,
      mapping,
      mode: 'update',
      results: join(dir, 'update.results.csv'),
      clientOptions: clientFor(source),
    });
    expect(update.unchanged).toBe(loaded.created);
    expect(update.updated + update.failed).toBe(0);
    expect(fieldsOf(source, objectId)).toEqual(before);

    // JSONL with a mapping: one object per record keyed by column, same cells as the CSV.
    const jsonl = join(dir, 'export.jsonl');
    await runExport({ mapping, out: jsonl, format: 'jsonl', client: clientFor(source) });
    const objects = parseJsonl(await readFile(jsonl, 'utf8'));
    expect(objects.map((o) => header.map((h) => o[h]))).toEqual(rows);
  });

  it('dates come back as the same calendar date in the mapping format (no day shift)', async () => {
    const mapping = await mappingWithId('budget-allocations.mapping.yaml');
    const source = await newSim();
    await runImport({
      file: join(SAMPLES, 'budget-allocations-excel.csv'),
      mapping,
      results: join(dir, 'r.csv'),
      clientOptions: clientFor(source),
    });
    const out = join(dir, 'export.csv');
    await runExport({ mapping, out, client: clientFor(source) });
    const { header, rows } = await readCsv(out);
    const start = header.indexOf('Start Date');
    const amount = header.indexOf('Amount');
    expect(rows[0]?.[start]).toBe('01/01/2026');
    expect(rows[0]?.[amount]).toMatch(/^12\.?500,00$/);
  });
});
