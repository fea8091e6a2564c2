import { stat } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { errorText, InputError } from '../shared/index.js';
import { hint } from '../shared/index.js';

import type { TypedCell } from '../shared/index.js';

export type { TypedCell } from '../shared/index.js';

/** One non-blank row of the chosen sheet. */
export interface XlsxRow {
  /** The sheet's row number (1-based): the `_line` of the results file. Blank rows are skipped but counted. */
  line: number;
  /** Each cell's text as Excel shows it (see {@link cellText}); as long as the row's last filled column. */
  cells: string[];
  /** The typed value of each cell (undefined for text, blank and error cells); as long as `cells`. */
  typed: (TypedCell | undefined)[];
}

export interface XlsxOpenOptions {
  /** The worksheet to read (`--sheet`); the first one of the workbook when absent. */
  sheet?: string;
}

/** An opened workbook: its sheet chosen, rows streamed lazily. */
export interface XlsxSource {
  file: string;
  /** Every worksheet's name, in the workbook's order (the tabs as Excel shows them). */
  sheets: string[];
  /** The worksheet read. */
  sheet: string;
  /** The workbook counts days from 1904-01-01 (old Mac Excel) instead of 1900-01-00. */
  date1904: boolean;
  /**
   * Streams the chosen sheet's non-blank rows from the start of the file (each call reads it again), in constant
   * memory apart from the workbook's shared-string table, which every cell may refer to.
   */
  rows(): AsyncIterable<XlsxRow>;
}

// exceljs's streaming reader has loose typings (`parse(): AsyncIterator<any>`): the little of it used here.
interface SheetEvent {
  eventType: string;
  value: unknown;
}
interface StreamWorkbook {
  parse(): AsyncGenerator<SheetEvent, void, undefined>;
  model?: { sheets?: { name: string; id: number; rId: string; state?: string }[] };
  properties?: { model?: { date1904?: boolean } };
  stream?: { destroy(): void };
  /** Reads `xl/workbook.xml` (a private method, wrapped to stop the reader after it). */
  _parseWorkbook(entry: unknown): Promise<void>;
}
interface StreamSheet {
  name: string;
  [Symbol.asyncIterator](): AsyncIterator<StreamRow>;
}
interface StreamRow {
  number: number;
  eachCell(callback: (cell: StreamCell, column: number) => void): void;
}
interface StreamCell {
  value: unknown;
  numFmt?: string;
}

function openReader(path: string): StreamWorkbook {
  // Styles are needed to tell a date (a number with a date format) from a number; hyperlinks are not read, so a
  // linked cell keeps its text.
  return new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  }) as unknown as StreamWorkbook;
}

/**
 * Opens an `.xlsx` workbook: reads its sheet list (the start of the file only, when the workbook part comes first,
 * as Excel writes it), checks the sheet asked for and returns a source whose `rows()` streams that sheet.
 * @throws InputError NOT_FOUND (no such file, or no such sheet: the message names the sheets, with "did you mean"),
 *   UNREADABLE (not a workbook), EMPTY (0 bytes, or no worksheet).
 * @example
 * const source = await openXlsx('budget.xlsx', { sheet: 'Q1' });
 * for await (const row of source.rows()) console.log(row.line, row.cells, row.typed);
 */
export async function openXlsx(path: string, options: XlsxOpenOptions = {}): Promise<XlsxSource> {
  await checkFile(path);
  const info = await readWorkbookInfo(path);
  if (info.sheets.length === 0)
    throw new InputError('EMPTY', 'the workbook has no worksheet', { file: path });
  let sheet = info.sheets[0] as string;
  if (options.sheet !== undefined) {
    const wanted = options.sheet;
    const found =
      info.sheets.find((name) => name === wanted) ??
      info.sheets.find((name) => name.trim().toLowerCase() === wanted.trim().toLowerCase());
    if (found === undefined) {
      throw new InputError(
        'NOT_FOUND',
        `the workbook has no sheet ${JSON.stringify(wanted)}${hint(wanted, info.sheets)}`,
        { file: path },
      );
    }
    sheet = found;
  }
  return {
    file: path,
    sheets: info.sheets,
    sheet,
    date1904: info.date1904,
    rows: () => readSheetRows(path, sheet),
  };
}

/** The names of a workbook's worksheets, in its order. */
export async function listXlsxSheets(path: string): Promise<string[]> {
  await checkFile(path);
  return (await readWorkbookInfo(path)).sheets;
}

async function checkFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new InputError('UNREADABLE', 'this is a folder, not an .xlsx file', { file: path });
    if (info.size === 0) throw new InputError('EMPTY', 'the file is empty (0 bytes)', { file: path });
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError('NOT_FOUND', 'file not found', { file: path });
    throw new InputError('UNREADABLE', `cannot read the file (${code ?? errorText(error)})`, {
      file: path,
    });
  }
}

function unreadable(path: string, error: unknown): InputError {
  if (error instanceof InputError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new InputError('NOT_FOUND', 'file not found', { file: path });
  return new InputError(
    'UNREADABLE',
    `cannot read the workbook: ${errorText(error)} (is it an .xlsx file, saved by Excel or another spreadsheet?)`,
    { file: path },
  );
}

interface WorkbookInfo {
  sheets: string[];
  date1904: boolean;
}

/** Thrown from inside exceljs's reader to stop it once the workbook part is read. */
const STOP = new Error('stop after xl/workbook.xml');

/**
 * Reads the zip's parts up to `xl/workbook.xml` (which lists the sheets and the date system) and stops there. Excel
 * writes the sheets before the shared strings, so exceljs would copy every sheet to a temp file before it could say
 * a sheet's name: listing the sheets would cost a pass over the whole file.
 */
async function readWorkbookInfo(path: string): Promise<WorkbookInfo> {
  const reader = openReader(path);
  const parseWorkbook = reader._parseWorkbook.bind(reader);
  reader._parseWorkbook = async (entry: unknown): Promise<void> => {
    await parseWorkbook(entry);
    throw STOP;
  };
  const events = reader.parse();
  try {
    for (let next = await events.next(); next.done !== true; next = await events.next());
  } catch (error) {
    if (error !== STOP) throw unreadable(path, error);
  } finally {
    reader.stream?.destroy();
  }
  const sheets = reader.model?.sheets;
  if (sheets === undefined)
    throw new InputError('UNREADABLE', 'this is not an .xlsx workbook (no xl/workbook.xml)', { file: path });
  return { sheets: sheets.map((s) => s.name), date1904: reader.properties?.model?.date1904 === true };
}

async function* readSheetRows(path: string, sheet: string): AsyncGenerator<XlsxRow, void, undefined> {
  const reader = openReader(path);
  const events = reader.parse();
  try {
    for (;;) {
      let next: IteratorResult<SheetEvent, void>;
      try {
        next = await events.next();
      } catch (error) {
        throw unreadable(path, error);
      }
      if (next.done === true) return;
      if (next.value.eventType !== 'worksheet') continue;
      const worksheet = next.value.value as StreamSheet;
      // Other sheets are skipped unread: exceljs drains (or never opens) their part when the loop moves on.
      if (worksheet.name !== sheet) continue;
      const date1904 = reader.properties?.model?.date1904 === true;
      const rows = worksheet[Symbol.asyncIterator]();
      for (;;) {
        let item: IteratorResult<StreamRow>;
        try {
          item = await rows.next();
        } catch (error) {
          throw unreadable(path, error);
        }
        if (item.done === true) return;
        const row = toXlsxRow(item.value, date1904);
        if (row !== undefined) yield row;
      }
    }
  } finally {
    reader.stream?.destroy();
    await events.return(undefined).catch(() => undefined);
  }
}

function toXlsxRow(row: StreamRow, date1904: boolean): XlsxRow | undefined {
  const cells: string[] = [];
  const typed: (TypedCell | undefined)[] = [];
  let last = 0;
  row.eachCell((cell, column) => {
    const read = readCell(cell.value, cell.numFmt, date1904);
    if (read.text.trim() === '') return;
    for (let i = cells.length; i < column - 1; i++) {
      cells.push('');
      typed.push(undefined);
    }
    cells[column - 1] = read.text;
    typed[column - 1] = read.typed;
    last = column;
  });
  if (last === 0) return undefined;
  return { line: row.number, cells, typed };
}

/** A cell's text as shown and its typed value. */
export interface ReadCell {
  text: string;
  typed: TypedCell | undefined;
}

/**
 * One cell as exceljs's streaming reader gives it (string, number, boolean, Date for a date-formatted number,
 * `{ richText }`, `{ formula, result }`, `{ error }`), read with its number format.
 */
export function readCell(value: unknown, numFmt: string | undefined, date1904: boolean): ReadCell {
  if (value === null || value === undefined) return { text: '', typed: undefined };
  if (typeof value === 'string') return { text: value, typed: undefined };
  if (typeof value === 'boolean')
    return { text: value ? 'TRUE' : 'FALSE', typed: { kind: 'boolean', value } };
  if (typeof value === 'number') return readNumber(value, numFmt, date1904);
  if (value instanceof Date) {
    // exceljs turned the serial into a Date counted from 1970 in UTC; back to the serial, read as a wall clock.
    return readNumber(value.getTime() / 86_400_000 + 25569 - (date1904 ? 1462 : 0), numFmt, date1904);
  }
  if (typeof value === 'object') {
    const v = value as {
      richText?: { text?: string }[];
      result?: unknown;
      formula?: unknown;
      error?: unknown;
    };
    if (Array.isArray(v.richText))
      return { text: v.richText.map((r) => r.text ?? '').join(''), typed: undefined };
    if ('formula' in v || 'sharedFormula' in v || 'result' in v) {
      // The result Excel cached when it last calculated; a formula never calculated has none.
      if (typeof v.result === 'number' && Number.isNaN(v.result)) return { text: '', typed: undefined };
      if (v.result !== null && typeof v.result === 'object' && 'error' in v.result)
        return { text: String(v.result.error), typed: undefined };
      return readCell(v.result, numFmt, date1904);
    }
    if ('error' in v) return { text: String(v.error), typed: undefined };
    // A hyperlink cell (when a reader keeps links): its shown text.
    if ('text' in v) return readCell((v as { text: unknown }).text, numFmt, date1904);
    return { text: '', typed: undefined };
  }
  return { text: typeof value === 'bigint' ? value.toString() : '', typed: undefined };
}

type FormatKind = 'date' | 'datetime' | 'time' | 'number';

/** What a number format shows: a date, a date and time, a time of day, or a number. */
export function formatKind(numFmt: string | undefined): FormatKind {
  if (numFmt === undefined || numFmt === '') return 'number';
  // The first section (positive numbers); quoted text, escapes and [colour]/[$-locale] parts say nothing, the
  // elapsed-time brackets [h] [mm] [ss] do.
  let section = (numFmt.split(';')[0] ?? '')
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/\[(h+|m+|s+)\]/gi, '$1')
    .replace(/\[[^\]]*\]/g, '')
    .toLowerCase();
  let hasTime = false;
  if (/am\/pm|a\/p/.test(section)) {
    hasTime = true;
    section = section.replace(/am\/pm|a\/p/g, '');
  }
  let hasDate = false;
  const tokens = section.match(/y+|d+|h+|m+|s+|[^ydhms]/g) ?? [];
  const letters = tokens.filter((t) => /^[ydhms]/.test(t));
  letters.forEach((token, i) => {
    const c = token[0];
    if (c === 'y' || c === 'd') hasDate = true;
    else if (c === 'h' || c === 's') hasTime = true;
    else if (c === 'm') {
      // m is minutes right after an hour or right before a second, else a month.
      const minutes = letters[i - 1]?.[0] === 'h' || letters[i + 1]?.[0] === 's';
      if (minutes) hasTime = true;
      else hasDate = true;
    }
  });
  if (hasDate && hasTime) return 'datetime';
  if (hasDate) return 'date';
  if (hasTime) return 'time';
  return 'number';
}

function readNumber(value: number, numFmt: string | undefined, date1904: boolean): ReadCell {
  const kind = formatKind(numFmt);
  if (kind !== 'number') {
    const clock = serialToWallClock(value, date1904);
    if (clock !== undefined) {
      const [date, time] = clock;
      const text = kind === 'date' ? date : kind === 'time' ? time : `${date}T${time}`;
      return { text, typed: { kind, value: text } };
    }
  }
  const clean = denoise(value);
  return { text: formatNumber(clean, numFmt), typed: { kind: 'number', value: clean } };
}

/** 15 significant digits, as Excel keeps and shows them: 0.1 + 0.2 is 0.3. */
export function denoise(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value === 0 ? 0 : value;
  return Number(value.toPrecision(15));
}

/**
 * A number's text: the decimals the format fixes (`0.00`, `#,##0.000`), a percentage for `%` formats, else the 15
 * significant digits Excel shows. Always `.` for decimals and no grouping: the cell's locale rendering is Excel's,
 * and a mapping reads the typed value anyway.
 */
export function formatNumber(value: number, numFmt: string | undefined): string {
  const section = (numFmt ?? '').split(';')[0]?.replace(/"[^"]*"/g, '') ?? '';
  const percent = section.includes('%');
  const shown = denoise(percent ? value * 100 : value);
  // A format with digit placeholders fixes the decimals (none without a point); General and text show 15 digits.
  const fixed = /[0#?]/.test(section) && !/e\+/i.test(section);
  const text = fixed ? roundHalfUp(shown, /\.([0#?]+)/.exec(section)?.[1]?.length ?? 0) : plain(shown);
  return percent ? `${text}%` : text;
}

/** Rounds half away from zero at `decimals`, on the decimal digits (1.005 to 2 places is 1.01, as Excel shows). */
function roundHalfUp(value: number, decimals: number): string {
  const digits = plain(Math.abs(value));
  const [int = '0', frac = ''] = digits.split('.');
  if (frac.length <= decimals) {
    const out = decimals > 0 ? `${int}.${frac.padEnd(decimals, '0')}` : int;
    return value < 0 && /[1-9]/.test(out) ? `-${out}` : out;
  }
  const kept = BigInt(int + frac.slice(0, decimals)) + (frac.charCodeAt(decimals) - 48 >= 5 ? 1n : 0n);
  let s = kept.toString().padStart(decimals + 1, '0');
  if (decimals > 0) s = `${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
  return value < 0 && /[1-9]/.test(s) ? `-${s}` : s;
}

/** A number without exponent notation (Excel shows 1E+21 only for very large or small values; so do we). */
function plain(value: number): string {
  const s = String(value);
  if (!/e/i.test(s)) return s;
  const abs = Math.abs(value);
  if (abs >= 1e21 || abs < 1e-9) return s;
  return value.toFixed(Math.max(0, Math.min(20, 15 - Math.floor(Math.log10(abs))))).replace(/\.?0+$/, '');
}

/**
 * The wall-clock date and time of an Excel serial (days since 1899-12-30 in the 1900 system, after Lotus's
 * phantom 1900-02-29; since 1904-01-01 in the 1904 system), rounded to the second. Undefined for a serial no date
 * format can show (negative, or past 9999-12-31).
 */
export function serialToWallClock(serial: number, date1904: boolean): [string, string] | undefined {
  if (!Number.isFinite(serial) || serial < 0 || serial >= 2_958_466) return undefined;
  let seconds = Math.round(serial * 86_400);
  // 1900 system: serials 1..59 are Jan 1..Feb 28 1900, which sit one day later than the 1899-12-30 epoch gives,
  // because Excel counts a 1900-02-29 (serial 60) that never was.
  if (!date1904 && serial < 60) seconds += 86_400;
  const base = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  const d = new Date(base + seconds * 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return [date, time];
}
