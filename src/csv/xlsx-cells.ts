/**
 * What a cell shows: its text as Excel displays it (within reason: `.` decimals, no grouping) and its typed value,
 * from the raw value and the cell's number format. Shared by the workbook reader (xlsx-sheet.ts) and anything that
 * holds a value the way exceljs gives it.
 */
import { numberText, type TypedCell } from '../shared/index.js';

/** A cell's text as shown and its typed value. */
export interface ReadCell {
  text: string;
  typed: TypedCell | undefined;
}

/**
 * One cell as exceljs's readers give it (string, number, boolean, Date for a date-formatted number,
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
  // A workbook has a few formats and many cells: each format is read once.
  let kind = kinds.get(numFmt);
  if (kind === undefined) {
    kind = readFormatKind(numFmt);
    remember(kinds, numFmt, kind);
  }
  return kind;
}

/** At most this many formats are remembered (a workbook has tens; the cap bounds a long-lived process). */
const REMEMBERED_FORMATS = 1000;
const kinds = new Map<string, FormatKind>();

function remember<T>(map: Map<string, T>, key: string, value: T): void {
  if (map.size >= REMEMBERED_FORMATS) map.clear();
  map.set(key, value);
}

function readFormatKind(numFmt: string): FormatKind {
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

export function readNumber(value: number, numFmt: string | undefined, date1904: boolean): ReadCell {
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
  // A whole number of up to 15 digits is its own 15-digit rounding (most cells: amounts, counts, ids).
  if (Number.isInteger(value) && value < 1e15 && value > -1e15) return value;
  return Number(value.toPrecision(15));
}

/**
 * A number's text: the decimals the format fixes (`0.00`, `#,##0.000`), a percentage for `%` formats, else the 15
 * significant digits Excel shows. Always `.` for decimals and no grouping: the cell's locale rendering is Excel's,
 * and a mapping reads the typed value anyway.
 */
export function formatNumber(value: number, numFmt: string | undefined): string {
  const key = numFmt ?? '';
  let shape = shapes.get(key);
  if (shape === undefined) {
    shape = readNumberShape(key);
    remember(shapes, key, shape);
  }
  const shown = denoise(shape.percent ? value * 100 : value);
  const text = shape.decimals !== undefined ? roundHalfUp(shown, shape.decimals) : plain(shown);
  return shape.percent ? `${text}%` : text;
}

interface NumberShape {
  percent: boolean;
  /** The decimals the format fixes; undefined for 15 significant digits. */
  decimals: number | undefined;
}

const shapes = new Map<string, NumberShape>();

function readNumberShape(numFmt: string): NumberShape {
  const section = numFmt.split(';')[0]?.replace(/"[^"]*"/g, '') ?? '';
  // A format with digit placeholders fixes the decimals (none without a point); General and text show 15 digits.
  const fixed = /[0#?]/.test(section) && !/e\+/i.test(section);
  return {
    percent: section.includes('%'),
    decimals: fixed ? (/\.([0#?]+)/.exec(section)?.[1]?.length ?? 0) : undefined,
  };
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
  const s = numberText(value);
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

/**
 * A `t="d"` cell: an ISO 8601 date, date-time or time (strict OOXML), read as the wall clock it states (an offset
 * or `Z` is ignored, as Excel does). Its number format decides what is shown where it is a date or time format;
 * else the value itself does (a date at midnight is a date, a time alone a time). Text that is no ISO date is text.
 */
export function readIsoDate(value: string, numFmt: string | undefined): ReadCell {
  const m =
    /^\s*(?:(\d{4})-(\d{2})-(\d{2}))?(?:T?(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?\s*$/.exec(
      value,
    );
  if (m === null || (m[1] === undefined && m[4] === undefined)) return { text: value, typed: undefined };
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`);
  const ms = Date.UTC(
    m[1] === undefined ? 1899 : Number(m[1]),
    m[1] === undefined ? 11 : Number(m[2]) - 1,
    m[1] === undefined ? 30 : Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Math.round(Number(m[6] ?? 0) + fraction),
  );
  if (Number.isNaN(ms)) return { text: value, typed: undefined };
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  let kind = formatKind(numFmt);
  if (kind === 'number') kind = m[1] === undefined ? 'time' : time === '00:00:00' ? 'date' : 'datetime';
  const text = kind === 'date' ? date : kind === 'time' ? time : `${date}T${time}`;
  return { text, typed: { kind, value: text } };
}
