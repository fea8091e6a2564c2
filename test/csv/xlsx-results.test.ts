import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openXlsxResults, rebuildXlsxResults } from '../../src/csv/xlsx-results.js';
import { openXlsx, type XlsxRow } from '../../src/csv/xlsx-source.js';
import { InputError } from '../../src/shared/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xlsx-results-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function collect(rows: AsyncIterable<XlsxRow>): Promise<XlsxRow[]> {
  const out: XlsxRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** Reads a finished workbook with exceljs's whole-file reader: an independent check of what was written. */
async function readBack(file: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  const ws = wb.worksheets[0];
  const rows: unknown[][] = [];
  ws?.eachRow({ includeEmpty: false }, (row) => {
    rows.push((row.values as unknown[]).slice(1));
  });
  return rows;
}

const HEADER = ['Code', 'Amount', 'Start', 'Approved At', 'Approved', 'Notes'];

describe('openXlsxResults', () => {
  it('writes the result columns then the input columns with typed values, and renames into place', async () => {
    const out = join(dir, 'typed.results.xlsx');
    const writer = await openXlsxResults(out, { header: HEADER });
    await writer.append({
      line: 4,
      status: 'created',
      id: '1017',
      cells: ['BA-1', '12500.00', '2026-01-15', '2026-05-01T10:15:30', 'TRUE', '=SUM(A1)'],
      typed: [
        undefined,
        { kind: 'number', value: 12500 },
        { kind: 'date', value: '2026-01-15' },
        { kind: 'datetime', value: '2026-05-01T10:15:30' },
        { kind: 'boolean', value: true },
        undefined,
      ],
    });
    await writer.append({
      line: 6,
      status: 'failed',
      error: 'Amount: is not a number',
      code: 'invalid-value',
      cells: ['BA-2', 'abc', '', '', '', 'Büro'],
    });
    // Nothing at the path before close: a reader never sees half a workbook.
    await expect(readFile(out)).rejects.toThrow();
    expect(writer.rows).toBe(2);
    await writer.close();
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const rows = await readBack(out);
    expect(rows[0]).toEqual(['_line', '_status', '_id', '_error', '_code', ...HEADER]);
    const first = rows[1] as unknown[];
    expect(first.slice(0, 3)).toEqual([4, 'created', 1017]);
    expect(first[5]).toBe('BA-1');
    expect(first[6]).toBe(12500);
    expect(first[7]).toEqual(new Date(Date.UTC(2026, 0, 15)));
    expect(first[8]).toEqual(new Date(Date.UTC(2026, 4, 1, 10, 15, 30)));
    expect(first[9]).toBe(true);
    // A text that looks like a formula stays text in a workbook: nothing to escape.
    expect(first[10]).toBe('=SUM(A1)');
    expect(rows[2]).toEqual([
      6,
      'failed',
      undefined,
      'Amount: is not a number',
      'invalid-value',
      'BA-2',
      'abc',
      undefined,
      undefined,
      undefined,
      'Büro',
    ]);

    // And through our own reader: the same typed cells come back.
    const again = await collect((await openXlsx(out)).rows());
    expect(again[1]?.typed.slice(5, 10)).toEqual([
      undefined,
      { kind: 'number', value: 12500 },
      { kind: 'date', value: '2026-01-15' },
      { kind: 'datetime', value: '2026-05-01T10:15:30' },
      { kind: 'boolean', value: true },
    ]);
  });

  it('abort leaves the earlier results file as it was and no temp file', async () => {
    const out = join(dir, 'aborted.results.xlsx');
    await writeFile(out, 'earlier');
    const writer = await openXlsxResults(out, { header: ['A'] });
    await writer.append({ line: 2, status: 'created', cells: ['x'] });
    await writer.abort();
    expect(await readFile(out, 'utf8')).toBe('earlier');
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(writer.append({ line: 3, status: 'created', cells: ['y'] })).rejects.toThrow('aborted');
  });

  it('refuses a folder it cannot write to', async () => {
    const error = await openXlsxResults(join(dir, 'no-such-dir', 'r.xlsx'), { header: ['A'] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('RESULTS_UNWRITABLE');
  });

  it('rebuilds the xlsx from the CSV journal, typing the cells from the input sheet', async () => {
    const input = join(dir, 'input.xlsx');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Data');
    ws.getCell('A1').value = 'Budget 2026 - Cost centres';
    ws.getRow(3).values = ['Code', 'Amount', 'Start'];
    ws.getRow(4).values = ['BA-1', 10.5, new Date(Date.UTC(2026, 0, 1))];
    ws.getCell('C4').numFmt = 'yyyy-mm-dd';
    ws.getRow(5).values = ['BA-2', 20, new Date(Date.UTC(2026, 1, 1))];
    ws.getCell('C5').numFmt = 'yyyy-mm-dd';
    await wb.xlsx.writeFile(input);
    const journal = join(dir, 'input.results.csv');
    // Out of line order (rows finish in any order), and BA-2's amount edited in the journal: that cell is text.
    await writeFile(
      journal,
      '_line,_status,_id,_error,_code,Code,Amount,Start\n' +
        '5,failed,,"Amount: rejected",rejected,BA-2,twenty,2026-02-01\n' +
        '4,created,77,,,BA-1,10.5,2026-01-01\n',
    );
    const out = join(dir, 'input.results.xlsx');
    const result = await rebuildXlsxResults({ journal, input: await openXlsx(input), out });
    expect(result.rows).toBe(2);
    const rows = await readBack(out);
    expect(rows).toEqual([
      ['_line', '_status', '_id', '_error', '_code', 'Code', 'Amount', 'Start'],
      [
        5,
        'failed',
        undefined,
        'Amount: rejected',
        'rejected',
        'BA-2',
        'twenty',
        new Date(Date.UTC(2026, 1, 1)),
      ],
      [4, 'created', 77, undefined, undefined, 'BA-1', 10.5, new Date(Date.UTC(2026, 0, 1))],
    ]);
  });

  it('refuses a journal without the result columns', async () => {
    const input = join(dir, 'input.xlsx');
    const journal = join(dir, 'bad-journal.csv');
    await writeFile(journal, 'Code,Amount\nBA-1,1\n');
    const error = await rebuildXlsxResults({
      journal,
      input: await openXlsx(input),
      out: join(dir, 'never.xlsx'),
    }).catch((e: unknown) => e);
    expect((error as InputError).code).toBe('JOURNAL');
  });
});
