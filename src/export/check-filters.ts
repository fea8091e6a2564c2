import type { ObjectInstance } from '../coupa/index.js';
import { parseIsoDateTime } from '../shared/index.js';
import type { ParsedFilter } from './filters.js';

/** A filter a record does not satisfy, and the value the record has. */
export interface FilterMismatch {
  filter: string;
  value: string;
}

/**
 * A check of every exported record against the filters sent with the export (the instance's answer is trusted but
 * verified: an instance that ignores or misreads a filter, e.g. an undocumented filter on a custom field, would
 * otherwise hand over records the user did not ask for).
 *
 * Lenient where instances legitimately differ, so that only a record that no reasonable reading of the filter
 * admits is reported:
 * - text is compared as a case- and accent-insensitive database collation would (`Vendor` equals `vendor`, `é`
 *   equals `e`; equality ignores surrounding spaces), so both a case-sensitive and a case-insensitive instance pass;
 * - a date or datetime without an offset in the filter may be read as UTC or in the record's own offset;
 * - `not_eq` / `not_in` admit a null value (SQL leaves nulls out; another reading keeps them);
 * - what cannot be judged is passed: a field the record does not carry, a reference without the attribute the
 *   filter names, `gt`/`lt` on text (collation order differs between databases).
 *
 * @returns a function giving the first filter a record does not satisfy, or undefined when it satisfies them all
 * @example checkRecordFilters(parseFilters(['active=true']))(record) // { filter: 'active=true', value: 'false' }
 */
export function checkRecordFilters(
  filters: readonly ParsedFilter[],
): (record: ObjectInstance) => FilterMismatch | undefined {
  const checks = filters.map((f) => ({ f, test: buildTest(f) }));
  return (record) => {
    for (const { f, test } of checks) {
      const value = valueOf(record, f);
      if (value === NOT_CARRIED) continue;
      if (test(value) === false) return { filter: f.source, value: describe(value) };
    }
    return undefined;
  };
}

/** A record that does not carry the attribute at all: nothing to judge. */
const NOT_CARRIED = Symbol('not carried');

const STANDARD = new Set(['id', 'created-at', 'updated-at']);

function valueOf(record: ObjectInstance, f: ParsedFilter): unknown {
  let value: unknown;
  if (STANDARD.has(f.normalized)) {
    value = record[f.normalized];
    if (value === undefined) value = record[f.normalized.replace(/-/g, '_')];
  } else {
    const raw: unknown = record['custom-fields'];
    if (raw === null || typeof raw !== 'object') return NOT_CARRIED;
    value = lookupKey(raw as Record<string, unknown>, f.normalized);
  }
  if (value === undefined) return NOT_CARRIED;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    // A reference: by the attribute the filter names, else by its id (Coupa's reading of `owner=5`).
    const attr = lookupKey(value as Record<string, unknown>, f.sub ?? 'id');
    return attr === undefined ? NOT_CARRIED : attr;
  }
  if (Array.isArray(value)) return NOT_CARRIED;
  return value;
}

/** A key of `obj` spelled with `-` or `_`, in any letter case. */
function lookupKey(obj: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const want = canonical(name);
  for (const [key, value] of Object.entries(obj)) if (canonical(key) === want) return value;
  return undefined;
}

function canonical(name: string): string {
  return name.replace(/_/g, '-').toLowerCase();
}

function describe(value: unknown): string {
  if (value === null) return 'empty';
  if (typeof value === 'string') return JSON.stringify(value);
  return textOf(value);
}

/** Text as a case- and accent-insensitive collation compares it. */
function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 't', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'f', 'n']);

/** The instants a filter value may mean: one with an offset; without one, as UTC and in `offsetMs`. */
function instantsOf(text: string, offsetMs: number): number[] | undefined {
  const t = text.trim();
  const dt = parseIsoDateTime(t) ?? parseIsoDateTime(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00` : '');
  if (dt === undefined) return undefined;
  if (dt.offsetMs !== undefined) return [dt.localMs - dt.offsetMs];
  return [dt.localMs, dt.localMs - offsetMs];
}

/** A record's value read as a point in time, with its own offset (0 when it has none). */
function asInstant(value: unknown): { ms: number; offsetMs: number } | undefined {
  if (typeof value !== 'string') return undefined;
  const dt = parseIsoDateTime(value.trim());
  if (dt === undefined) return undefined;
  const offsetMs = dt.offsetMs ?? 0;
  return { ms: dt.localMs - offsetMs, offsetMs };
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const w = value.trim().toLowerCase();
  return TRUE_WORDS.has(w) ? true : FALSE_WORDS.has(w) ? false : undefined;
}

/**
 * Whether a (non-null) record value equals one filter operand, the way some database would: as instants, numbers,
 * booleans, else folded text.
 */
function equalsOperand(value: unknown, operand: string): boolean {
  const instant = asInstant(value);
  if (instant !== undefined) {
    const wanted = instantsOf(operand, instant.offsetMs);
    if (wanted !== undefined)
      return wanted.some((ms) => Math.floor(ms / 1000) === Math.floor(instant.ms / 1000));
  }
  if (typeof value === 'boolean') {
    const b = asBoolean(operand);
    if (b !== undefined) return b === value;
  }
  const n = typeof value === 'number' || typeof value === 'string' ? asNumber(value) : undefined;
  const m = asNumber(operand);
  if (n !== undefined && m !== undefined) return n === m;
  return fold(textOf(value).trim()) === fold(operand.trim());
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

/** Order comparison (`gt` & co.) on instants or numbers; undefined when neither applies (not judged). */
function compareOrdered(value: unknown, operand: string, op: string): boolean | undefined {
  const holds = (a: number, b: number): boolean =>
    op === 'gt' ? a > b : op === 'lt' ? a < b : op === 'gt_or_eq' ? a >= b : a <= b;
  const instant = asInstant(value);
  if (instant !== undefined) {
    const wanted = instantsOf(operand, instant.offsetMs);
    if (wanted !== undefined) {
      const seconds = Math.floor(instant.ms / 1000);
      return wanted.some((ms) => holds(seconds, Math.floor(ms / 1000)));
    }
  }
  const n = asNumber(value);
  const m = asNumber(operand);
  if (n !== undefined && m !== undefined) return holds(n, m);
  return undefined;
}

/** The test of one filter: false = the value clearly does not satisfy it; true or undefined = it may. */
function buildTest(f: ParsedFilter): (value: unknown) => boolean | undefined {
  const operand = f.value;
  switch (f.operator) {
    case 'blank': {
      const want = operand.trim().toLowerCase() === 'true';
      return (v) => (v === null || (typeof v === 'string' && v.trim() === '')) === want;
    }
    case 'contains':
    case 'starts_with':
    case 'ends_with': {
      const needle = fold(operand);
      return (v) => {
        if (v === null) return false;
        const text = fold(textOf(v));
        if (f.operator === 'contains') return text.includes(needle);
        if (f.operator === 'starts_with') return text.startsWith(needle);
        return text.endsWith(needle);
      };
    }
    case 'eq':
      // `field=` (empty) reads as "is empty" on some instances.
      return (v) =>
        v === null
          ? operand.trim() === ''
          : equalsOperand(v, operand) || (operand.trim() === '' && textOf(v).trim() === '');
    case 'not_eq':
      return (v) => v === null || !equalsOperand(v, operand);
    case 'in':
    case 'not_in': {
      const parts = operand.split(',').filter((p) => p.trim() !== '');
      const inList = (v: unknown): boolean => parts.some((p) => equalsOperand(v, p));
      return f.operator === 'in' ? (v) => v !== null && inList(v) : (v) => v === null || !inList(v);
    }
    default: {
      const op = f.operator;
      return (v) => (v === null ? false : compareOrdered(v, operand, op));
    }
  }
}
