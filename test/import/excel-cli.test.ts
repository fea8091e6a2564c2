/**
 * Excel in, Excel out (issue 18), through the built CLI against the simulator: results in the input's dialect, a
 * German Excel-style CSV and `.xlsx` workbooks (made here with exceljs, plus samples/budget-allocations.xlsx)
 * validated, imported, resumed and upserted again without changing a record, title lines above the header.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { makeTempDir, readResults } from './helpers.js';

const SAMPLES = path.resolve(import.meta.dirname, '../../samples');
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/csv');

/** A German Excel "CSV UTF-8" export: BOM, `;`, CRLF, `12.500,00`, `01/01/2026`, `Ja`/`Nein`, an umlaut. */
const GERMAN_CSV =
  '\uFEFF' +
  [
    'Kennung;Geschäftsjahr;Betrag;Beginn;Genehmigt;Notiz',
    'DE-1;2026;12.500,00;01/01/2026;Ja;Büromaterial',
    'DE-2;2026;1.250.000,50;15/01/2026;Nein;"Messe; Hannover"',
    'DE-3;2027;980,75;31/12/2026;ja;',
  ].join('\r\n') +
  '\r\n';

const GERMAN_MAPPING = `object: 102
timezone: America/Los_Angeles
key: allocation-code
fields:
  kennung: { field: allocation-code, required: true }
  Geschäftsjahr: { field: fiscal-year, type: integer }
  Betrag: { field: amount, type: decimal, decimal: ',', group: '.' }
  Beginn: { field: start-date, type: date, format: DD/MM/YYYY }
  Genehmigt: { field: approved, type: boolean, true: [Ja], false: [Nein] }
  Notiz: notes
`;

/** The custom fields of object 102's records by key (without the timestamps an update moves). */
function recordsByKey(sim: Simulator): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const r of sim.records(102)) {
    const fields = r['custom-fields'] as Record<string, unknown>;
    out.set(String(fields['allocation-code']), fields);
  }
  return out;
}

interface Summary {
  rows: number;
  created: number;
  updated: number;
  failed: number;
  invalid: number;
  skipped?: number;
  results: string;
  resultsXlsx?: string;
}

describe('Excel in, Excel out through the CLI', () => {
  let sim: Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    sim = await startTestSim();
    tmp = makeTempDir('excel-cli');
  });
  afterAll(async () => {
    await sim.close();
    tmp.cleanup();
  });

  describe('results in the input dialect', () => {
    const cases: Array<{ file: string; delimiter: string; eol: string; bom: boolean }> = [
      { file: 'semicolon.csv', delimiter: ';', eol: '\n', bom: false },
      { file: 'tab.tsv', delimiter: '\t', eol: '\n', bom: false },
      { file: 'pipe.csv', delimiter: '|', eol: '\n', bom: false },
      { file: 'crlf.csv', delimiter: ',', eol: '\r\n', bom: false },
      { file: 'bom.csv', delimiter: ',', eol: '\n', bom: true },
      { file: 'cp1252.csv', delimiter: ';', eol: '\r\n', bom: true },
      { file: 'utf16le.csv', delimiter: '\t', eol: '\r\n', bom: true },
    ];
    for (const c of cases) {
      it(`${c.file}: delimiter ${JSON.stringify(c.delimiter)}, ${JSON.stringify(c.eol)}, BOM ${c.bom}, header as written`, async () => {
        const input = path.join(tmp.dir, c.file);
        fs.copyFileSync(path.join(FIXTURES, c.file), input);
        const mapping = path.join(tmp.dir, `${c.file}.mapping.yaml`);
        fs.writeFileSync(mapping, 'object: 101\nfields:\n  Vendor Code: vendor-code\n');
        const results = path.join(tmp.dir, `${c.file}.results.csv`);
        const res = await runCli(['validate', input, '--mapping', mapping, '--results', results, '--json']);
        expect(res.code, res.stderr).toBe(0);
        const bytes = fs.readFileSync(results);
        expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(c.bom);
        const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
        const firstLine = text.slice(0, text.indexOf('\n') + 1);
        expect(firstLine.endsWith(c.eol)).toBe(true);
        expect(firstLine.startsWith(['_line', '_status', '_id', '_error', '_code'].join(c.delimiter))).toBe(
          true,
        );
        // Every line ends the same way (no LF-only line in a CRLF file).
        if (c.eol === '\r\n')
          expect(
            text
              .split('\n')
              .slice(0, -1)
              .every((l) => l.endsWith('\r')),
          ).toBe(true);
        else expect(text.includes('\r')).toBe(false);
      });
    }
  });

  describe('a German Excel-style CSV', () => {
    let input: string;
    let mapping: string;
    let results: string;
    beforeAll(() => {
      input = path.join(tmp.dir, 'Budget DE.csv');
      mapping = path.join(tmp.dir, 'budget-de.mapping.yaml');
      results = path.join(tmp.dir, 'Budget DE.results.csv');
      fs.writeFileSync(input, GERMAN_CSV);
      fs.writeFileSync(mapping, GERMAN_MAPPING);
    });

    it('validates, and its results file is `;`, BOM, CRLF with the input columns byte for byte', async () => {
      const res = await runCli(['validate', input, '--mapping', mapping, '--json']);
      expect(res.code, res.stderr).toBe(0);
      const text = fs.readFileSync(results, 'utf8');
      expect(text.startsWith('\uFEFF_line;_status;_id;_error;_code;Kennung;Geschäftsjahr;Betrag;')).toBe(
        true,
      );
      const lines = text.slice(1).split('\r\n');
      expect(lines[1]).toBe('2;valid;;;;DE-1;2026;12.500,00;01/01/2026;Ja;Büromaterial');
      expect(lines[2]).toBe('3;valid;;;;DE-2;2026;1.250.000,50;15/01/2026;Nein;"Messe; Hannover"');
      expect(lines[4]).toBe('');
      expect(lines).toHaveLength(5);
    });

    it('imports, resumes from its `;` results file, and an upsert of the same file changes no record', async () => {
      const created = await runCli(['import', input, '--mapping', mapping, '--json'], { env: simEnv(sim) });
      expect(created.code, created.stderr).toBe(0);
      expect(JSON.parse(created.stdout)).toMatchObject({ rows: 3, created: 3, failed: 0 });
      const before = recordsByKey(sim);
      expect(before.get('DE-2')).toMatchObject({
        amount: '1250000.50',
        approved: false,
        notes: 'Messe; Hannover',
        'fiscal-year': 2026,
      });
      expect(before.get('DE-3')).toMatchObject({ approved: true, amount: '980.75' });
      expect(fs.readFileSync(results, 'utf8').startsWith('\uFEFF_line;_status;')).toBe(true);

      // --resume reads the `;` + BOM + CRLF results file: every row is carried over, nothing sent.
      const resumed = await runCli(['import', input, '--mapping', mapping, '--resume', '--json'], {
        env: simEnv(sim),
      });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ rows: 3, created: 0, updated: 0, skipped: 3 });
      expect(readResults(results).map((r) => r._status)).toEqual(['created', 'created', 'created']);

      const upsert = await runCli(['import', input, '--mapping', mapping, '--mode', 'upsert', '--json'], {
        env: simEnv(sim),
      });
      expect(upsert.code, upsert.stderr).toBe(0);
      const summary = JSON.parse(upsert.stdout) as Summary;
      expect(summary.created).toBe(0);
      expect(summary.failed).toBe(0);
      expect(recordsByKey(sim)).toEqual(before);
    });
  });

  describe('.xlsx input', () => {
    it('samples/budget-allocations.xlsx: validate, import, --resume and an upsert that changes nothing', async () => {
      const input = path.join(tmp.dir, 'budget-allocations.xlsx');
      fs.copyFileSync(path.join(SAMPLES, 'budget-allocations.xlsx'), input);
      const mapping = path.join(SAMPLES, 'budget-allocations.mapping.yaml');
      const valid = await runCli(['validate', input, '--mapping', mapping, '--json']);
      expect(valid.code, valid.stderr).toBe(0);
      // Nothing on stderr: no deprecation warning from exceljs's dependencies either.
      expect(valid.stderr).toBe('');
      const validSummary = JSON.parse(valid.stdout) as Summary;
      expect(validSummary).toMatchObject({ encoding: 'xlsx', invalid: 0 });
      expect(validSummary.resultsXlsx).toBe(path.join(tmp.dir, 'budget-allocations.results.xlsx'));

      const created = await runCli(['import', input, '--mapping', mapping, '--json'], { env: simEnv(sim) });
      expect(created.code, created.stderr).toBe(0);
      const summary = JSON.parse(created.stdout) as Summary;
      expect(summary.created).toBe(summary.rows);
      // Typed cells: a date cell needs no format, a number cell no decimal: ','.
      const records = recordsByKey(sim);
      const csvRows = readResults(summary.results);
      expect(csvRows.length).toBe(summary.rows);
      expect(csvRows[0]?._line).toBe('2');

      // The workbook of results: `_` columns first, then the input's columns, typed.
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(summary.resultsXlsx as string);
      const sheet = book.worksheets[0] as ExcelJS.Worksheet;
      const header = (sheet.getRow(1).values as unknown[]).slice(1);
      expect(header.slice(0, 5)).toEqual(['_line', '_status', '_id', '_error', '_code']);
      const amountColumn = header.indexOf('Amount') + 1;
      expect(typeof sheet.getRow(2).getCell(amountColumn).value).toBe('number');
      expect(sheet.getRow(2).getCell(2).value).toBe('created');
      expect(sheet.rowCount).toBe(summary.rows + 1);

      const resumed = await runCli(['import', input, '--mapping', mapping, '--resume', '--json'], {
        env: simEnv(sim),
      });
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse(resumed.stdout)).toMatchObject({ created: 0, skipped: summary.rows });

      const upsert = await runCli(['import', input, '--mapping', mapping, '--mode', 'upsert', '--json'], {
        env: simEnv(sim),
      });
      expect(upsert.code, upsert.stderr).toBe(0);
      expect(JSON.parse(upsert.stdout)).toMatchObject({ created: 0, failed: 0 });
      expect(recordsByKey(sim)).toEqual(records);
    });

    it('a workbook whose shared strings outgrow memory: every row read back exactly, no temporary file left', async () => {
      // 12,000 distinct notes of ~200 characters: ~2.5 MB of shared strings, past the 2 MiB kept in memory.
      const file = path.join(tmp.dir, 'many-strings.xlsx');
      const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
      const sheet = writer.addWorksheet('Allocations');
      sheet.addRow(['Code', 'Amount', 'Notes']).commit();
      const note = (i: number): string => `Note ${i}: ${'Kostenstelle Büro '.repeat(11)}${i}`;
      for (let i = 1; i <= 12_000; i++) sheet.addRow([`MS-${i}`, i / 4, note(i)]).commit();
      sheet.commit();
      await writer.commit();
      const mapping = path.join(tmp.dir, 'many-strings.mapping.yaml');
      fs.writeFileSync(
        mapping,
        `object: 102
timezone: America/Los_Angeles
fields:
  Code: { field: allocation-code, required: true }
  Amount: { field: amount, type: decimal }
  Notes: notes
`,
      );
      const temp = path.join(tmp.dir, 'tmp-for-strings');
      fs.mkdirSync(temp);
      const run = await runCli(['validate', file, '--mapping', mapping, '--json'], { env: { TMPDIR: temp } });
      expect(run.code, run.stderr).toBe(0);
      const summary = JSON.parse(run.stdout) as Summary;
      expect(summary).toMatchObject({ rows: 12_000, invalid: 0 });
      const rows = readResults(summary.results);
      expect(rows).toHaveLength(12_000);
      for (const i of [1, 2, 5_000, 9_999, 12_000]) {
        expect(rows[i - 1]).toMatchObject({ _line: String(i + 1), Code: `MS-${i}`, Notes: note(i) });
      }
      // The results workbook, rebuilt from the same table.
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(summary.resultsXlsx as string);
      const results = book.worksheets[0] as ExcelJS.Worksheet;
      expect(results.rowCount).toBe(12_001);
      expect(results.getRow(9_001).getCell(8).value).toBe(note(9_000));
      expect(results.getRow(9_001).getCell(7).value).toBe(2_250);
      // The table's temporary file was removed as soon as it was open.
      if (process.platform !== 'win32') expect(fs.readdirSync(temp)).toEqual([]);
      // A temporary folder that is not there: the run stops before any row, naming the workbook and the folder.
      const missing = path.join(tmp.dir, 'no-such-tmp');
      const refused = await runCli(['validate', file, '--mapping', mapping, '--json'], {
        env: { TMPDIR: missing },
      });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(file);
      expect(refused.stderr).toContain(missing);
      expect(refused.stderr).toContain('TMPDIR');
    });

    it('a workbook with a title line: header found and reported, typed cells, sheet row numbers; --sheet; --header-row', async () => {
      const file = path.join(tmp.dir, 'titled.xlsx');
      const book = new ExcelJS.Workbook();
      const other = book.addWorksheet('Notes');
      other.addRow(['nothing to import here']);
      const sheet = book.addWorksheet('Budget');
      sheet.addRow(['Budget 2026 - Cost centres']);
      sheet.addRow([]);
      sheet.addRow(['Code', 'Year', 'Amount', 'Start', 'OK']);
      sheet.addRow(['X-1', 2026, 12500, new Date(Date.UTC(2026, 0, 1)), true]);
      sheet.addRow(['X-2', 2026, 0.5, new Date(Date.UTC(2026, 1, 28)), false]);
      sheet.getColumn(4).numFmt = 'dd.mm.yyyy';
      sheet.getColumn(3).numFmt = '#,##0.00';
      await book.xlsx.writeFile(file);
      const mapping = path.join(tmp.dir, 'titled.mapping.yaml');
      // decimal: ',' and a German date format: a typed cell ignores both.
      fs.writeFileSync(
        mapping,
        `object: 102
timezone: America/Los_Angeles
key: allocation-code
fields:
  Code: allocation-code
  Year: { field: fiscal-year, type: integer }
  Amount: { field: amount, type: decimal, decimal: ',', group: '.' }
  Start: { field: start-date, type: date, format: DD/MM/YYYY }
  OK: { field: approved, type: boolean, true: [Ja], false: [Nein] }
`,
      );
      const res = await runCli(['import', file, '--mapping', mapping, '--sheet', 'budget', '--json'], {
        env: simEnv(sim),
      });
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toMatch(
        /header is on line 3: line 1 \("Budget 2026 - Cost centres"\) looks like a title/,
      );
      const summary = JSON.parse(res.stdout) as Summary;
      expect(summary).toMatchObject({ rows: 2, created: 2, sheet: 'Budget' });
      expect(readResults(summary.results).map((r) => r._line)).toEqual(['4', '5']);
      expect(recordsByKey(sim).get('X-1')).toMatchObject({
        amount: '12500.00',
        'fiscal-year': 2026,
        approved: true,
        'start-date': '2026-01-01T00:00:00-08:00',
      });
      expect(recordsByKey(sim).get('X-2')).toMatchObject({ amount: '0.50', approved: false });

      const given = await runCli([
        'validate',
        file,
        '--mapping',
        mapping,
        '--sheet',
        'Budget',
        '--header-row',
        '3',
        '--results',
        path.join(tmp.dir, 'titled-given.results.csv'),
        '--json',
      ]);
      expect(given.code, given.stderr).toBe(0);
      expect(given.stderr).not.toMatch(/looks like a title/);

      const noSheet = await runCli(['validate', file, '--mapping', mapping, '--sheet', 'Budgte']);
      expect(noSheet.code).toBe(2);
      expect(noSheet.stderr).toMatch(/no sheet "Budgte".*Budget/);
    });

    it('the CLI bundle loads exceljs only for a workbook (a dynamic import, not at start-up)', () => {
      // Every file the bin loads statically (its `import ... from "./chunks/x.js"`), transitively: none imports exceljs.
      const seen = new Set<string>();
      const visit = (file: string): void => {
        if (seen.has(file)) return;
        seen.add(file);
        const text = fs.readFileSync(file, 'utf8');
        expect(text, file).not.toMatch(/from\s*["']exceljs["']/);
        for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;()]*?from\s*["'](\.[^"']+)["']/g))
          visit(path.resolve(path.dirname(file), m[1] as string));
      };
      visit(CLI_PATH);
      expect(seen.size).toBeGreaterThan(1);
      // ... and the workbook reader is a chunk of its own, imported on demand.
      const chunks = fs.readdirSync(path.join(path.dirname(CLI_PATH), 'chunks'));
      expect(chunks.some((c) => c.startsWith('xlsx-input-'))).toBe(true);
    });

    it('a workbook named .dat is still read as one (ZIP signature)', async () => {
      const file = path.join(tmp.dir, 'export.dat');
      const book = new ExcelJS.Workbook();
      book.addWorksheet('S').addRows([['Code'], ['Z-1']]);
      await book.xlsx.writeFile(file);
      const mapping = path.join(tmp.dir, 'z.mapping.yaml');
      fs.writeFileSync(mapping, 'object: 102\nfields:\n  Code: allocation-code\n');
      const res = await runCli(['validate', file, '--mapping', mapping, '--json']);
      expect(res.code, res.stderr).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({ encoding: 'xlsx', rows: 1, valid: 1 });
    });
  });

  describe('a title line above a CSV header', () => {
    it('is found and reported; _line counts the skipped lines; --header-row takes a line as given', async () => {
      const file = path.join(tmp.dir, 'titled-csv.csv');
      fs.writeFileSync(file, 'Budget 2026 - Cost centres\r\n\r\nCode;Amount\r\nT-1;1,5\r\nT-2;2\r\n');
      const mapping = path.join(tmp.dir, 'titled-csv.mapping.yaml');
      fs.writeFileSync(
        mapping,
        'object: 102\nfields:\n  Code: allocation-code\n  Amount: { field: amount, type: decimal, decimal: "," }\n',
      );
      const results = path.join(tmp.dir, 'titled-csv.results.csv');
      const res = await runCli(['validate', file, '--mapping', mapping, '--json']);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stderr).toMatch(
        /header is on line 3: line 1 \("Budget 2026 - Cost centres"\) looks like a title/,
      );
      expect(JSON.parse(res.stdout)).toMatchObject({ rows: 2, valid: 2, delimiter: ';' });
      expect(readResults(results).map((r) => [r._line, r.Code])).toEqual([
        ['4', 'T-1'],
        ['5', 'T-2'],
      ]);

      const given = await runCli(['validate', file, '--mapping', mapping, '--header-row', '3', '--json']);
      expect(given.code, given.stderr).toBe(0);
      expect(given.stderr).not.toMatch(/looks like a title/);
      expect(readResults(results).map((r) => r._line)).toEqual(['4', '5']);

      const blank = await runCli(['validate', file, '--mapping', mapping, '--header-row', '2']);
      expect(blank.code).toBe(2);
      expect(blank.stderr).toMatch(/--header-row 2: line 2 is blank \(the next filled line is 3\)/);
    });
  });
});
