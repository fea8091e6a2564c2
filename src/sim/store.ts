import type { SimConfig, SimFieldConfig, SimObjectConfig, SimUser } from './types.js';
import { formatInstant, parseInstant } from './time.js';
import {
  coerceValue,
  Directory,
  fieldError,
  hyphenate,
  naturalKey,
  presentUser,
  presentValue,
  referenceKeys,
  type Detail,
  type StoredValue,
} from './values.js';

/** An error answer of the API: status and messages (rendered as JSON or XML by the server). */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
  ) {
    super(messages.join('; '));
    this.name = 'SimHttpError';
  }
}

interface StoredRecord {
  id: number;
  createdAt: number;
  updatedAt: number;
  createdBy: SimUser;
  updatedBy: SimUser;
  values: Map<string, StoredValue>;
}

interface ObjectState {
  def: SimObjectConfig;
  fields: Map<string, SimFieldConfig>;
  /** Sorted by id (ids only grow), so keyset paging can binary-search. */
  records: StoredRecord[];
  byId: Map<number, StoredRecord>;
}

/** `return_object`: `none` (nothing, writes only), `limited` (ids only), `shallow`, or full. */
export type ReturnObject = 'full' | 'shallow' | 'limited' | 'none';

const PAGE_MAX = 50;
const RESERVED_PARAMS = new Set(['limit', 'offset', 'order-by', 'dir', 'return-object', 'fields']);
const STANDARD_ATTRS = new Set(['id', 'created-at', 'updated-at']);

type Kind = 'number' | 'text' | 'instant' | 'boolean';
type Getter = (r: StoredRecord) => StoredValue;

/** The records of every custom object, with Coupa's validation, filters and ordering. */
export class SimStore {
  private readonly objects = new Map<number, ObjectState>();
  private readonly dir: Directory;
  private nextId = 1;
  private lastStamp = 0;

  constructor(
    config: SimConfig,
    readonly timezone: string,
    private readonly apiUser: SimUser,
    private readonly now: () => number = Date.now,
  ) {
    this.dir = new Directory(config);
    for (const def of config.objects) {
      this.objects.set(def.id, {
        def,
        fields: new Map(def.fields.map((f) => [f.name, f])),
        records: [],
        byId: new Map(),
      });
    }
  }

  /** The object definition, or a 404. */
  object(objectId: number): ObjectState {
    const state = this.objects.get(objectId);
    if (!state) throw new SimHttpError(404, [`Unable to find custom object with id ${objectId}`]);
    return state;
  }

  private record(state: ObjectState, id: number): StoredRecord {
    const rec = state.byId.get(id);
    if (!rec) throw new SimHttpError(404, [`Unable to find ${state.def.name} record with id ${id}`]);
    return rec;
  }

  /** Creates a record from a request body's custom fields. Throws SimHttpError 400 when invalid. */
  create(objectId: number, input: Record<string, unknown>): StoredRecord {
    const state = this.object(objectId);
    const values = new Map<string, StoredValue>();
    for (const f of state.def.fields) values.set(f.name, null);
    this.apply(state, values, input);
    const now = this.stamp();
    const rec: StoredRecord = {
      id: this.nextId++,
      createdAt: now,
      updatedAt: now,
      createdBy: this.apiUser,
      updatedBy: this.apiUser,
      values,
    };
    state.records.push(rec);
    state.byId.set(rec.id, rec);
    return rec;
  }

  /** Changes the fields given, leaves the rest. Throws SimHttpError 404 / 400. */
  update(objectId: number, id: number, input: Record<string, unknown>): StoredRecord {
    const state = this.object(objectId);
    const rec = this.record(state, id);
    const values = new Map(rec.values);
    this.apply(state, values, input);
    rec.values = values;
    rec.updatedAt = this.stamp();
    rec.updatedBy = this.apiUser;
    return rec;
  }

  /** One record, or a 404. */
  get(objectId: number, id: number): StoredRecord {
    return this.record(this.object(objectId), id);
  }

  /** Coupa keeps seconds; consecutive writes in one second share a stamp, like on a real instance. */
  private stamp(): number {
    this.lastStamp = Math.floor(this.now() / 1000) * 1000;
    return this.lastStamp;
  }

  private apply(state: ObjectState, values: Map<string, StoredValue>, input: Record<string, unknown>): void {
    const problems = new Map<string, string>();
    for (const [rawKey, raw] of Object.entries(input)) {
      const field = state.fields.get(hyphenate(rawKey));
      if (!field) continue; // unknown custom fields are ignored silently, as Coupa does
      const result = coerceValue(field, raw, this.dir);
      if (result.ok) values.set(field.name, result.value);
      else problems.set(field.name, result.error);
    }
    // Messages in the order the fields are defined, like Rails validations.
    const errors: string[] = [];
    for (const field of state.def.fields) {
      const problem = problems.get(field.name);
      if (problem) {
        errors.push(problem);
        continue;
      }
      if (field.required && isBlank(values.get(field.name) ?? null))
        errors.push(fieldError(field, "can't be blank"));
    }
    if (errors.length > 0) throw new SimHttpError(400, errors);
  }

  /** A record in the API's JSON shape. */
  present(objectId: number, rec: StoredRecord, how: ReturnObject = 'full'): Record<string, unknown> {
    if (how === 'limited' || how === 'none') return { id: rec.id };
    const state = this.object(objectId);
    const detail: Detail = how === 'shallow' ? 'shallow' : 'full';
    const fields: Record<string, unknown> = {};
    for (const f of state.def.fields) {
      fields[f.name] = presentValue(f, rec.values.get(f.name) ?? null, this.dir, this.timezone, detail);
    }
    return {
      id: rec.id,
      'created-at': formatInstant(rec.createdAt, this.timezone),
      'updated-at': formatInstant(rec.updatedAt, this.timezone),
      'custom-object-code': state.def.code,
      'custom-object-name': state.def.name,
      'form-response-id': null,
      'created-by': presentUser(rec.createdBy, detail),
      'updated-by': presentUser(rec.updatedBy, detail),
      'custom-fields': fields,
    };
  }

  /** Every record of an object, id order. */
  all(objectId: number): StoredRecord[] {
    return this.object(objectId).records;
  }

  /**
   * One index page. `params` are the query arguments (keys with `_` or `-`). Throws SimHttpError 400 for an
   * unknown attribute, operator or a value of the wrong kind.
   */
  list(objectId: number, params: ReadonlyArray<readonly [string, string]>): StoredRecord[] {
    const state = this.object(objectId);
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
        else if (key === 'order-by') orderBy = this.orderAttribute(state, value);
        else if (key === 'dir') {
          const d = value.toLowerCase();
          if (d !== 'asc' && d !== 'desc')
            throw new SimHttpError(400, [`dir must be asc or desc, not "${value}"`]);
          desc = d === 'desc';
        }
        continue;
      }
      const filter = this.parseFilter(state, key, value);
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
    const plain = this.getter(state, orderBy);
    const getter: Getter =
      state.fields.get(orderBy)?.type === 'decimal'
        ? (r) => {
            const v = plain(r);
            return v === null ? null : Number(v);
          }
        : plain;
    const sorted = state.records.filter(matches).sort((a, b) => {
      const c = compareNullsFirst(getter(a), getter(b));
      return (desc ? -c : c) || a.id - b.id;
    });
    return sorted.slice(offset, offset + limit);
  }

  private orderAttribute(state: ObjectState, raw: string): string {
    const attr = hyphenate(raw);
    if (STANDARD_ATTRS.has(attr) || state.fields.has(attr)) return attr;
    throw new SimHttpError(400, [`order_by: unknown attribute "${raw}"`]);
  }

  private getter(state: ObjectState, attr: string): Getter {
    if (attr === 'id') return (r) => r.id;
    if (attr === 'created-at') return (r) => r.createdAt;
    if (attr === 'updated-at') return (r) => r.updatedAt;
    if (state.fields.has(attr)) return (r) => r.values.get(attr) ?? null;
    throw new SimHttpError(400, [`unknown attribute "${attr}"`]);
  }

  private parseFilter(
    state: ObjectState,
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
      get = this.getter(state, attr);
    } else if (field && (field.type === 'lookup' || field.type === 'user' || field.type === 'supplier')) {
      const keys = referenceKeys(field);
      const sub = brackets[0] !== undefined && keys.includes(brackets[0]) ? brackets[0] : 'id';
      if (brackets[0] !== undefined && keys.includes(brackets[0])) rest = brackets.slice(1);
      kind = sub === 'id' ? 'number' : 'text';
      get = this.referenceGetter(field, sub);
    } else if (field) {
      kind = fieldKind(field);
      get = (r) => r.values.get(attr) ?? null;
    } else {
      throw new SimHttpError(400, [`unknown attribute "${attr}" in query argument "${key}"`]);
    }
    if (rest.length > 1) throw new SimHttpError(400, [`malformed query argument "${key}"`]);
    const op = rest[0] === undefined || rest[0] === '' ? 'eq' : rest[0].replace(/-/g, '_');
    const test = buildPredicate(op, kind, value, get, key);
    if (attr === 'id') return { test, idBound: idBounds(op, value) };
    return { test };
  }

  private referenceGetter(field: SimFieldConfig, sub: string): Getter {
    // Chosen once per filter, not once per record.
    const targets: ReadonlyMap<number, object> =
      field.type === 'lookup'
        ? this.dir.lookupValues
        : field.type === 'user'
          ? this.dir.users
          : this.dir.suppliers;
    return (r) => {
      const id = r.values.get(field.name) ?? null;
      if (id === null || sub === 'id') return id;
      const target = targets.get(id as number);
      return target ? naturalKey(target, sub) : null;
    };
  }
}

function fieldKind(field: SimFieldConfig): Kind {
  switch (field.type) {
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
    case 'datetime':
      return 'instant';
    case 'decimal':
      return 'number';
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

function parseOperand(kind: Kind, raw: string, key: string): Scalar {
  const text = raw.trim();
  switch (kind) {
    case 'number': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n))
        throw new SimHttpError(400, [`${key}: "${raw}" is not a number`]);
      return n;
    }
    case 'instant': {
      const ms = parseInstant(text);
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
      return raw;
  }
}

/** SQL semantics: a null value matches nothing but `blank=true` (so `not_eq` and `not_in` skip nulls too). */
function buildPredicate(
  op: string,
  kind: Kind,
  raw: string,
  get: Getter,
  key: string,
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
  const num = (v: StoredValue): number | string | boolean | null =>
    kind === 'number' && v !== null ? Number(v) : v;
  switch (op) {
    case 'blank': {
      notFor(['instant']);
      const w = raw.trim().toLowerCase();
      if (w !== 'true' && w !== 'false') throw new SimHttpError(400, [`${key}: blank takes true or false`]);
      const want = w === 'true';
      return (r) => isBlank(get(r)) === want;
    }
    case 'contains':
    case 'starts_with':
    case 'ends_with': {
      notFor(['instant', 'boolean']);
      return (r) => {
        const v = get(r);
        if (v === null) return false;
        const s = String(v);
        return op === 'contains'
          ? s.includes(raw)
          : op === 'starts_with'
            ? s.startsWith(raw)
            : s.endsWith(raw);
      };
    }
    case 'in':
    case 'not_in': {
      const set = new Set(
        raw
          .split(',')
          .filter((x) => x.trim() !== '')
          .map((x) => parseOperand(kind, x, key)),
      );
      return (r) => {
        const v = num(get(r));
        if (v === null) return false;
        return set.has(v) === (op === 'in');
      };
    }
    case 'eq':
    case 'not_eq': {
      const want = parseOperand(kind, raw, key);
      return (r) => {
        const v = num(get(r));
        if (v === null) return false;
        return (v === want) === (op === 'eq');
      };
    }
    default: {
      notFor(['boolean']);
      const want = parseOperand(kind, raw, key);
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

/** Blank as Rails means it: unset, or text of white space only (what `required` refuses and `[blank]` finds). */
function isBlank(v: StoredValue): boolean {
  return v === null || (typeof v === 'string' && v.trim() === '');
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

export type { StoredRecord };
