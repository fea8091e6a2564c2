import { describe, expect, it } from 'vitest';
import {
  checkHeader,
  describeColumn,
  parseHeaderCells,
  pickDelimiterFindingColumns,
} from '../../src/csv/header.js';
import { scanHeader } from '../../src/csv/detect.js';
import { InputError } from '../../src/shared/errors.js';

const place = { file: 'in.csv', line: 3 };

function thrown(fn: () => void): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('parseHeaderCells', () => {
  it('reads one record with quotes, delimiters inside them and outer spaces kept', async () => {
    expect(await parseHeaderCells('Code;"Name; full"; Notes ', ';')).toEqual([
      'Code',
      'Name; full',
      ' Notes ',
    ]);
    expect(await parseHeaderCells('"a ""quoted"" name",b', ',')).toEqual(['a "quoted" name', 'b']);
  });

  it('returns no cells for empty text', async () => {
    expect(await parseHeaderCells('', ',')).toEqual([]);
  });
});

describe('checkHeader', () => {
  it('accepts distinct names and repeated unnamed columns', () => {
    expect(() => checkHeader(['Code', 'Name', '', ' '], place)).not.toThrow();
  });

  it('refuses a header without a single name (EMPTY, at its line)', () => {
    const error = thrown(() => checkHeader(['', '  '], place));
    expect(error.code).toBe('EMPTY');
    expect(error.message).toContain('no column names');
    expect(error.location).toEqual({ file: 'in.csv', line: 3 });
  });

  it('refuses two names alike ignoring case and outer spaces (DUPLICATE_HEADER names both columns)', () => {
    const error = thrown(() => checkHeader(['Code', 'Name', ' code '], place));
    expect(error.code).toBe('DUPLICATE_HEADER');
    expect(error.message).toContain('columns 1 and 3');
    expect(error.message).toContain('"code"');
    expect(error.location).toEqual({ file: 'in.csv', line: 3, column: 'code' });
  });

  it('accepts repeated names when asked to', () => {
    expect(() => checkHeader(['Code', 'CODE'], place, true)).not.toThrow();
  });

  it('refuses an all-blank header even when repeated names are allowed', () => {
    expect(thrown(() => checkHeader([''], place, true)).code).toBe('EMPTY');
  });
});

describe('describeColumn', () => {
  it('names a column by its trimmed header name, or by its 1-based number when unnamed or beyond the header', () => {
    const header = [' Code ', '', 'Name'];
    expect(describeColumn(header, 0)).toBe('Code');
    expect(describeColumn(header, 1)).toBe(2);
    expect(describeColumn(header, 5)).toBe(6);
  });
});

describe('pickDelimiterFindingColumns', () => {
  const choose = (text: string, columns: string[]) => {
    const counts = scanHeader(text, true).counts;
    return pickDelimiterFindingColumns(text, true, counts, ',', columns);
  };

  it('keeps the picked delimiter when it finds every expected column', async () => {
    expect(await choose('Code,Name\n1,x\n', ['Code', 'Name'])).toBe(',');
  });

  it('switches to the candidate under which the header holds more expected columns', async () => {
    // Three commas, two semicolons: commas win on count, but the names are split by semicolons.
    expect(
      await choose('Name (first, middle, last);Code;Amount\n', ['Name (first, middle, last)', 'Code']),
    ).toBe(';');
  });

  it('ignores candidates that do not occur on the header line', async () => {
    expect(await choose('Code,Name\n', ['Code;Name'])).toBe(',');
  });
});
