import { stringify } from 'csv-stringify/sync';

/**
 * A cell that is a number (signed, with `.`/`,` separators): spreadsheets do not run it as a formula. Not with spaces
 * or apostrophes: `+44 20 1234` is a formula to a spreadsheet (a space is its intersection operator).
 */
const PLAIN_NUMBER = /^[+-]?(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?%?$/;

/**
 * Escapes a cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return)
 * by prefixing `'`. Plain numbers such as `-12.5` or `+49` are left alone.
 * @example escapeFormula('=HYPERLINK("x")') // "'=HYPERLINK(\"x\")"
 * @example escapeFormula('-12.5') // '-12.5'
 */
export function escapeFormula(cell: string): string {
  if (cell.length === 0) return cell;
  const c = cell.charCodeAt(0);
  // = + - @ TAB CR
  if (c !== 61 && c !== 43 && c !== 45 && c !== 64 && c !== 9 && c !== 13) return cell;
  if ((c === 43 || c === 45) && PLAIN_NUMBER.test(cell)) return cell;
  return `'${cell}`;
}

const LINE_BREAK = /\r/;

/**
 * One CSV line ending in `\n`, quoting cells as needed (delimiter, quote, CR or LF inside), via csv-stringify.
 * `excelSafe` applies {@link escapeFormula} to every cell first. A row without quotes or line breaks in any cell is
 * written directly (cells holding the delimiter wrapped in quotes): the same bytes csv-stringify writes, without its
 * per-call set-up, which dominated the time of large validate runs.
 * @example formatCsvRow(['a', 'b,c']) // 'a,"b,c"\n'
 */
export function formatCsvRow(
  cells: readonly string[],
  options: { delimiter?: string; excelSafe?: boolean } = {},
): string {
  const excelSafe = options.excelSafe === true;
  const delimiter = options.delimiter ?? ',';
  // A lone empty cell would make a blank line, which readers skip.
  if (cells.length === 1 && cells[0] === '') return '""\n';
  const d = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = excelSafe ? escapeFormula(cells[i] ?? '') : (cells[i] ?? '');
    // One pass over the characters: cheaper than a regular expression per cell on large files.
    let quote = d < 0 && cell.includes(delimiter);
    for (let j = 0; j < cell.length; j++) {
      const c = cell.charCodeAt(j);
      if (c === 34 || c === 10 || c === 13) {
        return stringify([excelSafe ? cells.map(escapeFormula) : [...cells]], {
          delimiter,
          record_delimiter: '\n',
          quoted_match: LINE_BREAK,
        });
      }
      if (c === d) quote = true;
    }
    if (i > 0) line += delimiter;
    line += quote ? `"${cell}"` : cell;
  }
  return line + '\n';
}
