import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_RECORD_CHARS, openCsv } from '../../src/csv/index.js';
import type { CsvReadOptions, CsvRecord } from '../../src/csv/types.js';
import { InputError } from '../../src/shared/errors.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/csv');
const fixture = (name: string): string => join(FIXTURES, name);
const HEADER = ['Vendor Code', 'Vendor Name', 'Credit Limit', 'Onboarding Date'];

async function readAll(
  path: string,
  options?: CsvReadOptions,
): Promise<{ header: string[]; records: CsvRecord[]; source: Awaited<ReturnType<typeof openCsv>> }> {
  const source = await openCsv(path, options);
  const records: CsvRecord[] = [];
  for await (const record of source.records()) records.push(record);
  return { header: source.header, records, source };
}

async function failure(promise: Promise<unknown>): Promise<InputError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coupa-csv-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
async function temp(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('fixtures: one per CSV quirk', () => {
  it('bom.csv: UTF-8 BOM is detected and stripped from the first column name', async () => {
    const { header, records, source } = await readAll(fixture('bom.csv'));
    expect(source.encoding).toBe('utf8-bom');
    expect(header[0]).toBe('Vendor Code');
    expect(records).toEqual([{ line: 2, cells: ['V-1001', 'Société Générale', '1250.50', '2026-03-01'] }]);
  });

  it('utf16le.csv: UTF-16 LE with BOM, tab-separated, CRLF (Excel "Unicode text")', async () => {
    const { header, records, source } = await readAll(fixture('utf16le.csv'));
    expect([source.encoding, source.delimiter, source.lineEnding]).toEqual(['utf16le', '\t', 'CRLF']);
    expect(header).toEqual(HEADER);
    expect(records.map((r) => [r.line, r.cells[1]])).toEqual([
      [2, 'Müller GmbH'],
      [3, '東京商事'],
    ]);
  });

  it('utf16be.csv: UTF-16 BE with BOM', async () => {
    const { header, records, source } = await readAll(fixture('utf16be.csv'));
    expect(source.encoding).toBe('utf16be');
    expect(header).toEqual(HEADER);
    expect(records[0]?.cells[1]).toBe('Müller GmbH');
  });

  it('utf16le-nobom.csv: UTF-16 LE without a BOM, from the NUL pattern', async () => {
    const { header, records, source } = await readAll(fixture('utf16le-nobom.csv'));
    expect(source.encoding).toBe('utf16le');
    expect(header).toEqual(HEADER);
    expect(records[0]?.cells).toEqual(['V-1001', 'Müller GmbH', '1250.50', '2026-03-01']);
  });

  it('cp1252.csv: bytes that are not UTF-8 are read as Windows-1252 (é, €, ü)', async () => {
    const { records, source } = await readAll(fixture('cp1252.csv'));
    expect([source.encoding, source.delimiter, source.lineEnding]).toEqual(['windows-1252', ';', 'CRLF']);
    expect(records).toEqual([
      { line: 2, cells: ['V-1001', 'Société Générale', 'Limit 500 €'] },
      { line: 3, cells: ['V-1002', 'Müller GmbH', ''] },
    ]);
  });

  it.each([
    ['semicolon.csv', ';', ['V-1001', 'Acme, Inc', '1.250,50', '01/03/2026']],
    ['tab.tsv', '\t', ['V-1001', 'Acme, Inc; Europe', '1250.50']],
    ['pipe.csv', '|', ['V-1001', 'Acme, Inc', '1250.50']],
    ['crlf.csv', ',', ['V-1001', 'Acme Industrial Supply', '1250.50', '2026-03-01']],
  ])('%s: delimiter %j sniffed from the header', async (name, delimiter, firstRow) => {
    const { records, source } = await readAll(fixture(name));
    expect(source.delimiter).toBe(delimiter);
    expect(records[0]).toEqual({ line: 2, cells: firstRow });
    expect(records).toHaveLength(2);
  });

  it('crlf.csv: CRLF line endings leave no CR in the cells', async () => {
    const { records, source } = await readAll(fixture('crlf.csv'));
    expect(source.lineEnding).toBe('CRLF');
    expect(records.flatMap((r) => r.cells).some((c) => c.includes('\r'))).toBe(false);
  });

  it('quoted-newline.csv: line breaks inside quotes, records start on their physical line', async () => {
    const { records } = await readAll(fixture('quoted-newline.csv'));
    expect(records).toEqual([
      { line: 2, cells: ['V-1001', 'Acme\nIndustrial\nSupply', '1250.50', '2026-03-01'] },
      { line: 5, cells: ['V-1002', 'Globex "Logistics"\r\nEurope', '980.00', '2026-03-02'] },
      { line: 7, cells: ['V-1003', 'Initech', '10.00', '2026-03-03'] },
    ]);
  });

  it('ragged.csv: rows with too few or too many cells are records with an error, not a crash', async () => {
    const { records } = await readAll(fixture('ragged.csv'));
    expect(records).toEqual([
      { line: 2, cells: ['V-1001', 'Acme Industrial Supply', '1250.50', '2026-03-01'] },
      {
        line: 3,
        cells: ['V-1002', 'Globex Logistics', '980.00', ''],
        error: 'line 3 has 3 cells, the header has 4',
      },
      {
        line: 4,
        cells: ['V-1003', 'Initech', '10.00', '2026-03-03'],
        error: 'line 4 has 5 cells, the header has 4',
      },
      // A trailing delimiter (an empty extra cell) loses no data: tolerated.
      { line: 5, cells: ['V-1004', 'Umbrella', '5.00', '2026-03-04'] },
      { line: 6, cells: ['V-1005', 'Hooli', '7.00', '2026-03-05'] },
    ]);
  });

  it('rows that lack only the cells of unnamed columns at the end of the header are padded without an error', async () => {
    const file = join(dir, 'unnamed-tail.csv');
    await writeFile(file, 'Code,Name,Terms,,\r\nR1,a,1,,\r\nR2,b,2\r\nR3,c\r\nR4,d,4,,,\r\n');
    const { records } = await readAll(file);
    expect(records).toEqual([
      { line: 2, cells: ['R1', 'a', '1', '', ''] },
      { line: 3, cells: ['R2', 'b', '2', '', ''] },
      // A named column missing is still a shifted row.
      { line: 4, cells: ['R3', 'c', '', '', ''], error: 'line 4 has 2 cells, the header has 5' },
      { line: 5, cells: ['R4', 'd', '4', '', ''] },
    ]);
  });

  it('unclosed-quote.csv: UNCLOSED_QUOTE names the line where the quote opened', async () => {
    const source = await openCsv(fixture('unclosed-quote.csv'));
    const seen: number[] = [];
    const error = await failure(
      (async () => {
        for await (const record of source.records()) seen.push(record.line);
      })(),
    );
    expect(seen).toEqual([2]);
    expect(error.code).toBe('UNCLOSED_QUOTE');
    expect(error.location).toEqual({ file: fixture('unclosed-quote.csv'), line: 3, column: 'Vendor Name' });
    expect(error.message).toContain(
      ':3 (column "Vendor Name"): a quoted field that starts on line 3 is never closed',
    );
  });

  it('empty.csv: EMPTY', async () => {
    const error = await failure(openCsv(fixture('empty.csv')));
    expect(error.code).toBe('EMPTY');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('empty.csv: the file is empty (0 bytes)');
  });

  it('header-only.csv: the header and no records (the import decides what that means)', async () => {
    const { header, records } = await readAll(fixture('header-only.csv'));
    expect(header).toEqual(HEADER);
    expect(records).toEqual([]);
  });

  it('duplicate-headers.csv: DUPLICATE_HEADER names both positions', async () => {
    const error = await failure(openCsv(fixture('duplicate-headers.csv')));
    expect(error.code).toBe('DUPLICATE_HEADER');
    expect(error.location?.line).toBe(1);
    expect(error.message).toMatch(/columns 2 and 4 have the same name "amount"/);
  });

  it('binary.bin: BINARY', async () => {
    const error = await failure(openCsv(fixture('binary.bin')));
    expect(error.code).toBe('BINARY');
    expect(error.message).toMatch(
      /binary\.bin: this is not a text CSV file: it contains binary data \(NUL bytes/,
    );
  });

  it('blank-lines.csv: blank lines and all-blank rows are skipped, line numbers stay physical', async () => {
    const { records } = await readAll(fixture('blank-lines.csv'));
    expect(records.map((r) => [r.line, r.cells[0]])).toEqual([
      [4, 'V-1001'],
      [7, 'V-1002'],
    ]);
  });

  it('stray-quote.csv: a quote inside an unquoted cell is data', async () => {
    const { records } = await readAll(fixture('stray-quote.csv'));
    expect(records.map((r) => r.cells[1])).toEqual(['12" pipes', 'Globex']);
    expect(records[1]?.cells[2]).toBe('quoted');
  });

  it('has a test for every fixture file', () => {
    const tested = [
      'bom.csv',
      'utf16le.csv',
      'utf16be.csv',
      'utf16le-nobom.csv',
      'cp1252.csv',
      'semicolon.csv',
      'tab.tsv',
      'pipe.csv',
      'crlf.csv',
      'quoted-newline.csv',
      'ragged.csv',
      'unclosed-quote.csv',
      'empty.csv',
      'header-only.csv',
      'duplicate-headers.csv',
      'binary.bin',
      'blank-lines.csv',
      'stray-quote.csv',
    ];
    expect(readdirSync(FIXTURES).sort()).toEqual([...tested].sort());
  });
});

describe('line numbers', () => {
  it.each([
    ['LF', 'h1,h2\na,b\nc,d\n', [2, 3]],
    ['CRLF', 'h1,h2\r\na,b\r\nc,d\r\n', [2, 3]],
    ['CR only', 'h1,h2\ra,b\rc,d\r', [2, 3]],
    ['mixed endings', 'h1,h2\r\na,b\nc,d\re,f\r\ng,h\n', [2, 3, 4, 5]],
    ['no final newline', 'h1,h2\na,b\nc,d', [2, 3]],
    ['blank lines before the header', '\n\r\n\nh1,h2\na,b\n', [5]],
    ['whitespace-only and delimiter-only rows skipped', 'h1,h2\n  \na,b\n,\n \t, \nc,d\n', [3, 6]],
    ['CRLF inside quotes in a CRLF file', 'h1,h2\r\n"a\r\nb\r\nc",x\r\nd,"e\r\n"\r\nf,g\r\n', [2, 5, 7]],
    ['LF inside quotes in a CRLF file (Excel)', 'h1,h2\r\n"a\nb",x\r\nc,d\r\n', [2, 4]],
    ['quoted header with a line break', '"h\n1",h2\na,b\n', [3]],
    ['quoted empty cells are not blank lines', 'h1\n""\na\n', [3]],
  ])('%s', async (name, content, lines) => {
    const path = await temp(`lines-${name.replace(/\W+/g, '-')}.csv`, content);
    const { records } = await readAll(path);
    expect(records.map((r) => r.line)).toEqual(lines);
    expect(records.every((r) => r.error === undefined)).toBe(true);
  });

  it('counts lines right after many CRLF-in-quote records', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i},"x\r\ny"`);
    const path = await temp('many-crlf.csv', `a,b\r\n${rows.join('\r\n')}\r\nlast,z\r\n`);
    const { records } = await readAll(path);
    expect(records.at(-1)).toEqual({ line: 102, cells: ['last', 'z'] });
    expect(records[10]?.line).toBe(22);
  });

  it('an unclosed quote after CRLF-in-quote records still names its own line', async () => {
    const path = await temp('unclosed-after-crlf.csv', 'a,b\r\n1,"x\r\ny"\r\n2,ok\r\n3,"never\r\nclosed\r\n');
    const source = await openCsv(path);
    const error = await failure(
      (async () => {
        for await (const _r of source.records());
      })(),
    );
    expect(error).toMatchObject({ code: 'UNCLOSED_QUOTE', location: { line: 5 } });
  });
});

describe('detection and options', () => {
  it.each([
    ['a;b,c\n1;2,3\n', ','],
    ['a;b;c,d\n1;2;3,4\n', ';'],
    ['a\tb\tc\n', '\t'],
    ['a|b|c;d\n', '|'],
    ['"x,y";"z,w";v\n', ';'],
    ['single\n1\n', ','],
  ])('sniffs %j as %j (ties and none go to ",")', async (content, delimiter) => {
    const source = await openCsv(
      await temp(`sniff-${Buffer.from(content).toString('hex').slice(0, 16)}.csv`, content),
    );
    expect(source.delimiter).toBe(delimiter);
  });

  it('honours an explicit delimiter', async () => {
    const { header } = await readAll(fixture('semicolon.csv'), { delimiter: ',' });
    expect(header).toEqual(['Vendor Code;Vendor Name;Credit Limit;Onboarding Date']);
  });

  it('honours an explicit encoding (windows-1252 read as such, utf16le without BOM)', async () => {
    const cp = await readAll(fixture('cp1252.csv'), { encoding: 'windows-1252' });
    expect(cp.records[0]?.cells[2]).toBe('Limit 500 €');
    const u16 = await readAll(fixture('utf16le-nobom.csv'), { encoding: 'utf16le' });
    expect(u16.header).toEqual(HEADER);
  });

  it('explicit utf8 on a Windows-1252 file is an ENCODING error naming the line', async () => {
    const error = await failure(openCsv(fixture('cp1252.csv'), { encoding: 'utf8' }));
    expect(error.code).toBe('ENCODING');
    expect(error.location?.line).toBe(2);
    expect(error.message).toMatch(/not valid UTF-8.*--encoding windows-1252/);
  });

  it('bytes that stop being UTF-8 after the sniffed start: ENCODING with the line, from records()', async () => {
    const lines = ['code,name'];
    for (let i = 0; i < 3000; i++) lines.push(`C-${i},${'plain ascii text '.repeat(2)}`);
    const head = Buffer.from(`${lines.join('\n')}\n`);
    expect(head.length).toBeGreaterThan(64 * 1024);
    const path = await temp(
      'late-cp1252.csv',
      Buffer.concat([head, Buffer.from('C-x,caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    const source = await openCsv(path);
    expect(source.encoding).toBe('utf8');
    let count = 0;
    const error = await failure(
      (async () => {
        for await (const _r of source.records()) count++;
      })(),
    );
    expect(error.code).toBe('ENCODING');
    expect(error.location?.line).toBe(3002);
    expect(count).toBeLessThanOrEqual(3000);
  });

  it('mostly UTF-8 with a Windows-1252 byte (auto): ENCODING "mixes encodings" with the line, not Windows-1252 mojibake', async () => {
    const lines = ['Code,Name'];
    for (let i = 0; i < 50; i++) lines.push(`C-${i},Müller ${i}`);
    const path = await temp(
      'mixed.csv',
      Buffer.concat([Buffer.from(`${lines.join('\n')}\nC-x,Caf`), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    const error = await failure(openCsv(path));
    expect(error.code).toBe('ENCODING');
    expect(error.location?.line).toBe(52);
    expect(error.message).toMatch(
      /mixes encodings: 50 characters are UTF-8, but the bytes at line 52 are not/,
    );
  });

  it('a UTF-8 byte order mark before bytes that are not UTF-8: ENCODING that names the mark, not --encoding auto', async () => {
    const path = await temp(
      'bom-cp1252.csv',
      Buffer.concat([Buffer.from('\uFEFFCode,Name\nC-1,Caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    const error = await failure(openCsv(path));
    expect(error.code).toBe('ENCODING');
    expect(error.location?.line).toBe(2);
    expect(error.message).toMatch(/byte order mark: it mixes encodings/);
    expect(error.message).not.toMatch(/or auto/);
  });

  it('Windows-1252 text in which two letters happen to form a UTF-8 sequence is still read as Windows-1252', async () => {
    // "É“" is C9 93 in Windows-1252: valid UTF-8 by accident, outnumbered by the bytes that are not.
    const path = await temp(
      'cp-accident.csv',
      Buffer.from('Code,Name\nC-1,M\xfcller\nC-2,Caf\xe9 \xc9\x93\n', 'latin1'),
    );
    const { source, records } = await readAll(path);
    expect(source.encoding).toBe('windows-1252');
    expect(records.map((r) => r.cells[1])).toEqual(['Müller', 'Café É“']);
  });

  it('a header longer than the first read, with a byte that is not UTF-8 past it: ENCODING on line 1', async () => {
    // The header is read further than the sniffed 64 KiB; those bytes must be checked like the first ones.
    const columns = Array.from({ length: 8000 }, (_, i) => `column${i}`).join(',');
    expect(columns.length).toBeGreaterThan(64 * 1024);
    const path = await temp(
      'long-header-cp1252.csv',
      Buffer.concat([Buffer.from(`${columns},caf`), Buffer.from([0xe9]), Buffer.from('\nv\n')]),
    );
    const error = await failure(openCsv(path));
    expect(error.code).toBe('ENCODING');
    expect(error.location?.line).toBe(1);
    expect(error.message).toMatch(/although the start of the file is.*--encoding windows-1252$/);
  });

  it('a quote after another candidate delimiter in the header is data, as csv-parse reads it', async () => {
    // `;` is not this file's delimiter, so the quote after it does not open a quoted field: the header ends at the
    // first line break and the data rows stay data.
    const path = await temp('header-stray-quote.csv', 'code,size;"in,name\nA,1,x\nB,2,"y\n"\n');
    const { header, records } = await readAll(path);
    expect(header).toEqual(['code', 'size;"in', 'name']);
    expect(records.map((r) => [r.line, r.cells])).toEqual([
      [2, ['A', '1', 'x']],
      [3, ['B', '2', 'y\n']],
    ]);
  });

  it('a complete header record larger than any record may be: FIELD_TOO_LARGE on line 1', async () => {
    const columns = Array.from({ length: 120_000 }, (_, i) => `column${i}`).join(',');
    expect(columns.length).toBeGreaterThan(MAX_RECORD_CHARS);
    const error = await failure(openCsv(await temp('huge-header.csv', `${columns}\nv\n`)));
    expect(error.code).toBe('FIELD_TOO_LARGE');
    expect(error.location?.line).toBe(1);
  });

  it('keeps multi-byte characters split across read chunks intact', async () => {
    const cell = 'é€😀'.repeat(40_000); // ~360 KB of multi-byte text in one cell, crossing 256 KiB chunks
    const path = await temp('multibyte.csv', `a,b\n1,${cell}\n2,x\n`);
    const { records } = await readAll(path);
    expect(records[0]?.cells[1]).toBe(cell);
    expect(records[1]).toEqual({ line: 3, cells: ['2', 'x'] });
  });

  it('batches({ chunkBytes }) reads the same records with the same lines, however small the chunks', async () => {
    // Every record boundary, quoted CRLF, blank line and multi-byte character lands on some chunk edge.
    const rows = Array.from({ length: 40 }, (_, i) =>
      i % 5 === 0 ? `${i},"multi\r\nline é€😀"` : i % 7 === 0 ? `\r\n${i},x` : `${i},"q ""${i}"""`,
    );
    const path = await temp('chunks.csv', `\uFEFFa,b\r\n${rows.join('\r\n')}\r\n`);
    const source = await openCsv(path);
    let batches = 0;
    const read = async (chunkBytes?: number): Promise<CsvRecord[]> => {
      const out: CsvRecord[] = [];
      batches = 0;
      for await (const batch of source.batches(chunkBytes === undefined ? {} : { chunkBytes })) {
        out.push(...batch);
        batches++;
      }
      return out;
    };
    const whole = await read();
    const defaultBatches = batches; // the file is smaller than one default chunk
    expect(whole).toHaveLength(40);
    expect(whole[5]).toEqual({ line: 8, cells: ['5', 'multi\r\nline é€😀'] });
    expect(whole[7]).toEqual({ line: 12, cells: ['7', 'x'] });
    for (const chunkBytes of [1, 3, 7, 64]) {
      expect(await read(chunkBytes)).toEqual(whole);
      expect(batches).toBeGreaterThan(defaultBatches);
    }
    for (const chunkBytes of [0, -1, 1.5, Number.NaN]) {
      await expect(read(chunkBytes)).rejects.toThrow(/chunkBytes must be a whole number of bytes/);
    }
  });

  it('many control characters: BINARY', async () => {
    const error = await failure(
      openCsv(await temp('controls.csv', `a,b\n${'\x01\x02\x03\x04\x05x'.repeat(50)}\n`)),
    );
    expect(error.code).toBe('BINARY');
  });

  it('an Excel .xlsx given as CSV: BINARY with a hint', async () => {
    const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 3, 4, 20, 0, 6, 0]), Buffer.alloc(40)]);
    const error = await failure(openCsv(await temp('book.xlsx', zip)));
    expect(error.code).toBe('BINARY');
    expect(error.message).toMatch(/Excel \.xlsx file: import and validate read \.xlsx workbooks/);
  });
});

describe('unreadable and malformed files', () => {
  it('NOT_FOUND', async () => {
    const error = await failure(openCsv(join(dir, 'missing.csv')));
    expect(error).toMatchObject({ code: 'NOT_FOUND', exitCode: 2 });
    expect(error.message).toBe(`${join(dir, 'missing.csv')}: file not found`);
  });

  it('a folder: UNREADABLE', async () => {
    await mkdir(join(dir, 'folder.csv'));
    expect(await failure(openCsv(join(dir, 'folder.csv')))).toMatchObject({ code: 'UNREADABLE' });
  });

  it.each([
    ['only blank lines', '\n\n\r\n', /no header line/],
    ['a header of empty names', ' , ,\n1,2,3\n', /no column names/],
  ])('%s: EMPTY', async (_name, content, message) => {
    const error = await failure(openCsv(await temp(`empty-${content.length}.csv`, content)));
    expect(error.code).toBe('EMPTY');
    expect(error.message).toMatch(message);
  });

  it('allows several unnamed columns (trailing delimiters in the header)', async () => {
    const { header, records } = await readAll(await temp('unnamed.csv', 'a,,b,,\n1,,2,,\n'));
    expect(header).toEqual(['a', '', 'b', '', '']);
    expect(records[0]?.cells).toEqual(['1', '', '2', '', '']);
  });

  it('a stray quote inside an unquoted header name is data', async () => {
    const { header, records } = await readAll(await temp('header-stray.csv', 'Size 12",Name\n1,a\n'));
    expect(header).toEqual(['Size 12"', 'Name']);
    expect(records).toEqual([{ line: 2, cells: ['1', 'a'] }]);
  });

  it('a quote left open in the header: UNCLOSED_QUOTE line 1', async () => {
    const error = await failure(openCsv(await temp('header-quote.csv', 'a,"b,c\n1,2,3\n')));
    expect(error).toMatchObject({ code: 'UNCLOSED_QUOTE', location: { line: 1 } });
  });

  it('a record larger than the limit: FIELD_TOO_LARGE with the line (and the likely missing quote)', async () => {
    const big = 'x'.repeat(MAX_RECORD_CHARS + 10);
    const path = await temp('big-field.csv', `a,b\n1,2\n3,"${big}"\n4,5\n`);
    const source = await openCsv(path);
    const error = await failure(
      (async () => {
        for await (const _r of source.records());
      })(),
    );
    expect(error.code).toBe('FIELD_TOO_LARGE');
    expect(error.location?.line).toBe(3);
    expect(error.message).toMatch(/record starting on line 3 is larger than 1 MiB/);

    const runaway = await temp('runaway.csv', `a,b\n1,2\n3,"oops\n${'filler,row\n'.repeat(120_000)}`);
    const source2 = await openCsv(runaway);
    const error2 = await failure(
      (async () => {
        for await (const _r of source2.records());
      })(),
    );
    expect(error2.code).toBe('FIELD_TOO_LARGE');
    expect(error2.message).toMatch(/a quote opened on line 3 is probably never closed/);
  });

  it('reads the header without reading the whole file, and stops cleanly when the reader stops early', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},row ${i}`);
    const path = await temp('early-stop.csv', `n,text\n${rows.join('\n')}\n`);
    const fdsBefore = existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : 0;
    const source = await openCsv(path);
    expect(source.header).toEqual(['n', 'text']);
    let seen = 0;
    for await (const record of source.records()) {
      seen++;
      if (record.line === 11) break;
    }
    expect(seen).toBe(10);
    // A second pass starts over.
    let again = 0;
    for await (const _r of source.records()) again++;
    expect(again).toBe(20_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (fdsBefore > 0) expect(readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(fdsBefore);
  });
});
