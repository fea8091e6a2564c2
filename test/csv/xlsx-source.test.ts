import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  formatKind,
  formatNumber,
  listXlsxSheets,
  openXlsx,
  serialToWallClock,
  type XlsxRow,
} from '../../src/csv/xlsx-source.js';
import { InputError } from '../../src/shared/errors.js';
import { findHeaderRow, HEADER_SCAN_LINES } from '../../src/csv/header-row.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xlsx-source-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(rows: AsyncIterable<XlsxRow>): Promise<XlsxRow[]> {
  const out: XlsxRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** A workbook as a finance user's: title line, blank line, header on line 3, typed cells, a second sheet. */
async function makeBudgetWorkbook(file: string, date1904 = false): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.properties.date1904 = date1904;
  const ws = wb.addWorksheet('Allocations');
  ws.getCell('A1').value = 'Budget 2026 - Cost centres';
  ws.getRow(3).values = ['Code', 'Amount', 'Start', 'Approved At', 'Approved', 'Notes', 'Total'];
  const r4 = ws.getRow(4);
  r4.getCell(1).value = 'BA-1';
  r4.getCell(2).value = 12500;
  r4.getCell(2).numFmt = '#,##0.00';
  r4.getCell(3).value = new Date(Date.UTC(2026, 0, 15));
  r4.getCell(3).numFmt = 'dd/mm/yyyy';
  r4.getCell(4).value = new Date(Date.UTC(2026, 4, 1, 10, 15, 30));
  r4.getCell(4).numFmt = 'yyyy-mm-dd hh:mm:ss';
  r4.getCell(5).value = true;
  r4.getCell(6).value = { richText: [{ text: 'Q1 ', font: { bold: true } }, { text: 'campaigns' }] };
  r4.getCell(7).value = { formula: 'B4*2', result: 25000 };
  // Row 5 left empty inside the sheet; row 6 has float noise and a date formula.
  const r6 = ws.getRow(6);
  r6.getCell(1).value = 'BA-2';
  r6.getCell(2).value = 0.1 + 0.2;
  r6.getCell(3).value = { formula: 'DATE(2026,2,28)', result: new Date(Date.UTC(2026, 1, 28)) };
  r6.getCell(3).numFmt = 'yyyy-mm-dd';
  r6.getCell(5).value = false;
  r6.getCell(6).value = 'Büro; "quoted"';
  r6.getCell(7).value = { formula: 'B6*2', result: 0.6000000000000001 };
  ws.getRow(7).getCell(1).value = 'BA-3';
  ws.getRow(7).getCell(6).value = 'Q1 campaigns'; // the same shared string twice
  const other = wb.addWorksheet('Notes');
  other.getCell('A1').value = 'not this one';
  await wb.xlsx.writeFile(file);
}

describe('openXlsx', () => {
  it('reads the first sheet: shared strings, rich text, typed numbers, dates, date-times, booleans, formulas', async () => {
    const file = join(dir, 'budget.xlsx');
    await makeBudgetWorkbook(file);
    const source = await openXlsx(file);
    expect(source.sheets).toEqual(['Allocations', 'Notes']);
    expect(source.sheet).toBe('Allocations');
    expect(source.date1904).toBe(false);
    const rows = await collect(source.rows());
    expect(rows.map((r) => r.line)).toEqual([1, 3, 4, 6, 7]);
    expect(rows[0]?.cells).toEqual(['Budget 2026 - Cost centres']);
    expect(rows[1]?.cells).toEqual(['Code', 'Amount', 'Start', 'Approved At', 'Approved', 'Notes', 'Total']);
    expect(rows[2]).toEqual({
      line: 4,
      cells: ['BA-1', '12500.00', '2026-01-15', '2026-05-01T10:15:30', 'TRUE', 'Q1 campaigns', '25000'],
      typed: [
        undefined,
        { kind: 'number', value: 12500 },
        { kind: 'date', value: '2026-01-15' },
        { kind: 'datetime', value: '2026-05-01T10:15:30' },
        { kind: 'boolean', value: true },
        undefined,
        { kind: 'number', value: 25000 },
      ],
    });
    expect(rows[3]).toEqual({
      line: 6,
      cells: ['BA-2', '0.3', '2026-02-28', '', 'FALSE', 'Büro; "quoted"', '0.6'],
      typed: [
        undefined,
        { kind: 'number', value: 0.3 },
        { kind: 'date', value: '2026-02-28' },
        undefined,
        { kind: 'boolean', value: false },
        undefined,
        { kind: 'number', value: 0.6 },
      ],
    });
    expect(rows[4]?.cells).toEqual(['BA-3', '', '', '', '', 'Q1 campaigns']);
    // rows() reads the file again on each call.
    expect((await collect(source.rows())).length).toBe(5);
  });

  it("finds the header below a title line of a sheet, with the sheet's line numbers", async () => {
    const file = join(dir, 'budget.xlsx');
    await makeBudgetWorkbook(file);
    const head: XlsxRow[] = [];
    for await (const row of (await openXlsx(file)).rows()) {
      if (row.line > HEADER_SCAN_LINES) break;
      head.push(row);
    }
    const found = findHeaderRow(head, { columns: ['Code', 'Amount', 'Start'] });
    expect(found).toMatchObject({ line: 3, index: 1, detected: true });
    expect(found.note).toContain('"Budget 2026 - Cost centres"');
    expect(head.slice(found.index + 1).map((r) => r.line)).toEqual([4, 6, 7]);
  });

  it('reads a 1904-dated workbook to the same calendar dates', async () => {
    const file = join(dir, 'budget-1904.xlsx');
    await makeBudgetWorkbook(file, true);
    const source = await openXlsx(file);
    expect(source.date1904).toBe(true);
    const rows = await collect(source.rows());
    expect(rows[2]?.typed[2]).toEqual({ kind: 'date', value: '2026-01-15' });
    expect(rows[2]?.typed[3]).toEqual({ kind: 'datetime', value: '2026-05-01T10:15:30' });
    expect(rows[3]?.typed[2]).toEqual({ kind: 'date', value: '2026-02-28' });
  });

  it('does not shift dates with the machine time zone', async () => {
    const file = join(dir, 'budget.xlsx');
    await makeBudgetWorkbook(file);
    const before = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      const rows = await collect((await openXlsx(file)).rows());
      expect(rows[2]?.cells[2]).toBe('2026-01-15');
      expect(rows[2]?.cells[3]).toBe('2026-05-01T10:15:30');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('reads the sheet named by --sheet, and lists the sheets', async () => {
    const file = join(dir, 'budget.xlsx');
    await makeBudgetWorkbook(file);
    expect(await listXlsxSheets(file)).toEqual(['Allocations', 'Notes']);
    const source = await openXlsx(file, { sheet: 'notes' });
    expect(source.sheet).toBe('Notes');
    expect(await collect(source.rows())).toEqual([{ line: 1, cells: ['not this one'], typed: [undefined] }]);
  });

  it('refuses an unknown sheet, naming the closest one', async () => {
    const file = join(dir, 'budget.xlsx');
    await makeBudgetWorkbook(file);
    const error = await openXlsx(file, { sheet: 'Allocation' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('NOT_FOUND');
    expect((error as InputError).message).toContain('no sheet "Allocation" (did you mean "Allocations"?)');
    const other = await openXlsx(file, { sheet: 'Zzzzzzzzz' }).catch((e: unknown) => e);
    expect((other as InputError).message).toContain('(one of: Allocations, Notes)');
  });

  it('refuses a missing file and a file that is not a workbook', async () => {
    const missing = await openXlsx(join(dir, 'nope.xlsx')).catch((e: unknown) => e);
    expect((missing as InputError).code).toBe('NOT_FOUND');
    const text = join(dir, 'text.xlsx');
    await writeFile(text, 'a,b\n1,2\n');
    const bad = await openXlsx(text).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InputError);
    expect((bad as InputError).code).toBe('UNREADABLE');
  });

  it('reads a workbook written by the streaming writer (inline order of parts)', async () => {
    const file = join(dir, 'streamed.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: file,
      useSharedStrings: true,
      useStyles: true,
    });
    const ws = wb.addWorksheet('Data');
    ws.addRow(['Code', 'When']).commit();
    const row = ws.addRow(['X', new Date(Date.UTC(2026, 11, 31))]);
    row.getCell(2).numFmt = 'yyyy-mm-dd';
    row.commit();
    ws.commit();
    await wb.commit();
    const rows = await collect((await openXlsx(file)).rows());
    expect(rows).toEqual([
      { line: 1, cells: ['Code', 'When'], typed: [undefined, undefined] },
      { line: 2, cells: ['X', '2026-12-31'], typed: [undefined, { kind: 'date', value: '2026-12-31' }] },
    ]);
  });

  it('reads the same rows when the shared strings outgrow memory and go to a temporary file', async () => {
    const file = join(dir, 'many-strings.xlsx');
    const spillDir = await mkdtemp(join(dir, 'spill-'));
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
    const ws = wb.addWorksheet('Vendors');
    ws.addRow(['Code', 'Name', 'Region', 'Amount']).commit();
    // Two new strings a row and a few repeated ones: the cells refer back to the start of the table all along.
    for (let i = 1; i <= 3000; i++)
      ws.addRow([
        `V-${i}`,
        `Vendor ${i}, Größe ${'x'.repeat(i % 50)}`,
        ['EMEA', 'APAC', 'AMER'][i % 3],
        i / 4,
      ]).commit();
    ws.commit();
    await wb.commit();
    const inMemory = await collect((await openXlsx(file)).rows());
    const source = await openXlsx(file, { sharedStrings: { memoryLimit: 4096, tempDir: spillDir } });
    const spilled = await collect(source.rows());
    expect(spilled).toHaveLength(3001);
    expect(spilled).toEqual(inMemory);
    expect(spilled[2000]?.cells).toEqual(['V-2000', 'Vendor 2000, Größe ', 'AMER', '500']);
    // A second pass reads the same table again, from its file.
    expect(await collect(source.rows())).toEqual(inMemory);
    if (process.platform !== 'win32') expect(await readdir(spillDir)).toEqual([]);
  });

  it('reports a temporary folder it cannot use, naming the workbook and the folder', async () => {
    const file = join(dir, 'spill-fails.xlsx');
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
    const ws = wb.addWorksheet('Vendors');
    // More than a block (64 KiB) of text: the table spills when its first block is sealed.
    for (let i = 1; i <= 6000; i++) ws.addRow([`Vendor ${i}, Incorporated`]).commit();
    ws.commit();
    await wb.commit();
    const missing = join(dir, 'no-such-folder');
    const source = await openXlsx(file, { sharedStrings: { memoryLimit: 1024, tempDir: missing } });
    const error = await collect(source.rows()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('UNREADABLE');
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain('ENOENT');
  });
});

describe('number formats', () => {
  it('tells dates, date-times and times from numbers', () => {
    expect(formatKind('m/d/yyyy')).toBe('date');
    expect(formatKind('mm-dd-yy')).toBe('date'); // built-in 14, Excel's short date
    expect(formatKind('m/d/yy h:mm')).toBe('datetime'); // built-in 22
    expect(formatKind('mmss.0')).toBe('time'); // built-in 47
    expect(formatKind('dd/mm/yyyy')).toBe('date');
    expect(formatKind('[$-407]d. mmmm yyyy')).toBe('date');
    expect(formatKind('yyyy-mm-dd hh:mm:ss')).toBe('datetime');
    expect(formatKind('m/d/yy h:mm AM/PM')).toBe('datetime');
    expect(formatKind('h:mm')).toBe('time');
    expect(formatKind('[h]:mm:ss')).toBe('time');
    expect(formatKind('mm:ss')).toBe('time');
    expect(formatKind('General')).toBe('number');
    expect(formatKind('#,##0.00 "days"')).toBe('number');
    expect(formatKind('[Red]#,##0.00')).toBe('number');
    expect(formatKind(undefined)).toBe('number');
  });

  it('shows numbers with the decimals the format fixes, else 15 significant digits', () => {
    expect(formatNumber(0.1 + 0.2, undefined)).toBe('0.3');
    expect(formatNumber(1.005, '0.00')).toBe('1.01');
    expect(formatNumber(-2.5, '0')).toBe('-3');
    expect(formatNumber(1250000.5, '#,##0.00')).toBe('1250000.50');
    expect(formatNumber(0.125, '0.0%')).toBe('12.5%');
    expect(formatNumber(123456789012, 'General')).toBe('123456789012');
    expect(formatNumber(1e-7, undefined)).toBe('0.0000001');
  });

  it('turns serials into wall clocks in both date systems', () => {
    expect(serialToWallClock(46037, false)).toEqual(['2026-01-15', '00:00:00']);
    expect(serialToWallClock(46037 - 1462, true)).toEqual(['2026-01-15', '00:00:00']);
    expect(serialToWallClock(1, false)).toEqual(['1900-01-01', '00:00:00']);
    expect(serialToWallClock(61, false)).toEqual(['1900-03-01', '00:00:00']);
    expect(serialToWallClock(0.4274305555, false)?.[1]).toBe('10:15:30');
    expect(serialToWallClock(-1, false)).toBeUndefined();
  });
});
