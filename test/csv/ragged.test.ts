import { describe, expect, it } from 'vitest';
import { createRecordShaper, isBlankRecord, unnamedTailStart } from '../../src/csv/ragged.js';

describe('createRecordShaper', () => {
  const shape = createRecordShaper(['Code', 'Name', 'City']);

  it('passes a row as wide as the header unchanged, with its line', () => {
    expect(shape(['1', 'a', 'b'], 7)).toEqual({ line: 7, cells: ['1', 'a', 'b'] });
  });

  it('skips a row whose cells are all blank', () => {
    expect(shape(['', '  ', '\t'], 2)).toBeUndefined();
    expect(shape([''], 2)).toBeUndefined();
  });

  it('pads a short row and says so', () => {
    expect(shape(['1'], 4)).toEqual({
      line: 4,
      cells: ['1', '', ''],
      error: 'line 4 has 1 cell, the header has 3',
    });
  });

  it('cuts a long row with content beyond the header and says so', () => {
    expect(shape(['1', 'a', 'b', 'extra'], 5)).toEqual({
      line: 5,
      cells: ['1', 'a', 'b'],
      error: 'line 5 has 4 cells, the header has 3',
    });
  });

  it('drops blank extra cells (trailing delimiters) silently', () => {
    expect(shape(['1', 'a', 'b', '', ' '], 6)).toEqual({ line: 6, cells: ['1', 'a', 'b'] });
  });

  it('pads silently a row that lacks only cells under unnamed columns at the end of the header', () => {
    const withUnnamed = createRecordShaper(['Code', 'Name', '', ' ']);
    expect(withUnnamed(['1', 'a'], 3)).toEqual({ line: 3, cells: ['1', 'a', '', ''] });
    expect(withUnnamed(['1'], 4)).toEqual({
      line: 4,
      cells: ['1', '', '', ''],
      error: 'line 4 has 1 cell, the header has 4',
    });
  });
});

describe('isBlankRecord', () => {
  it('is true only when every cell is empty or white space', () => {
    expect(isBlankRecord([])).toBe(true);
    expect(isBlankRecord(['', ' \t'])).toBe(true);
    expect(isBlankRecord(['', 'x'])).toBe(false);
  });
});

describe('unnamedTailStart', () => {
  it('is where the run of unnamed columns at the end of the header starts', () => {
    expect(unnamedTailStart(['a', 'b'])).toBe(2);
    expect(unnamedTailStart(['a', '', ' '])).toBe(1);
    expect(unnamedTailStart(['', 'a', ''])).toBe(2);
    expect(unnamedTailStart(['', ''])).toBe(0);
  });
});
