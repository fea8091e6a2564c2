import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { findHeaderRow, type HeadLine } from '../../src/csv/header-row.js';
import { UsageError } from '../../src/shared/errors.js';

/** The lines of a CSV text as a reader hands them over: blank lines left out, numbered as in the file. */
function csvLines(text: string, delimiter = ','): HeadLine[] {
  const records = parse(text, {
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
  }) as unknown as { record: string[]; info: { lines: number } }[];
  return records.map((r) => ({ line: r.info.lines, cells: r.record }));
}

const MAPPED = ['Allocation Code', 'Cost Center', 'Amount'];

describe('findHeaderRow', () => {
  it('takes line 1 when it holds the mapped columns', () => {
    const lines = csvLines('Allocation Code,Cost Center,Amount\nBA-1,Marketing,10\n');
    expect(findHeaderRow(lines, { columns: MAPPED })).toEqual({ line: 1, index: 0, detected: false });
  });

  it('finds the header under a title line and a blank line, and says so', () => {
    const lines = csvLines(
      'Budget 2026 - Cost centres\n\nAllocation Code,Cost Center,Amount\nBA-1,Marketing,10\n',
    );
    expect(lines.map((l) => l.line)).toEqual([1, 3, 4]);
    const found = findHeaderRow(lines, { columns: MAPPED });
    expect(found).toMatchObject({ line: 3, index: 1, detected: true });
    expect(found.note).toBe(
      'the header is on line 3: line 1 ("Budget 2026 - Cost centres") looks like a title and lines 1-2 are skipped; use --header-row to choose another line',
    );
  });

  it('finds it under a title whose delimiters Excel kept (";;;" after the title)', () => {
    const lines = csvLines(
      'Budget 2026 - Cost centres;;;\n;;;\nallocation code ;Cost Center;Amount;Notes\nBA-1;Marketing;10;x\n',
      ';',
    );
    expect(findHeaderRow(lines, { columns: MAPPED })).toMatchObject({ line: 3, detected: true });
  });

  it('finds it under a multi-cell title block that lacks the mapped columns', () => {
    const lines = csvLines(
      'Report,Budget allocations\nPrinted,2026-01-05\nAllocation Code,Cost Center,Amount\nBA-1,Marketing,10\n',
    );
    expect(findHeaderRow(lines, { columns: MAPPED })).toMatchObject({ line: 3, index: 2, detected: true });
  });

  it('keeps line 1 when no later line holds more of the mapped columns (the missing column is reported there)', () => {
    const lines = csvLines('Allocation Code,Cost Centre,Amount\nBA-1,Marketing,10\n');
    expect(findHeaderRow(lines, { columns: MAPPED })).toEqual({ line: 1, index: 0, detected: false });
  });

  it('takes a later line holding most of the columns, so that the one missing is reported on the right line', () => {
    const lines = csvLines('Budget 2026\nAllocation Code,Cost Centre,Amount\nBA-1,Marketing,10\n');
    expect(findHeaderRow(lines, { columns: MAPPED })).toMatchObject({ line: 2, detected: true });
  });

  it('does not take a line that holds fewer than half of the columns', () => {
    const lines = csvLines('Budget 2026\nAmount,x,y\n1,2,3\n');
    expect(findHeaderRow(lines, { columns: MAPPED })).toEqual({ line: 1, index: 0, detected: false });
  });

  it('looks no further than the first 20 lines', () => {
    const text = 'Budget 2026\n' + 'note\n'.repeat(20) + 'Allocation Code,Cost Center,Amount\n';
    const lines = csvLines(text);
    expect(lines[lines.length - 1]?.line).toBe(22);
    expect(findHeaderRow(lines, { columns: MAPPED })).toMatchObject({ line: 1, detected: false });
    expect(findHeaderRow(lines, { columns: MAPPED, scanLines: 30 })).toMatchObject({
      line: 22,
      detected: true,
    });
  });

  it('without a mapping: the first line of several cells under a one-cell title', () => {
    const lines = csvLines('Budget 2026 - Cost centres\n\nCode,Amount\n1,2\n');
    expect(findHeaderRow(lines)).toMatchObject({ line: 3, index: 1, detected: true });
    expect(findHeaderRow(csvLines('Code,Amount\n1,2\n'))).toEqual({ line: 1, index: 0, detected: false });
    // A one-column file stays as it is.
    expect(findHeaderRow(csvLines('Code\n1\n2\n'))).toEqual({ line: 1, index: 0, detected: false });
  });

  it('takes --header-row as given, and refuses a blank line or one past the end', () => {
    const lines = csvLines(
      'Budget 2026 - Cost centres\n\nAllocation Code,Cost Center,Amount\nBA-1,Marketing,10\n',
    );
    expect(findHeaderRow(lines, { headerRow: 3, columns: MAPPED })).toEqual({
      line: 3,
      index: 1,
      detected: false,
    });
    // Given, the line is taken even when it does not hold the columns (the mapping then names what is missing).
    expect(findHeaderRow(lines, { headerRow: 1, columns: MAPPED })).toEqual({
      line: 1,
      index: 0,
      detected: false,
    });
    expect(() => findHeaderRow(lines, { headerRow: 2 })).toThrow(
      '--header-row 2: line 2 is blank (the next filled line is 3)',
    );
    expect(() => findHeaderRow(lines, { headerRow: 9 })).toThrow('no line 9 with cells (its last is line 4)');
    expect(() => findHeaderRow(lines, { headerRow: 0 })).toThrow(UsageError);
  });

  it('refuses an input with no lines', () => {
    expect(() => findHeaderRow([])).toThrow(UsageError);
  });
});
