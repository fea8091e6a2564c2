import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { openXlsx, type XlsxRow } from '../../src/csv/xlsx-source.js';

const SAMPLES = path.resolve(import.meta.dirname, '../../samples');

describe('samples/budget-allocations.xlsx (made by scripts/make-sample-xlsx.mjs)', () => {
  it('holds the rows of budget-allocations-excel.csv as typed cells', async () => {
    const csv: string[][] = parse(await readFile(path.join(SAMPLES, 'budget-allocations-excel.csv')), {
      bom: true,
      delimiter: ';',
    });
    const source = await openXlsx(path.join(SAMPLES, 'budget-allocations.xlsx'));
    const rows: XlsxRow[] = [];
    for await (const row of source.rows()) rows.push(row);
    expect(rows.map((r) => r.line)).toEqual(csv.map((_, i) => i + 1));
    expect(rows[0]?.cells).toEqual(csv[0]);
    const header = csv[0] as string[];
    const at = (name: string): number => header.indexOf(name);
    for (const [i, row] of rows.slice(1).entries()) {
      const want = csv[i + 1] as string[];
      const ddmmyyyy = (text: string): string => text.split('/').reverse().join('-');
      expect(row.cells[at('Allocation Code')]).toBe(want[at('Allocation Code')]);
      // A row's cells end at its last filled one.
      expect(row.cells[at('Notes')] ?? '').toBe(want[at('Notes')]);
      expect(row.typed[at('Amount')]).toEqual({
        kind: 'number',
        value: Number((want[at('Amount')] as string).replace(/\./g, '').replace(',', '.')),
      });
      expect(row.typed[at('Start Date')]).toEqual({
        kind: 'date',
        value: ddmmyyyy(want[at('Start Date')] as string),
      });
      expect(row.typed[at('End Date')]).toEqual({
        kind: 'date',
        value: ddmmyyyy(want[at('End Date')] as string),
      });
      expect(row.typed[at('Approved')]).toEqual({ kind: 'boolean', value: want[at('Approved')] === 'yes' });
    }
  });
});
