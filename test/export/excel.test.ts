import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/index.js';
import { runImport } from '../../src/import/index.js';
import { UsageError } from '../../src/shared/errors.js';
import type { Simulator } from '../../src/sim/index.js';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { clientFor, makeTempDir, seedVendors } from './helpers.js';

const SAMPLES = resolve(import.meta.dirname, '../../samples');

let sim: Simulator;
let dir: string;
let removeDir: () => Promise<void>;

beforeAll(() => {
  if (!existsSync(CLI_PATH)) throw new Error(`build first: npm run build (${CLI_PATH} is missing)`);
});
beforeEach(async () => {
  sim = await startTestSim();
  ({ dir, remove: removeDir } = await makeTempDir());
});
afterEach(async () => {
  await sim.close();
  await removeDir();
});

/** The budget sample's mapping (decimal ",", DD/MM/YYYY dates, a lookup, a user) with an `id:` column. */
async function budgetMapping(): Promise<string> {
  const text = await readFile(join(SAMPLES, 'budget-allocations.mapping.yaml'), 'utf8');
  const path = join(dir, 'budget.mapping.yaml');
  await writeFile(path, text.replace(/^fields:/m, 'id: Coupa ID\nfields:'));
  return path;
}

async function loadBudgets(mapping: string): Promise<number> {
  const loaded = await runImport({
    file: join(SAMPLES, 'budget-allocations-excel.csv'),
    mapping,
    results: join(dir, 'load.results.csv'),
    clientOptions: clientFor(sim),
  });
  expect(loaded.failed).toBe(0);
  return loaded.created;
}

function fieldsById(): Map<number, Record<string, unknown>> {
  return new Map(
    sim.records(102).map((r) => [r.id as number, r['custom-fields'] as Record<string, unknown>]),
  );
}

describe('export --excel (built CLI against the simulator)', () => {
  it('a mapping with decimal ",": BOM, CRLF, ";", its formats; edited in a spreadsheet, it imports back with --mode upsert changing only the edit', async () => {
    const mapping = await budgetMapping();
    const created = await loadBudgets(mapping);
    const before = fieldsById();
    const out = join(dir, 'budget.csv');
    const r = await runCli(['export', '--mapping', mapping, '--out', out, '--excel', '--quiet'], {
      env: simEnv(sim),
    });
    expect(r.code).toBe(0);
    const bytes = await readFile(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    const lines = text.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines).toHaveLength(created + 2);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(lines[0]).toBe(
      'Coupa ID;Allocation Code;Fiscal Year;Cost Center;Amount;Currency;Start Date;End Date;Owner;Approved;Notes',
    );
    // The sample's first row: 12.500,00 and 01/01/2026 come back in the mapping's formats.
    const first = lines.find((l) => l.includes(';BA-2026-001;')) ?? '';
    expect(first).toMatch(/;BA-2026-001;2026;Marketing;12500,00;EUR;01\/01\/2026;31\/03\/2026;jdoe;/);

    // A user edits one cell in the spreadsheet and saves (same dialect), then imports the file again.
    const edited = text.replace(';Q1 campaigns', ';Q1 campaigns (revised)');
    expect(edited).not.toBe(text);
    await writeFile(out, `\uFEFF${edited}`);
    const again = await runCli(
      [
        'import',
        out,
        '--mapping',
        mapping,
        '--mode',
        'upsert',
        '--results',
        join(dir, 'again.csv'),
        '--json',
      ],
      { env: simEnv(sim) },
    );
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ rows: created, failed: 0, created: 0 });
    const after = fieldsById();
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [id, fields] of before) {
      const expected =
        fields.notes === 'Q1 campaigns' ? { ...fields, notes: 'Q1 campaigns (revised)' } : fields;
      expect(after.get(id)).toEqual(expected);
    }
  });

  it('without a mapping: BOM, CRLF, "," and formula escaping, reported on stderr', async () => {
    sim.insert(101, {
      'vendor-code': 'V-1',
      'vendor-name': '=HYPERLINK("http://x")',
      'credit-limit': '-12.50',
    });
    const out = join(dir, 'v.csv');
    const r = await runCli(['export', '--object', '101', '--out', out, '--excel'], { env: simEnv(sim) });
    expect(r.code).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text.startsWith('\uFEFFid,created-at,updated-at,vendor-code,vendor-name,')).toBe(true);
    expect(text).toContain(`,"'=HYPERLINK(""http://x"")",`);
    expect(text).toContain(',-12.50,');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(r.stderr).toMatch(/1 cell \(first: record \d+\) begin with = \+ - or @/);
  });
});

describe('export --format xlsx', () => {
  async function readSheet(path: string): Promise<ExcelJS.Worksheet> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    expect(workbook.worksheets).toHaveLength(1);
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new Error('no worksheet');
    return sheet;
  }

  it('with a mapping: one worksheet, numbers, dates and booleans as typed cells (built CLI)', async () => {
    const mapping = await budgetMapping();
    const created = await loadBudgets(mapping);
    const out = join(dir, 'budget.xlsx');
    const r = await runCli(['export', '--mapping', mapping, '--out', out, '--format', 'xlsx', '--quiet'], {
      env: simEnv(sim),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(await readdir(dir)).toContain('budget.xlsx');
    const sheet = await readSheet(out);
    expect(sheet.rowCount).toBe(created + 1);
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([
      'Coupa ID',
      'Allocation Code',
      'Fiscal Year',
      'Cost Center',
      'Amount',
      'Currency',
      'Start Date',
      'End Date',
      'Owner',
      'Approved',
      'Notes',
    ]);
    let row: ExcelJS.Row | undefined;
    sheet.eachRow((r) => {
      if (r.getCell(2).value === 'BA-2026-002') row = r;
    });
    if (!row) throw new Error('BA-2026-002 is missing');
    expect(typeof row.getCell(1).value).toBe('number');
    expect(row.getCell(3).value).toBe(2026);
    expect(row.getCell(4).value).toBe('Finance');
    expect(row.getCell(5).value).toBe(1250000.5);
    expect(row.getCell(7).value).toEqual(new Date(Date.UTC(2026, 0, 1)));
    expect(row.getCell(7).numFmt).toBe('dd/mm/yyyy');
    expect(row.getCell(8).value).toEqual(new Date(Date.UTC(2026, 11, 31)));
    expect(row.getCell(10).value).toBe(true);
  });

  it('without a mapping: columns typed as the records show them (in process)', async () => {
    seedVendors(sim, 1, 5);
    const out = join(dir, 'vendors.xlsx');
    const summary = await runExport({ objectId: 101, out, format: 'xlsx', client: clientFor(sim) });
    expect(summary).toMatchObject({ records: 5, format: 'xlsx' });
    const sheet = await readSheet(out);
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const col = (name: string): number => header.indexOf(name) + 1;
    const row = sheet.getRow(2);
    expect(row.getCell(col('id')).value).toBe(sim.records(101)[0]?.id);
    expect(row.getCell(col('vendor-code')).value).toBe('V-0001');
    expect(row.getCell(col('credit-limit')).value).toBe(13.37);
    expect(row.getCell(col('payment-terms')).value).toBe(45);
    expect(row.getCell(col('active')).value).toBe(false);
    // 2026-03-02T00:00:00-08:00: the calendar date the instance shows.
    expect(row.getCell(col('onboarding-date')).value).toEqual(new Date(Date.UTC(2026, 2, 2)));
    expect(row.getCell(col('approved-at')).value).toEqual(new Date(Date.UTC(2026, 2, 2, 9, 30)));
    expect(row.getCell(col('owner')).value).toBe('asmith');
    expect(row.getCell(col('created-at')).value).toBeInstanceOf(Date);
  });

  it('a failure before or during the output leaves no file (unknown object; a record the filter excludes)', async () => {
    const out = join(dir, 'x.xlsx');
    const missing = await runExport({ objectId: 999, out, format: 'xlsx', client: clientFor(sim) }).catch(
      (e: unknown) => e,
    );
    expect((missing as { code?: string }).code).toBe('OBJECT_NOT_FOUND');
    const lax = await startTestSim({ ignoreFilters: true });
    try {
      seedVendors(lax, 1, 120);
      const ignored = await runExport({
        objectId: 101,
        out,
        format: 'xlsx',
        filters: ['active=true'],
        client: clientFor(lax),
      }).catch((e: unknown) => e);
      expect((ignored as { code?: string }).code).toBe('ABORTED');
    } finally {
      await lax.close();
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses CSV-only flags', async () => {
    for (const extra of [{ gzip: true }, { bom: true }, { excelSafe: true }]) {
      const error = await runExport({
        objectId: 101,
        out: join(dir, 'x.xlsx'),
        format: 'xlsx',
        client: clientFor(sim),
        ...extra,
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain('not --format xlsx');
    }
    expect(await readdir(dir)).toEqual([]);
  });
});
