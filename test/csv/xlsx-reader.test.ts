/**
 * The .xlsx reader on workbooks written here part by part (test/helpers/write-zip.ts): the variants exceljs does not
 * write (inline strings, ISO dates, errors, cells and rows without references, parts not named sheetN.xml, prefixed
 * elements, stored entries, data descriptors, ZIP64, shared strings before or after the sheets), and what an early
 * stop or a broken file leaves behind.
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listXlsxSheets, openXlsx, type XlsxRow } from '../../src/csv/xlsx-source.js';
import { decodeEntities, XmlStream } from '../../src/csv/xlsx-xml.js';
import { InputError } from '../../src/shared/errors.js';
import { makeTempDir, type TempDir } from '../helpers/temp-dir.js';
import { writeZip, type ZipFileSpec, type ZipOptions } from '../helpers/write-zip.js';

let temp: TempDir;
beforeAll(() => {
  temp = makeTempDir('xlsx-reader');
});
afterAll(() => temp.cleanup());

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const REL = `${REL_NS}/`;

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="xml" ContentType="application/xml"/></Types>';
const ROOT_RELS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  `<Relationship Id="rId1" Type="${REL}officeDocument" Target="xl/workbook.xml"/></Relationships>`;
// The 1904 date system, a sheet name with an entity, r:id under another prefix for the second sheet.
const WORKBOOK =
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="${NS}" xmlns:r="${REL_NS}" xmlns:rel="${REL_NS}">` +
  '<workbookPr date1904="1"/><bookViews><workbookView/></bookViews><sheets>' +
  '<sheet name="Data &amp; more" sheetId="1" r:id="rId7"/><sheet name="Other" sheetId="2" rel:id="rId8"/>' +
  '</sheets></workbook>';
// Parts not where the usual names would put them: a sheet part named data.xml, an absolute target, the shared
// strings in a subfolder.
const WORKBOOK_RELS =
  '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
  `<Relationship Id="rId7" Type="${REL}worksheet" Target="worksheets/data.xml"/>` +
  `<Relationship Id="rId8" Type="${REL}worksheet" Target="/xl/worksheets/other.xml"/>` +
  `<Relationship Id="rId1" Type="${REL}styles" Target="styles.xml"/>` +
  `<Relationship Id="rId2" Type="${REL}sharedStrings" Target="strings/shared.xml"/>` +
  `<Relationship Id="rId3" Type="${REL}hyperlink" Target="https://example.com/" TargetMode="External"/>` +
  '</Relationships>';
// Cell styles 0..5: General, a custom date, built-in 22 (date-time), a custom 3-decimal number, built-in 10 (0.00%),
// built-in 33 (a locale time). The cellStyleXfs' xf is not a cell style.
const STYLES =
  `<styleSheet xmlns="${NS}"><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>` +
  '<numFmt numFmtId="165" formatCode="0.000"/></numFmts><cellStyleXfs count="1"><xf numFmtId="22"/></cellStyleXfs>' +
  '<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="22"/>' +
  '<xf numFmtId="165"/><xf numFmtId="10"/><xf numFmtId="33"/></cellXfs></styleSheet>';
// 0 plain, 1 spaces kept, 2 rich text runs with a phonetic guide, 3 character references.
const SHARED =
  `<sst xmlns="${NS}" count="5" uniqueCount="4"><si><t>Code</t></si><si><t xml:space="preserve"> Amount </t></si>` +
  '<si><r><rPr><b/></rPr><t>Q1 </t></r><r><t>camp&amp;aigns</t></r><rPh sb="0" eb="1"><t>フリガナ</t></rPh>' +
  '<phoneticPr fontId="1"/></si><si><t>Zeile 1&#10;Zeile 2 &#x2014; B&#252;ro</t></si></sst>';
const SHEET =
  `<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="${NS}"><dimension ref="A1:F7"/><sheetData>` +
  // Shared and inline strings, rich inline text, a formula's string result.
  '<row r="1" spans="1:5"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>' +
  '<c r="C1" t="inlineStr"><is><t>When</t></is></c><c r="D1" t="inlineStr"><is><r><t>Rich </t></r><r><t>inline</t></r></is></c>' +
  '<c r="E1" t="str"><f>"F"&amp;"lag"</f><v>Flag</v></c></row>\n' +
  // Row 2 missing; typed cells: a custom number format, a 1904 serial under a date format, an ISO date-time, a
  // boolean, an error.
  '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" s="3"><v>1234.5</v></c><c r="C3" s="1"><v>0</v></c>' +
  '<c r="D3" t="d"><v>2026-01-15T10:15:30</v></c><c r="E3" t="b"><v>1</v></c><c r="F3" t="e"><v>#N/A</v></c></row>\n' +
  // A row and cells without references (placed by position), an empty cell, a formula never calculated, a boolean
  // formula, CDATA.
  '<row><c t="s"><v>3</v></c><c s="4"><v>0.125</v></c><c/><c><f>1+1</f></c><c t="b"><f>FALSE()</f><v>0</v></c>' +
  '<c t="str"><v><![CDATA[a < b & c]]></v></c></row>\n' +
  '<row r="6"><c r="B6" s="2"><v>44575.5</v></c><c r="C6" s="5"><v>0.5</v></c><c r="D6" t="d"><v>2026-02-28</v></c></row>\n' +
  // Blank text only: skipped.
  '<row r="7"><c r="A7" t="inlineStr"><is><t xml:space="preserve">   </t></is></c></row>' +
  '</sheetData><pageMargins left="0.7"/></worksheet>';
// Every element under a prefix; a cell far to the right.
const OTHER =
  `<x:worksheet xmlns:x="${NS}"><x:sheetData><x:row r="2"><x:c r="B2"><x:v>7</x:v></x:c>` +
  '<x:c r="AA2" t="s"><x:v>0</x:v></x:c></x:row></x:sheetData></x:worksheet>';

function parts(order: 'excel' | 'strings-first'): ZipFileSpec[] {
  const head: ZipFileSpec[] = [
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: '_rels/.rels', data: ROOT_RELS },
    { name: 'xl/workbook.xml', data: WORKBOOK },
    { name: 'xl/_rels/workbook.xml.rels', data: WORKBOOK_RELS },
  ];
  const sheets: ZipFileSpec[] = [
    { name: 'xl/worksheets/data.xml', data: SHEET },
    { name: 'xl/worksheets/other.xml', data: OTHER },
  ];
  const rest: ZipFileSpec[] = [
    { name: 'xl/styles.xml', data: STYLES },
    { name: 'xl/strings/shared.xml', data: SHARED },
  ];
  // Excel writes the sheets before the shared strings.
  return order === 'excel' ? [...head, ...sheets, ...rest] : [...head, ...rest, ...sheets];
}

async function collect(rows: AsyncIterable<XlsxRow>): Promise<XlsxRow[]> {
  const out: XlsxRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

const EXPECTED: XlsxRow[] = [
  {
    line: 1,
    cells: ['Code', ' Amount ', 'When', 'Rich inline', 'Flag'],
    typed: [undefined, undefined, undefined, undefined, undefined],
  },
  {
    line: 3,
    cells: ['Q1 camp&aigns', '1234.500', '1904-01-01', '2026-01-15T10:15:30', 'TRUE', '#N/A'],
    typed: [
      undefined,
      { kind: 'number', value: 1234.5 },
      { kind: 'date', value: '1904-01-01' },
      { kind: 'datetime', value: '2026-01-15T10:15:30' },
      { kind: 'boolean', value: true },
      undefined,
    ],
  },
  {
    line: 4,
    cells: ['Zeile 1\nZeile 2 — Büro', '12.50%', '', '', 'FALSE', 'a < b & c'],
    typed: [
      undefined,
      { kind: 'number', value: 0.125 },
      undefined,
      undefined,
      { kind: 'boolean', value: false },
      undefined,
    ],
  },
  {
    line: 6,
    cells: ['', '2026-01-15T12:00:00', '12:00:00', '2026-02-28'],
    typed: [
      undefined,
      { kind: 'datetime', value: '2026-01-15T12:00:00' },
      { kind: 'time', value: '12:00:00' },
      { kind: 'date', value: '2026-02-28' },
    ],
  },
];

const VARIANTS: {
  label: string;
  order: 'excel' | 'strings-first';
  method?: 0 | 8;
  descriptor?: boolean;
  zip?: ZipOptions;
}[] = [
  { label: 'shared strings after the sheets (as Excel), deflated', order: 'excel' },
  { label: 'shared strings before the sheets, stored', order: 'strings-first', method: 0 },
  { label: 'data descriptors (sizes after the data)', order: 'excel', descriptor: true },
  {
    label: 'ZIP64 records, a stub before the zip and a comment',
    order: 'excel',
    zip: { zip64: true, prefix: Buffer.from('MZ stub'), comment: 'made by hand' },
  },
];

describe('the .xlsx reader', () => {
  for (const variant of VARIANTS) {
    it(`reads every kind of cell: ${variant.label}`, async () => {
      const file = temp.file(`variant-${VARIANTS.indexOf(variant)}.xlsx`);
      const specs = parts(variant.order).map((p) => ({
        ...p,
        ...(variant.method !== undefined ? { method: variant.method } : {}),
        ...(variant.descriptor ? { descriptor: true } : {}),
      }));
      writeZip(file, specs, variant.zip);
      expect(await listXlsxSheets(file)).toEqual(['Data & more', 'Other']);
      const source = await openXlsx(file);
      expect(source.sheet).toBe('Data & more');
      expect(source.date1904).toBe(true);
      expect(await collect(source.rows())).toEqual(EXPECTED);
      const other = await collect((await openXlsx(file, { sheet: 'other' })).rows());
      expect(other).toHaveLength(1);
      expect(other[0]?.line).toBe(2);
      expect(other[0]?.cells).toHaveLength(27);
      expect(other[0]?.cells[1]).toBe('7');
      expect(other[0]?.cells[26]).toBe('Code');
      expect(other[0]?.typed[1]).toEqual({ kind: 'number', value: 7 });
    });
  }

  it('lists the sheets and opens a workbook without reading any sheet (a broken sheet fails only its rows)', async () => {
    const file = temp.file('broken-sheet.xlsx');
    const specs = parts('excel').map((p) =>
      p.name === 'xl/worksheets/data.xml'
        ? { ...p, data: `<worksheet xmlns="${NS}"><sheetData><row r="1"><c r="A1` }
        : p,
    );
    writeZip(file, specs);
    expect(await listXlsxSheets(file)).toEqual(['Data & more', 'Other']);
    const source = await openXlsx(file);
    const error = await collect(source.rows()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe('UNREADABLE');
    expect((error as InputError).message).toContain('is it an .xlsx file');
    // The other sheet is fine.
    expect(await collect((await openXlsx(file, { sheet: 'Other' })).rows())).toHaveLength(1);
  });

  it('reads again a workbook saved again between two passes', async () => {
    const file = temp.file('saved-again.xlsx');
    writeZip(file, parts('excel'));
    const source = await openXlsx(file);
    expect((await collect(source.rows()))[0]?.cells[0]).toBe('Code');
    writeZip(
      file,
      parts('excel').map((p) =>
        p.name === 'xl/strings/shared.xml'
          ? { ...p, data: SHARED.replace('<t>Code</t>', '<t>Vendor Code</t>') }
          : p,
      ),
    );
    expect((await collect(source.rows()))[0]?.cells[0]).toBe('Vendor Code');
  });

  it('refuses what is not a workbook with the UNREADABLE hint, and names a missing sheet', async () => {
    const text = temp.file('text.xlsx');
    writeFileSync(text, 'Code,Amount\nA,1\n'.repeat(100));
    const notZip = await openXlsx(text).catch((e: unknown) => e);
    expect((notZip as InputError).code).toBe('UNREADABLE');
    expect((notZip as InputError).message).toMatch(
      /cannot read the workbook: not a ZIP file.*is it an \.xlsx file/,
    );

    const ole = temp.file('old.xls.xlsx');
    writeFileSync(ole, Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(600)]));
    const oldXls = await openXlsx(ole).catch((e: unknown) => e);
    expect((oldXls as InputError).code).toBe('UNREADABLE');
    expect((oldXls as InputError).message).toContain('an old .xls workbook or a password-protected .xlsx');

    const otherZip = temp.file('other.xlsx');
    writeZip(otherZip, [{ name: 'word/document.xml', data: '<document/>' }]);
    const noWorkbook = await listXlsxSheets(otherZip).catch((e: unknown) => e);
    expect((noWorkbook as InputError).code).toBe('UNREADABLE');
    expect((noWorkbook as InputError).message).toContain('no xl/workbook.xml');

    const truncated = temp.file('truncated.xlsx');
    writeZip(truncated, parts('excel'));
    writeFileSync(truncated, readFileSync(truncated).subarray(0, 300));
    expect(((await openXlsx(truncated).catch((e: unknown) => e)) as InputError).code).toBe('UNREADABLE');

    const file = temp.file('sheets.xlsx');
    writeZip(file, parts('excel'));
    const missing = await openXlsx(file, { sheet: 'Data and more' }).catch((e: unknown) => e);
    expect((missing as InputError).code).toBe('NOT_FOUND');
    expect((missing as InputError).message).toContain('"Data & more"');
  });

  it('reports corrupt compressed data as UNREADABLE and closes the file', async () => {
    const file = temp.file('corrupt.xlsx');
    writeZip(file, parts('excel'));
    const bytes = readFileSync(file);
    const at = bytes.indexOf('xl/worksheets/data.xml') + 'xl/worksheets/data.xml'.length;
    bytes.fill(0xff, at, at + 8); // a deflate block of the reserved type
    writeFileSync(file, bytes);
    const source = await openXlsx(file);
    const it = source.rows()[Symbol.asyncIterator]();
    const error = await it.next().catch((e: unknown) => e);
    expect((error as InputError).code).toBe('UNREADABLE');
    expect(openFiles(realpathSync(file))).toEqual([]);
  });

  it('leaves no open file, temp file or unhandled rejection after a break in the first row', async () => {
    const file = temp.file('long.xlsx');
    // Written by exceljs as Excel orders the parts (shared strings last), long enough to take many chunks.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Long');
    for (let i = 1; i <= 20_000; i++) ws.addRow([`row ${i}`, i, `text ${i % 1000}`]);
    await wb.xlsx.writeFile(file);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    try {
      const tempsBefore = exceljsTempFiles();
      const source = await openXlsx(file);
      for (let pass = 0; pass < 3; pass++) {
        for await (const row of source.rows()) {
          expect(row.cells[0]).toBe('row 1');
          break;
        }
      }
      const it = source.rows()[Symbol.asyncIterator]();
      await it.next();
      expect(openFiles(realpathSync(file))).toHaveLength(1); // the check sees an open file
      await it.return?.();
      expect(openFiles(realpathSync(file))).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(exceljsTempFiles()).toEqual(tempsBefore);
      expect(rejections).toEqual([]);
      // Still readable to the end afterwards.
      expect((await collect(source.rows())).length).toBe(20_000);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});

describe('XmlStream', () => {
  /** The events of a part fed in chunks of `size` bytes (text pieces joined, as a reader appends them). */
  function events(xml: string, size: number): string[] {
    const out: string[] = [];
    let text = '';
    const flush = (): void => {
      if (text !== '') out.push(`text ${JSON.stringify(text)}`);
      text = '';
    };
    const stream = new XmlStream({
      open(name, attributes) {
        flush();
        out.push(`open ${name} ${JSON.stringify(attributes)}`);
      },
      text(value) {
        text += value;
      },
      close(name) {
        flush();
        out.push(`close ${name}`);
      },
    });
    const bytes = Buffer.from(xml, 'utf8');
    for (let i = 0; i < bytes.length; i += size) stream.write(bytes.subarray(i, i + size));
    stream.end();
    flush();
    return out;
  }

  it('gives the same events whatever the chunks (cut inside tags, entities, CDATA and UTF-8 sequences)', () => {
    const xml =
      '\uFEFF<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "no">]><!-- a > comment --><a:root xmlns:a="u" q=\'1 > 0\'>' +
      'Büro &amp; 😀 &#x2014;<![CDATA[<raw> & ]]><b/><c k = "v&quot;w" /></a:root>\n';
    const whole = events(xml, xml.length * 4);
    expect(whole).toEqual([
      'open root {"xmlns:a":"u","q":"1 > 0"}',
      'text "Büro & 😀 —<raw> & "',
      'open b {}',
      'close b',
      'open c {"k":"v\\"w"}',
      'close c',
      'close root',
      'text "\\n"',
    ]);
    for (const size of [1, 2, 3, 5, 7]) expect(events(xml, size)).toEqual(whole);
  });

  it('refuses a part that stops inside a tag', () => {
    expect(() => events('<root><row r="1"', 4)).toThrow('the XML stops in the middle of a tag');
  });
});

describe('decodeEntities', () => {
  it('decodes the named and numeric references and keeps unknown ones', () => {
    expect(decodeEntities('a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#10;&#x1F600;&unknown;')).toBe(
      'a & b <c> "d" \'e\' \n😀&unknown;',
    );
  });
});

/** The process's file descriptors open on `file` (Linux; elsewhere none are seen). */
function openFiles(file: string): string[] {
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return [];
  }
  return fds.filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false; // closed meanwhile (the listing's own descriptor)
    }
  });
}

/** exceljs's reader copied sheets to `tmp-<pid>-...` files; this reader never writes any. */
function exceljsTempFiles(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(`tmp-${process.pid}-`));
}
