/**
 * Cell-level parsers and formatters shared by the import (cell -> value), the export (value -> cell) and the
 * mapping guesser. All are allocation-light: the import calls them for every cell of every row.
 */
import { isRealDate, numberText, utcFromFields } from '../shared/index.js';

/** A number of the given separator style, normalised to `[-]digits[.digits]`, or undefined when it is not one. */
export function parseDecimal(text: string, separator: '.' | ','): string | undefined {
  const parsed = scanNumber(text, separator);
  if (parsed === undefined) return undefined;
  const { negative, int, frac } = parsed;
  if (int === '' && frac === '') return undefined;
  const intPart = stripLeadingZeros(int);
  const isZero = intPart === '0' && /^0*$/.test(frac);
  return (negative && !isZero ? '-' : '') + intPart + (frac === '' ? '' : `.${frac}`);
}

/**
 * A whole number (thousands separators allowed as for decimals; a fraction only when it is all zeros, as in `12.00`).
 * Returns `undefined` when the text is not a whole number and `null` when it is one too large to send exactly.
 */
export function parseInteger(text: string, separator: '.' | ','): number | null | undefined {
  const parsed = scanNumber(text, separator);
  if (parsed === undefined || parsed.int === '') return undefined;
  for (let i = 0; i < parsed.frac.length; i++) if (parsed.frac.charCodeAt(i) !== 48) return undefined;
  const n = Number(parsed.int);
  if (!Number.isSafeInteger(n)) return null;
  return parsed.negative && n !== 0 ? -n : n;
}

/**
 * A whole number written like `1.000` (decimal `.`) or `1,000` (decimal `,`): one to three digits, the decimal
 * separator, three zeros. Read as a decimal it is 1; written with the other convention it is 1000. A file saved with
 * the other convention than the mapping says reads wrong without an error, so such a cell is refused.
 */
export function isAmbiguousWhole(text: string, separator: '.' | ','): boolean {
  const t = text.trim();
  const at = t.indexOf(separator);
  if (at < 1 || t.length - at !== 4 || !t.endsWith('000')) return false;
  const digits = t.charCodeAt(0) === 43 || t.charCodeAt(0) === 45 ? t.slice(1, at) : t.slice(0, at);
  return digits.length >= 1 && digits.length <= 3 && /^\d+$/.test(digits);
}

const CODE_0 = 48;
const CODE_9 = 57;

function isThousandsSeparator(code: number, other: number): boolean {
  // space, apostrophe, right single quote, no-break space, narrow no-break space, thin space, the other separator
  return (
    code === 32 ||
    code === 39 ||
    code === 0x2019 ||
    code === 0xa0 ||
    code === 0x202f ||
    code === 0x2009 ||
    code === other
  );
}

/**
 * Splits a number into sign, integer digits (separators removed) and fraction digits. Thousands separators must
 * sit between groups of exactly three digits (so `12,3` with a `.` separator is rejected, not read as 123).
 */
function scanNumber(
  text: string,
  separator: '.' | ',',
): { negative: boolean; int: string; frac: string } | undefined {
  const len = text.length;
  if (len === 0) return undefined;
  const dec = separator.charCodeAt(0);
  const other = separator === '.' ? 44 : 46;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43 || first === 0x2212) {
    negative = first !== 43;
    i = 1;
  }
  const intStart = i;
  let groupLen = 0;
  let sawSeparator = false;
  let plain = true;
  for (; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c >= CODE_0 && c <= CODE_9) {
      groupLen++;
      continue;
    }
    if (c === dec) break;
    if (isThousandsSeparator(c, other)) {
      if (groupLen === 0) return undefined;
      if (sawSeparator ? groupLen !== 3 : groupLen > 3) return undefined;
      sawSeparator = true;
      plain = false;
      groupLen = 0;
      continue;
    }
    return undefined;
  }
  if (sawSeparator && groupLen !== 3) return undefined;
  const intRaw = text.slice(intStart, i);
  const int = plain ? intRaw : intRaw.replace(/\D/g, '');
  let frac = '';
  if (i < len) {
    // at the decimal separator
    const fracStart = i + 1;
    for (let j = fracStart; j < len; j++) {
      const c = text.charCodeAt(j);
      if (c < CODE_0 || c > CODE_9) return undefined;
    }
    frac = text.slice(fracStart);
  }
  return { negative, int, frac };
}

function stripLeadingZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === CODE_0) i++;
  return digits === '' ? '0' : digits.slice(i);
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0']);

/** `true`/`false`, `yes`/`no`, `y`/`n`, `1`/`0`, any case; undefined otherwise. */
export function parseBoolean(text: string): boolean | undefined {
  const t = text.length <= 5 ? text.toLowerCase() : '';
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return undefined;
}

/** A positive whole number written with digits only (instance ids), or undefined. */
export function parsePositiveId(text: string): number | undefined {
  if (text.length === 0 || text.length > 16) return undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < CODE_0 || c > CODE_9) return undefined;
  }
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Date / datetime formats with the tokens YYYY MM DD HH mm ss

export type FormatToken = 'YYYY' | 'MM' | 'DD' | 'HH' | 'mm' | 'ss';
const TOKENS: readonly FormatToken[] = ['YYYY', 'MM', 'DD', 'HH', 'mm', 'ss'];
type FormatPart = { token: FormatToken } | { literal: string };

/** A compiled `format`: a regex to read cells and the parts to write them. */
export interface CompiledFormat {
  source: string;
  parts: FormatPart[];
  regex: RegExp;
  /** Capture group index of each token present. */
  groups: Partial<Record<FormatToken, number>>;
  hasTime: boolean;
}

/**
 * Compiles a date (`withTime` false) or datetime format. Throws an Error whose message says what is wrong
 * (unknown token, missing or repeated token, time tokens in a date format).
 */
export function compileFormat(format: string, withTime: boolean): CompiledFormat {
  const parts: FormatPart[] = [];
  const seen = new Set<FormatToken>();
  let i = 0;
  while (i < format.length) {
    const token = TOKENS.find((t) => format.startsWith(t, i));
    if (token !== undefined) {
      if (seen.has(token)) throw new Error(`token ${token} appears twice`);
      seen.add(token);
      parts.push({ token });
      i += token.length;
      continue;
    }
    const ch = format.charAt(i);
    if (/[A-Za-z]/.test(ch) && ch !== 'T') {
      let j = i;
      while (j < format.length && format.charAt(j) === ch) j++;
      throw new Error(
        `"${format.slice(i, j)}" is not a token (tokens: ${withTime ? TOKENS.join(' ') : 'YYYY MM DD'})`,
      );
    }
    const last = parts[parts.length - 1];
    if (last !== undefined && 'literal' in last) last.literal += ch;
    else parts.push({ literal: ch });
    i++;
  }
  for (const required of ['YYYY', 'MM', 'DD'] as const) {
    if (!seen.has(required)) throw new Error(`it has no ${required}`);
  }
  if (!withTime && (seen.has('HH') || seen.has('mm') || seen.has('ss'))) {
    throw new Error('a date format has no time tokens (use type: datetime for HH, mm, ss)');
  }
  if (withTime) {
    if (!seen.has('HH')) throw new Error('a datetime format needs HH');
    if (!seen.has('mm')) throw new Error('a datetime format needs mm');
  }
  if (seen.has('ss') && !seen.has('mm')) throw new Error('ss needs mm');
  let pattern = '^';
  const groups: Partial<Record<FormatToken, number>> = {};
  let group = 0;
  parts.forEach((part, index) => {
    if ('literal' in part) {
      pattern += part.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
      return;
    }
    group++;
    groups[part.token] = group;
    const next = parts[index + 1];
    const flexible = next === undefined || 'literal' in next;
    if (part.token === 'YYYY') pattern += '(\\d{4})';
    else if (part.token === 'mm' || part.token === 'ss') pattern += '(\\d{2})';
    else pattern += flexible ? '(\\d{1,2})' : '(\\d{2})';
  });
  pattern += '$';
  return { source: format, parts, regex: new RegExp(pattern), groups, hasTime: seen.has('HH') };
}

/** Wall-clock fields read from a cell with a compiled format. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Reads a cell with a compiled format; undefined when it does not match or is not a real date/time. */
export function readWithFormat(text: string, format: CompiledFormat): WallClock | undefined {
  const m = format.regex.exec(text);
  if (m === null) return undefined;
  const g = format.groups;
  const year = Number(m[g.YYYY ?? 0]);
  const month = Number(m[g.MM ?? 0]);
  const day = Number(m[g.DD ?? 0]);
  const hour = g.HH === undefined ? 0 : Number(m[g.HH]);
  const minute = g.mm === undefined ? 0 : Number(m[g.mm]);
  const second = g.ss === undefined ? 0 : Number(m[g.ss]);
  if (!isRealDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  return { year, month, day, hour, minute, second };
}

/** Writes wall-clock time (UTC-encoded ms) with a compiled format, zero-padded. */
export function writeWithFormat(localMs: number, format: CompiledFormat): string {
  const d = new Date(localMs);
  let out = '';
  for (const part of format.parts) {
    if ('literal' in part) {
      out += part.literal;
      continue;
    }
    switch (part.token) {
      case 'YYYY':
        out += String(d.getUTCFullYear()).padStart(4, '0');
        break;
      case 'MM':
        out += pad2(d.getUTCMonth() + 1);
        break;
      case 'DD':
        out += pad2(d.getUTCDate());
        break;
      case 'HH':
        out += pad2(d.getUTCHours());
        break;
      case 'mm':
        out += pad2(d.getUTCMinutes());
        break;
      case 'ss':
        out += pad2(d.getUTCSeconds());
        break;
    }
  }
  return out;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Wall-clock fields -> UTC-encoded ms. */
export function wallClockMs(w: WallClock): number {
  return utcFromFields(w.year, w.month, w.day, w.hour, w.minute, w.second);
}

/** Reads an ISO `YYYY-MM-DD` date; undefined unless it is a real calendar date. */
export function readIsoDate(text: string): { year: number; month: number; day: number } | undefined {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  if (year < 0 || month < 0 || day < 0 || !isRealDate(year, month, day)) return undefined;
  return { year, month, day };
}

function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - CODE_0;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** A number as plain decimal text (no exponent), for decimals that come back as JSON numbers. */
export function plainNumber(n: number): string {
  const s = numberText(n);
  if (!/e/i.test(s)) return s;
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}
