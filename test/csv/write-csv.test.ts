import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeColumn } from '../../src/shared/column-name.js';
import { escapeFormula, formatCsvRow, openCsv } from '../../src/csv/index.js';
import type { CsvRecord } from '../../src/csv/types.js';
import { stringify } from 'csv-stringify/sync';

describe('escapeFormula', () => {
  it.each([
    ['=SUM(A1:A2)', "'=SUM(A1:A2)"],
    ['+cmd', "'+cmd"],
    ['-2+3', "'-2+3"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ["-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"],
    ['-', "'-"],
    ['-12.5', '-12.5'],
    ['+49', '+49'],
    ['-1,234.50', '-1,234.50'],
    ['+44 20 1234', "'+44 20 1234"],
    ["-1'234", "'-1'234"],
    ['-1e5', '-1e5'],
    ['12', '12'],
    ['plain', 'plain'],
    ['', ''],
    ['a=b', 'a=b'],
  ])('%j -> %j', (cell, expected) => {
    expect(escapeFormula(cell)).toBe(expected);
  });
});

describe('formatCsvRow', () => {
  it.each([
    [['a', 'b'], undefined, 'a,b\n'],
    [['a,b', 'c"d', 'e\nf', 'g\rh', ' i '], undefined, '"a,b","c""d","e\nf","g\rh", i \n'],
    [['a;b', 'c,d'], ';', '"a;b";c,d\n'],
    [['a\tb', 'c'], '\t', '"a\tb"\tc\n'],
    [['a|b', 'c'], '|', '"a|b"|c\n'],
    [[''], undefined, '""\n'],
    [['', ''], undefined, ',\n'],
  ])('%j with %j', (cells, delimiter, expected) => {
    expect(formatCsvRow(cells, delimiter === undefined ? {} : { delimiter })).toBe(expected);
  });

  it('escapes formulas when excelSafe', () => {
    expect(formatCsvRow(['=1+1', '-5', '@x'], { excelSafe: true })).toBe("'=1+1,-5,'@x\n");
    expect(formatCsvRow(['=1+1'])).toBe('=1+1\n');
  });
});

describe('formatCsvRow writes exactly what csv-stringify writes (property)', () => {
  it('for arbitrary cells and every delimiter, the direct join and csv-stringify agree byte for byte', () => {
    const cell = fc.oneof(
      fc.string(),
      fc.stringMatching(/^[a-z0-9 .]{0,8}$/),
      fc.constantFrom('', ',', ';', '|', '\t', '"', '\r', '\n', 'a"b', ' x '),
    );
    fc.assert(
      fc.property(
        fc.array(cell, { minLength: 2, maxLength: 6 }),
        fc.constantFrom(',', ';', '\t', '|'),
        (cells, delimiter) => {
          const expected = stringify([cells], { delimiter, record_delimiter: '\n', quoted_match: /\r/ });
          expect(formatCsvRow(cells, { delimiter })).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('CSV round trip: formatCsvRow -> openCsv gives the same cells (property)', () => {
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coupa-csv-roundtrip-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const tricky = fc.constantFrom(
    '"',
    ',',
    ';',
    '\t',
    '|',
    '\n',
    '\r',
    '\r\n',
    ' ',
    "'",
    '=',
    'é',
    '€',
    '東',
    '😀',
    '\u00a0',
    'a',
    'Z',
    '0',
  );
  const cell = fc.oneof(
    fc.string({ unit: tricky, maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.string({ maxLength: 12 }),
  );

  it('holds for arbitrary text, every delimiter, CRLF or LF between records', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }).chain((width) =>
          fc.record({
            width: fc.constant(width),
            // Header names: unique ignoring case and spaces, not empty (openCsv requires that).
            header: fc.uniqueArray(
              fc.string({ unit: tricky, minLength: 1, maxLength: 6 }).map((s) => `h${s}`),
              {
                minLength: width,
                maxLength: width,
                selector: normalizeColumn,
              },
            ),
            rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 8 }),
          }),
        ),
        fc.constantFrom(',', ';', '\t', '|'),
        fc.boolean(),
        async ({ header, rows }, delimiter, crlf) => {
          const lines = [header, ...rows].map((r) => formatCsvRow(r, { delimiter }));
          const text = crlf ? lines.map((l) => `${l.slice(0, -1)}\r\n`).join('') : lines.join('');
          const path = join(dir, `rt-${n++}.csv`);
          await writeFile(path, text);
          const source = await openCsv(path, { delimiter });
          expect(source.header).toEqual(header);
          const got: CsvRecord[] = [];
          for await (const record of source.records()) got.push(record);
          // Rows whose cells are all blank are skipped by design (Excel's ",,," rows).
          const expected = rows.filter((r) => r.some((c) => c.trim() !== ''));
          expect(got.map((r) => r.cells)).toEqual(expected);
          expect(got.every((r) => r.error === undefined)).toBe(true);
          // Each record starts on the physical line where its text starts.
          const starts: number[] = [];
          let next = 1 + countLineBreaks(lines[0] ?? '');
          rows.forEach((r, i) => {
            if (r.some((c) => c.trim() !== '')) starts.push(next);
            next += countLineBreaks(lines[i + 1] ?? '');
          });
          expect(got.map((r) => r.line)).toEqual(starts);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('auto-detects the delimiter when the header uses it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(',', ';', '\t', '|'),
        fc.array(cell, { minLength: 3, maxLength: 3 }),
        async (delimiter, row) => {
          const text =
            formatCsvRow(['Code', 'Name', 'Notes'], { delimiter }) + formatCsvRow(row, { delimiter });
          const path = join(dir, `auto-${n++}.csv`);
          await writeFile(path, text);
          const source = await openCsv(path);
          expect(source.delimiter).toBe(delimiter);
          const got: string[][] = [];
          for await (const record of source.records()) got.push(record.cells);
          expect(got).toEqual(row.some((c) => c.trim() !== '') ? [row] : []);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/** Physical line breaks in text (CRLF is one). */
function countLineBreaks(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}
