import * as fs from 'node:fs';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWorkbookFile, openCsv, openInput } from '../../src/csv/index.js';
import type { CsvRecord } from '../../src/csv/index.js';
import { makeTempDir } from '../helpers/temp-dir.js';

async function all(records: AsyncIterable<CsvRecord>): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

describe('openInput and the header row', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir('open-input');
  });
  afterAll(() => tmp.cleanup());
  const write = (name: string, text: string | Buffer): string => {
    const file = path.join(tmp.dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('a CSV title line above a ";" header: found by the mapped columns, its delimiter sniffed on the header', async () => {
    const file = write('t.csv', '\uFEFFBudget 2026\r\n\r\nCode;Amount\r\nA;1,5\r\nB;2\r\n');
    const source = await openCsv(file, { columns: ['Code', 'Amount'] });
    expect(source.header).toEqual(['Code', 'Amount']);
    expect(source.delimiter).toBe(';');
    expect(source.headerNote).toMatch(/header is on line 3: line 1 \("Budget 2026"\) looks like a title/);
    expect((await all(source.records())).map((r) => [r.line, ...r.cells])).toEqual([
      [4, 'A', '1,5'],
      [5, 'B', '2'],
    ]);
  });

  it('--header-row takes the line as given; without columns line 1 stays the header', async () => {
    const file = write('h.csv', 'Report\nx,y\nCode,Amount\nA,1\n');
    const given = await openCsv(file, { headerRow: 3 });
    expect(given.header).toEqual(['Code', 'Amount']);
    expect(given.headerNote).toBeUndefined();
    expect((await all(given.records())).map((r) => r.line)).toEqual([4]);
    const plain = await openCsv(file);
    expect(plain.header).toEqual(['Report']);
  });

  it('a header on line 1 holding every mapped column is taken without looking further', async () => {
    const file = write('n.csv', 'Code,Amount\nCode,Amount\nA,1\n');
    const source = await openCsv(file, { columns: ['Code'] });
    expect(source.headerNote).toBeUndefined();
    expect((await all(source.records())).map((r) => r.line)).toEqual([2, 3]);
  });

  it('an .xlsx (by extension or signature): sheet rows, typed cells, title line, short rows padded', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Data');
    sheet.addRow(['Budget 2026']);
    sheet.addRow(['Code', 'Amount', 'Start', 'Note']);
    sheet.addRow(['A', 12.5, new Date(Date.UTC(2026, 0, 31))]);
    sheet.getCell('C3').numFmt = 'dd/mm/yyyy';
    const file = path.join(tmp.dir, 'book.bin');
    await book.xlsx.writeFile(file);
    expect(await isWorkbookFile(file)).toBe(true);
    expect(await isWorkbookFile(write('plain.csv', 'a,b\n'))).toBe(false);
    const source = await openInput(file, { columns: ['Code', 'Amount'] });
    expect(source.encoding).toBe('xlsx');
    expect(source.sheet).toBe('Data');
    expect(source.header).toEqual(['Code', 'Amount', 'Start', 'Note']);
    expect(source.headerLine).toBe(2);
    expect(source.headerNote).toMatch(/line 2/);
    const [row] = await all(source.records());
    expect(row?.line).toBe(3);
    expect(row?.cells).toEqual(['A', '12.5', '2026-01-31', '']);
    expect(row?.typed).toEqual([
      undefined,
      { kind: 'number', value: 12.5 },
      { kind: 'date', value: '2026-01-31' },
      undefined,
    ]);
    expect(typeof source.writeXlsxResults).toBe('function');
  });
});
