import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openXlsxResults } from '../../src/csv/xlsx-results.js';
import { openXlsx, type XlsxRow } from '../../src/csv/xlsx-source.js';
import {
  columnLetters,
  dateToSerial,
  escapeXml,
  openXlsxWriter,
  sheetNameFor,
} from '../../src/csv/xlsx-writer.js';
import { ZipWriter, updateCrc32 } from '../../src/csv/xlsx-zip-write.js';
import { readZipDirectory, readZipEntry } from '../../src/csv/xlsx-zip.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xlsx-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** `unzip -t`'s verdict on a file, when the machine has unzip (the tests do not depend on it). */
function unzipTest(file: string): string | undefined {
  const unzip = ['/usr/bin/unzip', '/bin/unzip', '/usr/local/bin/unzip'].find((p) => existsSync(p));
  if (unzip === undefined) return undefined;
  return execFileSync(unzip, ['-t', file], { encoding: 'utf8' });
}

async function collect(rows: AsyncIterable<XlsxRow>): Promise<XlsxRow[]> {
  const out: XlsxRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

/** A file stream, finished: what a test then reads back. */
function fileOut(name: string): { path: string; out: Writable } {
  const path = join(dir, name);
  return { path, out: createWriteStream(path) };
}

describe('updateCrc32', () => {
  it('gives the standard check value, in one piece or in several', () => {
    expect(updateCrc32(0, Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(updateCrc32(updateCrc32(0, Buffer.from('1234')), Buffer.from('56789'))).toBe(0xcbf43926);
    expect(updateCrc32(0, Buffer.alloc(0))).toBe(0);
  });
});

describe('escapeXml', () => {
  it('escapes the markup characters and drops the control characters XML 1.0 forbids, as exceljs did', () => {
    expect(escapeXml('plain text')).toBe('plain text');
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
    expect(escapeXml('tab\there\nline\rreturn')).toBe('tab\there\nline\rreturn');
    expect(escapeXml('x\u0000y\u0008z\u000b\u000c\u001f\u007f!')).toBe('xyz!');
    expect(escapeXml('Büro €')).toBe('Büro €');
  });
});

describe('columnLetters and sheetNameFor', () => {
  it('names columns as Excel does and keeps sheet names within its rules', () => {
    expect([0, 25, 26, 51, 52, 701, 702, 16_383].map(columnLetters)).toEqual([
      'A',
      'Z',
      'AA',
      'AZ',
      'BA',
      'ZZ',
      'AAA',
      'XFD',
    ]);
    expect(sheetNameFor('Object 102: a/b')).toBe('Object 102  a b');
    expect(sheetNameFor('x'.repeat(40))).toHaveLength(31);
    expect(sheetNameFor('')).toBe('Sheet1');
  });
});

describe('ZipWriter', () => {
  it('writes whole and streamed entries that our reader and unzip read back', async () => {
    const { path, out } = fileOut('parts.zip');
    const zip = new ZipWriter(out);
    zip.addEntry('small.txt', 'hello');
    zip.addEntry('dir/ünï.bin', Buffer.from([0, 1, 2, 255]));
    const big = zip.openEntry('big.xml');
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const line = `<row r="${i}">${'x'.repeat(i % 50)}é</row>\n`;
      lines.push(line);
      if (!big.write(i % 1000 === 0 ? Buffer.from(line) : line)) await big.drain();
    }
    await big.close();
    zip.addEntry('empty', '');
    await zip.finish();

    const directory = await readZipDirectory(path);
    expect([...directory.entries.keys()]).toEqual(['small.txt', 'dir/ünï.bin', 'big.xml', 'empty']);
    const read = async (name: string): Promise<Buffer> =>
      readZipEntry(path, directory.find(name) ?? expect.fail(name), 1 << 30);
    expect((await read('small.txt')).toString()).toBe('hello');
    expect([...(await read('dir/ünï.bin'))]).toEqual([0, 1, 2, 255]);
    expect((await read('big.xml')).toString()).toBe(lines.join(''));
    expect((await read('empty')).length).toBe(0);
    // Streamed entries carry the data-descriptor flag, all the UTF-8 names flag; all deflated.
    expect(directory.find('big.xml')?.flags).toBe(0x0808);
    expect(directory.find('small.txt')?.flags).toBe(0x0800);
    expect([...directory.entries.values()].every((e) => e.method === 8)).toBe(true);
    const verdict = unzipTest(path);
    if (verdict !== undefined) expect(verdict).toMatch(/No errors detected/);
  });

  it('writes ZIP64 records (forced below 4 GiB for the test) that our reader and unzip read', async () => {
    const { path, out } = fileOut('zip64.zip');
    const zip = new ZipWriter(out, { forceZip64: true });
    zip.addEntry('a.txt', 'first');
    const b = zip.openEntry('b.txt');
    b.write('second '.repeat(1000));
    await b.close();
    await zip.finish();
    const bytes = await readFile(path);
    // The ZIP64 end record and its locator sit before the end record.
    expect(bytes.readUInt32LE(bytes.length - 22)).toBe(0x06054b50);
    expect(bytes.readUInt32LE(bytes.length - 42)).toBe(0x07064b50);
    const directory = await readZipDirectory(path);
    expect((await readZipEntry(path, directory.find('b.txt') ?? expect.fail(), 1 << 20)).toString()).toBe(
      'second '.repeat(1000),
    );
    const verdict = unzipTest(path);
    if (verdict !== undefined) expect(verdict).toMatch(/No errors detected/);
  });

  it('waits for a slow output (back-pressure) and still writes every byte', async () => {
    const chunks: Buffer[] = [];
    let waits = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        setTimeout(callback, 0);
      },
    });
    const zip = new ZipWriter(slow, { level: 0 });
    const entry = zip.openEntry('data.txt');
    let expected = '';
    for (let i = 0; i < 3000; i++) {
      const line = `${i} ${'abcdefghij'.repeat(5)}\n`;
      expected += line;
      if (!entry.write(line)) {
        waits++;
        await entry.drain();
      }
    }
    await entry.close();
    await zip.finish();
    expect(waits).toBeGreaterThan(0);
    const path = join(dir, 'slow.zip');
    await writeFile(path, Buffer.concat(chunks));
    const directory = await readZipDirectory(path);
    expect((await readZipEntry(path, directory.find('data.txt') ?? expect.fail(), 1 << 20)).toString()).toBe(
      expected,
    );
  });

  it('rejects, without an uncaught error, when the output fails part-way', async () => {
    let written = 0;
    const failing = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        callback(written > 2000 ? new Error('disk full') : null);
      },
    });
    const zip = new ZipWriter(failing, { level: 0 });
    const entry = zip.openEntry('data.txt');
    const run = async (): Promise<void> => {
      for (let i = 0; i < 10_000; i++) if (!entry.write(`${i} ${'z'.repeat(40)}\n`)) await entry.drain();
      await entry.close();
      await zip.finish();
    };
    await expect(run()).rejects.toThrow('disk full');
  });
});

describe('ZipWriter and a closed output', () => {
  it('rejects, not hangs, when the output is destroyed without an error while it waits', async () => {
    const stuck = new Writable({
      highWaterMark: 64,
      write(_chunk: Buffer, _encoding, _callback) {
        // Never calls back: the output is full from its first write.
      },
    });
    const zip = new ZipWriter(stuck, { level: 0 });
    const entry = zip.openEntry('data.txt');
    const run = async (): Promise<void> => {
      for (let i = 0; i < 5000; i++) if (!entry.write(`${i} ${'q'.repeat(60)}\n`)) await entry.drain();
      await entry.close();
      await zip.finish();
    };
    const done = run();
    setTimeout(() => stuck.destroy(), 50);
    await expect(done).rejects.toThrow();
  });
});

describe('openXlsxWriter', () => {
  it('writes a workbook exceljs and our reader both read: typed cells, formats, frozen header, widths', async () => {
    const { path, out } = fileOut('book.xlsx');
    const xlsx = openXlsxWriter(out, { sheetName: 'Res/ults', frozenRows: 1, widths: [12, undefined, 20] });
    xlsx.writeRow(['Text', 'Number', 'When', 'Flag', 'Time'], { bold: true });
    const when = new Date(Date.UTC(2026, 4, 1, 10, 15, 30));
    xlsx.writeRow(['a<b>&"c\'\u0001', 12.5, when, true, (10 * 3600 + 30 * 60) / 86_400], {
      numFmts: [undefined, undefined, 'yyyy-mm-dd hh:mm:ss', undefined, 'hh:mm:ss'],
    });
    xlsx.writeRow(['', null, new Date(Date.UTC(2026, 0, 15)), false, Number.NaN], {
      numFmts: [undefined, undefined, 'yyyy-mm-dd'],
    });
    xlsx.writeRow([' leading and trailing  ', -0.001, undefined, undefined, 1e21]);
    expect(xlsx.rows).toBe(4);
    await xlsx.finish();

    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(path);
    const sheet = book.worksheets[0] ?? expect.fail('no sheet');
    expect(sheet.name).toBe('Res ults');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getColumn(1).width).toBe(12);
    expect(sheet.getColumn(3).width).toBe(20);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    // exceljs reads a time-formatted number as a date on its epoch.
    expect(sheet.getRow(2).values).toEqual([
      undefined,
      'a<b>&"c\'',
      12.5,
      when,
      true,
      new Date(Date.UTC(1899, 11, 30, 10, 30)),
    ]);
    expect(sheet.getRow(2).getCell(3).numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect(sheet.getRow(2).getCell(5).numFmt).toBe('hh:mm:ss');
    expect(sheet.getRow(3).getCell(3).value).toEqual(new Date(Date.UTC(2026, 0, 15)));
    expect(sheet.getRow(3).getCell(3).numFmt).toBe('yyyy-mm-dd');
    expect(sheet.getRow(3).getCell(4).value).toBe(false);
    expect(sheet.getRow(3).getCell(1).value).toBeNull();
    expect(sheet.getRow(3).getCell(5).value).toBeNull();
    expect(sheet.getRow(4).getCell(1).value).toBe(' leading and trailing  ');

    const rows = await collect((await openXlsx(path)).rows());
    expect(rows.map((r) => r.cells)).toEqual([
      ['Text', 'Number', 'When', 'Flag', 'Time'],
      ['a<b>&"c\'', '12.5', '2026-05-01T10:15:30', 'TRUE', '10:30:00'],
      ['', '', '2026-01-15', 'FALSE'],
      [' leading and trailing  ', '-0.001', '', '', '1e+21'],
    ]);
    expect(rows[1]?.typed.slice(1, 5)).toEqual([
      { kind: 'number', value: 12.5 },
      { kind: 'datetime', value: '2026-05-01T10:15:30' },
      { kind: 'boolean', value: true },
      { kind: 'time', value: '10:30:00' },
    ]);
    const verdict = unzipTest(path);
    if (verdict !== undefined) expect(verdict).toMatch(/No errors detected/);
  });

  it('writes dates as the serials exceljs wrote', () => {
    expect(dateToSerial(new Date(Date.UTC(1970, 0, 1)))).toBe(25_569);
    expect(dateToSerial(new Date(Date.UTC(2026, 0, 15)))).toBe(46_037);
    expect(dateToSerial(new Date(Date.UTC(2026, 0, 15, 12)))).toBe(46_037.5);
  });
});

describe('openXlsxResults on the new writer', () => {
  it('a 5,000-row results workbook round-trips through our reader, typed', async () => {
    const out = join(dir, 'many.results.xlsx');
    const writer = await openXlsxResults(out, {
      header: ['Code', 'Amount', 'Start'],
      extraColumns: ['_changes'],
    });
    for (let line = 2; line < 5002; line++) {
      await writer.append({
        line,
        status: line % 7 === 0 ? 'failed' : 'created',
        id: line % 7 === 0 ? '' : String(1000 + line),
        error: line % 7 === 0 ? 'Amount: <not> a number & more' : '',
        code: line % 7 === 0 ? 'invalid-value' : '',
        extra: [line % 3 === 0 ? 'Amount: 1 -> 2' : ''],
        cells: [`C-${line}`, String(line / 4), '2026-01-15'],
        typed: [undefined, { kind: 'number', value: line / 4 }, { kind: 'date', value: '2026-01-15' }],
      });
    }
    await writer.close();
    const rows = await collect((await openXlsx(out)).rows());
    expect(rows).toHaveLength(5001);
    expect(rows[0]?.cells).toEqual([
      '_line',
      '_status',
      '_id',
      '_error',
      '_code',
      '_changes',
      'Code',
      'Amount',
      'Start',
    ]);
    expect(rows[1]?.cells).toEqual(['2', 'created', '1002', '', '', '', 'C-2', '0.5', '2026-01-15']);
    expect(rows[6]?.cells).toEqual([
      '7',
      'failed',
      '',
      'Amount: <not> a number & more',
      'invalid-value',
      '',
      'C-7',
      '1.75',
      '2026-01-15',
    ]);
    expect(rows[5000]?.typed[8]).toEqual({ kind: 'date', value: '2026-01-15' });
    expect(rows[5000]?.typed[0]).toEqual({ kind: 'number', value: 5001 });
    const verdict = unzipTest(out);
    if (verdict !== undefined) expect(verdict).toMatch(/No errors detected/);
  });

  it('an abort part-way through a large workbook leaves no temp file and no file at the path', async () => {
    const out = join(dir, 'stopped.results.xlsx');
    const writer = await openXlsxResults(out, { header: ['A', 'B'] });
    for (let line = 2; line < 20_000; line++)
      await writer.append({ line, status: 'created', cells: [`value ${line}`, 'x'.repeat(line % 200)] });
    await writer.abort();
    const left = await readdir(dir);
    expect(left.filter((f) => f.includes('stopped'))).toEqual([]);
    await expect(writer.append({ line: 1, status: 'created', cells: [] })).rejects.toThrow(/aborted/);
  });
});
