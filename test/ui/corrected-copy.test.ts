import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { openCsv } from '../../src/csv/index.js';
import { CorrectionError, RecordScanner, writeCorrectedCopy } from '../../src/ui/corrected-copy.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coupa-csv-corrected-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function correct(
  name: string,
  bytes: Buffer,
  edits: Parameters<typeof writeCorrectedCopy>[0]['edits'],
) {
  const source = path.join(dir, name);
  fs.writeFileSync(source, bytes);
  const csv = await openCsv(source, { allowDuplicateHeaders: true });
  const target = path.join(dir, `fixed-${name}`);
  const result = await writeCorrectedCopy({
    source,
    target,
    edits,
    encoding: csv.encoding,
    delimiter: csv.delimiter,
  });
  return { result, out: fs.readFileSync(target), source: fs.readFileSync(source) };
}

describe('a corrected copy changes only the edited cells', () => {
  it('keeps BOM, semicolons, CRLF, quoting and multi-line cells; lines are counted as the reader counts them', async () => {
    const text =
      'Code;Name;Amount\r\n' +
      'A-1;"Multi\r\nline; name";12,50\r\n' +
      'A-2;"Quoted ""x""";abc\r\n' +
      'A-3;Plain;7\r\n';
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    // The record of A-2 starts on line 4 (the cell of A-1 holds a line break).
    const records: number[] = [];
    for await (const r of (
      await openCsv((fs.writeFileSync(path.join(dir, 'probe.csv'), bytes), path.join(dir, 'probe.csv')))
    ).records())
      records.push(r.line);
    expect(records).toEqual([2, 4, 5]);
    const { result, out } = await correct('semi.csv', bytes, [
      { line: 4, column: 2, value: '13,75', was: 'abc' },
    ]);
    expect(result.changed).toBe(1);
    expect(out.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(out.subarray(3).toString('utf8')).toBe(text.replace(';abc\r\n', ';13,75\r\n'));
  });

  it('quotes a new value that needs it, and keeps UTF-16 and Windows-1252 files in their encoding', async () => {
    const text = 'Code,Name\nA-1,Café\nA-2,Zoë\n';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf16le')]);
    const a = await correct('u16.csv', utf16, [{ line: 3, column: 1, value: 'Zoë, Ltd', was: 'Zoë' }]);
    expect(a.out.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xfe]));
    expect(iconv.decode(a.out.subarray(2), 'utf16le')).toBe('Code,Name\nA-1,Café\nA-2,"Zoë, Ltd"\n');

    const cp = iconv.encode('Code,Name\rA-1,Café\rA-2,x\r', 'windows1252');
    const b = await correct('cp.csv', cp, [{ line: 3, column: 1, value: 'Crème' }]);
    expect(b.out).toEqual(iconv.encode('Code,Name\rA-1,Café\rA-2,Crème\r', 'windows1252'));
    await expect(correct('cp2.csv', cp, [{ line: 3, column: 1, value: 'Łódź' }])).rejects.toThrow(
      CorrectionError,
    );
  });

  it('refuses a cell that no longer holds what the user saw, and a row the file does not have', async () => {
    const bytes = Buffer.from('Code,Amount\nA-1,abc\n');
    await expect(correct('a.csv', bytes, [{ line: 2, column: 1, value: '1', was: 'xyz' }])).rejects.toThrow(
      /no longer holds "xyz"/,
    );
    await expect(correct('b.csv', bytes, [{ line: 9, column: 1, value: '1' }])).rejects.toThrow(/no row 9/);
  });

  it('scans records across chunk boundaries (a CRLF cut in two, a quote cut in two)', () => {
    const scanner = new RecordScanner(',');
    const parts = ['h1,h2\r', '\na,"b\r', '\nc"\r', '\nd,e'];
    const got = parts.flatMap((p) => scanner.push(p)).concat(scanner.end());
    expect(got).toEqual([
      ['h1,h2\r\n', 1],
      ['a,"b\r\nc"\r\n', 2],
      ['d,e', 4],
    ]);
  });
});
