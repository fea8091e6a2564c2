// The index's query language: filters (`<attribute>[<op>]=<value>`), ordering (`order_by`, `dir`) and paging
// (`limit`, `offset`), read as Coupa documents them ("API Operators", "Querying Options").
import { SimHttpError, type ObjectState, type StoredRecord } from './store.js';
import { parseInstant } from './time.js';
import { hyphenate, isBlank, naturalKey, referenceKeys, type Directory, type StoredValue } from './values.js';

/** How the instance reads queries (two of Coupa's variations). */
export interface QueryOptions {
  /** Text compares case-insensitively, as under a case-insensitive database collation. */
  caseInsensitive: boolean;
  /** Datetimes without an offset are read in this zone (undefined: UTC). */
  localZone: string | undefined;
}

/** Most records one page holds; a larger `limit` is cut to it. */
export const PAGE_MAX = 50;
const RESERVED_PARAMS = new Set(['limit', 'offset', 'order-by', 'dir', 'return-object', 'fields']);
const STANDARD_ATTRS = new Set(['id', 'created-at', 'updated-at']);

type Kind = 'number' | 'text' | 'instant' | 'boolean';
type Getter = (r: StoredRecord) => StoredValue;

/**
 * One index page of an object. `params` are the query arguments (keys with `_` or `-`). Throws SimHttpError 400
 * for an unknown attribute, operator or a value of the wrong kind.
 */
export function listRecords(
  state: ObjectState,
  params: ReadonlyArray<readonly [string, string]>,
  dir: Directory,
  options: QueryOptions,
): StoredRecord[] {
  let limit = PAGE_MAX;
  let offset = 0;
  let orderBy = 'id';
  let desc = false;
  const predicates: Array<(r: StoredRecord) => boolean> = [];
  let idLow = -Infinity;
  let idHigh = Infinity;
  for (const [rawKey, value] of params) {
    const key = hyphenate(rawKey);
    if (RESERVED_PARAMS.has(key)) {
      if (key === 'limit') limit = Math.min(PAGE_MAX, parseCount(value, 'limit'));
      else if (key === 'offset') offset = parseCount(value, 'offset');
      else if (key === 'order-by') orderBy = orderAttribute(state, value);
      else if (key === 'dir') {
        const d = value.toLowerCase();
        if (d !== 'asc' && d !== 'desc')
          throw new SimHttpError(400, [`dir must be asc or desc, not "${value}"`]);
        desc = d === 'desc';
      }
      continue;
    }
    const filter = parseFilter(state, dir, options, key, value);
    predicates.push(filter.test);
    if (filter.idBound) {
      idLow = Math.max(idLow, filter.idBound.low);
      idHigh = Math.min(idHigh, filter.idBound.high);
    }
  }
  const matches = (r: StoredRecord): boolean => predicates.every((p) => p(r));
  const out: StoredRecord[] = [];
  if (limit === 0) return out;
  if (orderBy === 'id') {
    // Keyset fast path: walk the id-sorted array from the bounds the id filters allow, stop at a full page.
    const recs = state.records;
    const start = lowerBound(recs, idLow);
    const end = lowerBound(recs, idHigh + 1);
    let skip = offset;
    for (let k = 0; k < end - start; k++) {
      const r = recs[desc ? end - 1 - k : start + k];
      if (!r || !matches(r)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(r);
      if (out.length >= limit) break;
    }
    return out;
  }
  const plain = getterOf(state, orderBy);
  const type = state.fields.get(orderBy)?.type;
  const getter: Getter =
    type === 'decimal'
      ? (r) => {
          const v = plain(r);
          return v === null ? null : Number(v);
        }
      : type === 'text' && options.caseInsensitive
        ? (r) => fold(plain(r))
        : plain;
  const sorted = state.records.filter(matches).sort((a, b) => {
    const c = compareNullsFirst(getter(a), getter(b));
    return (desc ? -c : c) || a.id - b.id;
  });
  return sorted.slice(offset, offset + limit);
}

function orderAttribute(state: ObjectState, raw: string): string {
  const attr = hyphenate(raw);
  if (STANDARD_ATTRS.has(attr) || state.fields.has(attr)) return attr;
  throw new SimHttpError(400, [`order_by: unknown attribute "${raw}"`]);
}

function getterOf(state: ObjectState, attr: string): Getter {
  if (attr === 'id') return (r) => r.id;
  if (attr === 'created-at') return (r) => r.createdAt;
  if (attr === 'updated-at') return (r) => r.updatedAt;
  if (state.fields.has(attr)) return (r) => r.values.get(attr) ?? null;
  throw new SimHttpError(400, [`unknown attribute "${attr}"`]);
}

function parseFilter(
  state: ObjectState,
  dir: Directory,
  options: QueryOptions,
  key: string,
  value: string,
): { test: (r: StoredRecord) => boolean; idBound?: { low: number; high: number } } {
  const m = /^([a-z0-9-]+)((?:\[[a-z0-9_-]*\])*)$/i.exec(key);
  if (!m || m[1] === undefined) throw new SimHttpError(400, [`malformed query argument "${key}"`]);
  const attr = m[1].toLowerCase();
  const brackets = [...(m[2] ?? '').matchAll(/\[([^\]]*)\]/g)].map((b) =>
    hyphenate(b[1] ?? '').toLowerCase(),
  );
  const field = state.fields.get(attr);
  let kind: Kind;
  let get: Getter;
  let rest = brackets;
  if (STANDARD_ATTRS.has(attr)) {
    kind = attr === 'id' ? 'number' : 'instant';
    get = getterOf(state, attr);
  } else if (field && (field.type === 'lookup' || field.type === 'user' || field.type === 'supplier')) {
    const keys = referenceKeys(field);
    const sub = brackets[0] !== undefined && keys.includes(brackets[0]) ? brackets[0] : 'id';
    if (brackets[0] !== undefined && keys.includes(brackets[0])) rest = brackets.slice(1);
    kind = sub === 'id' ? 'number' : 'text';
    get = referenceGetter(dir, field.type, field.name, sub);
  } else if (field) {
    kind = fieldKind(field.type);
    get = (r) => r.values.get(attr) ?? null;
  } else {
    throw new SimHttpError(400, [`unknown attribute "${attr}" in query argument "${key}"`]);
  }
  if (rest.length > 1) throw new SimHttpError(400, [`malformed query argument "${key}"`]);
  const op = rest[0] === undefined || rest[0] === '' ? 'eq' : rest[0].replace(/-/g, '_');
  const test = buildPredicate(op, kind, value, get, key, options);
  if (attr === 'id') return { test, idBound: op === 'in' ? idListBounds(value) : idBounds(op, value) };
  return { test };
}

function referenceGetter(
  dir: Directory,
  type: 'lookup' | 'user' | 'supplier',
  name: string,
  sub: string,
): Getter {
  // Chosen once per filter, not once per record.
  const targets: ReadonlyMap<number, object> =
    type === 'lookup' ? dir.lookupValues : type === 'user' ? dir.users : dir.suppliers;
  return (r) => {
    const id = r.values.get(name) ?? null;
    if (id === null || sub === 'id') return id;
    const target = targets.get(id as number);
    return target ? naturalKey(target, sub) : null;
  };
}

function fieldKind(type: string): Kind {
  switch (type) {
    case 'integer':
    case 'decimal':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
    case 'datetime':
      return 'instant';
    default:
      return 'text';
  }
}

const OPERATORS = new Set([
  'eq',
  'contains',
  'starts_with',
  'ends_with',
  'gt',
  'lt',
  'gt_or_eq',
  'lt_or_eq',
  'not_eq',
  'in',
  'not_in',
  'blank',
]);

type Scalar = string | number | boolean;

function parseOperand(kind: Kind, raw: string, key: string, options: QueryOptions): Scalar {
  const text = raw.trim();
  switch (kind) {
    case 'number': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n))
        throw new SimHttpError(400, [`${key}: "${raw}" is not a number`]);
      return n;
    }
    case 'instant': {
      const ms = parseInstant(text, options.localZone);
      if (ms === undefined) throw new SimHttpError(400, [`${key}: "${raw}" is not a date or datetime`]);
      return ms;
    }
    case 'boolean': {
      const w = text.toLowerCase();
      if (['true', '1', 'yes', 't'].includes(w)) return true;
      if (['false', '0', 'no', 'f'].includes(w)) return false;
      throw new SimHttpError(400, [`${key}: "${raw}" is not true or false`]);
    }
    case 'text':
      return options.caseInsensitive ? raw.toLowerCase() : raw;
  }
}

/** Text as a case-insensitive collation compares it; other values unchanged. */
function fold(v: StoredValue): StoredValue {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

/** SQL semantics: a null value matches nothing but `blank=true` (so `not_eq` and `not_in` skip nulls too). */
function buildPredicate(
  op: string,
  kind: Kind,
  raw: string,
  plainGet: Getter,
  key: string,
  options: QueryOptions,
): (r: StoredRecord) => boolean {
  if (!OPERATORS.has(op)) {
    throw new SimHttpError(400, [
      `unknown operator "${op}" in "${key}" (operators: ${[...OPERATORS].join(', ')})`,
    ]);
  }
  const notFor = (kinds: Kind[]): void => {
    if (kinds.includes(kind)) {
      const what = kind === 'instant' ? 'dates and datetimes' : `${kind} values`;
      throw new SimHttpError(400, [`operator "${op}" does not apply to ${what} ("${key}")`]);
    }
  };
  const folding = options.caseInsensitive && kind === 'text';
  const get: Getter = folding ? (r) => fold(plainGet(r)) : plainGet;
  const num = (v: StoredValue): number | string | boolean | null =>
    kind === 'number' && v !== null ? Number(v) : v;
  switch (op) {
    case 'blank': {
      notFor(['instant']);
      const w = raw.trim().toLowerCase();
      if (w !== 'true' && w !== 'false') throw new SimHttpError(400, [`${key}: blank takes true or false`]);
      const want = w === 'true';
      return (r) => isBlank(plainGet(r)) === want;
    }
    case 'contains':
    case 'starts_with':
    case 'ends_with': {
      notFor(['instant', 'boolean']);
      const part = folding ? raw.toLowerCase() : raw;
      return (r) => {
        const v = get(r);
        if (v === null) return false;
        const s = String(v);
        return op === 'contains'
          ? s.includes(part)
          : op === 'starts_with'
            ? s.startsWith(part)
            : s.endsWith(part);
      };
    }
    case 'in':
    case 'not_in': {
      const set = new Set(
        raw
          .split(',')
          .filter((x) => x.trim() !== '')
          .map((x) => parseOperand(kind, x, key, options)),
      );
      return (r) => {
        const v = num(get(r));
        if (v === null) return false;
        return set.has(v) === (op === 'in');
      };
    }
    case 'eq':
    case 'not_eq': {
      const want = parseOperand(kind, raw, key, options);
      return (r) => {
        const v = num(get(r));
        if (v === null) return false;
        return (v === want) === (op === 'eq');
      };
    }
    default: {
      notFor(['boolean']);
      const want = parseOperand(kind, raw, key, options);
      return (r) => {
        const v = num(get(r));
        if (v === null) return false;
        if (op === 'gt') return v > want;
        if (op === 'lt') return v < want;
        if (op === 'gt_or_eq') return v >= want;
        return v <= want;
      };
    }
  }
}

/** The id range an id filter allows, for the keyset fast path (the predicate still decides). */
function idBounds(op: string, raw: string): { low: number; high: number } {
  const n = Number(raw);
  if (!Number.isFinite(n)) return { low: -Infinity, high: Infinity };
  switch (op) {
    case 'gt':
      return { low: Math.floor(n) + 1, high: Infinity };
    case 'gt_or_eq':
      return { low: Math.ceil(n), high: Infinity };
    case 'lt':
      return { low: -Infinity, high: Math.ceil(n) - 1 };
    case 'lt_or_eq':
      return { low: -Infinity, high: Math.floor(n) };
    case 'eq':
      return { low: n, high: n };
    default:
      return { low: -Infinity, high: Infinity };
  }
}

/** `id[in]=a,b,c` (a reload looks keys up 50 at a time): the walk spans only the smallest to the largest id. */
function idListBounds(raw: string): { low: number; high: number } {
  const ids = raw
    .split(',')
    .filter((x) => x.trim() !== '')
    .map(Number);
  if (ids.length === 0 || !ids.every(Number.isFinite)) return { low: -Infinity, high: Infinity };
  return { low: Math.min(...ids), high: Math.max(...ids) };
}

/** First index whose id is >= id. */
function lowerBound(recs: readonly StoredRecord[], id: number): number {
  let lo = 0;
  let hi = recs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((recs[mid]?.id ?? Infinity) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function compareNullsFirst(a: StoredValue, b: StoredValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : 1;
}

function parseCount(value: string, name: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) {
    throw new SimHttpError(400, [`${name} must be a non-negative integer, not "${value}"`]);
  }
  return n;
}
