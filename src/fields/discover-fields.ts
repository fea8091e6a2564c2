import { CoupaApiError } from '../coupa/errors.js';
import type { CoupaClient, ObjectInstance } from '../coupa/index.js';
import type { FieldType } from '../mapping/index.js';
import { ConfigError } from '../shared/index.js';
import { instanceOffsets, type InstanceOffset } from '../run/index.js';
import { parseIsoDateTime } from '../shared/index.js';

/** A field's type as its values show it (`reference`: a lookup value, user or supplier, see {@link FieldInfo}). */
export type DiscoveredType = FieldType | 'unknown';

/** One custom field as the records show it. */
export interface FieldInfo {
  /** The field name as the records carry it (the name a mapping's `fields:` entry uses). */
  name: string;
  /** `unknown` when every sampled record had it blank. */
  type: DiscoveredType;
  /** For references: the attributes its values carry (`id`, `name`, `login`...), to use as a mapping's `by:`. */
  keys?: string[];
  /** The type as shown to a person: `lookup (id, name, external-ref-num)`, `decimal`... */
  label: string;
  /** Sampled records where the field is null or empty. */
  blankIn: number;
  /** A value from a record where it is not blank, as the API returned it. */
  example?: unknown;
  /** The example as one line of text. */
  exampleText?: string;
}

export interface DiscoverFieldsOptions {
  /** Records read at most: the newest page, then, when there are more, the oldest. Default 100 (two pages). */
  sample?: number;
  /** Also return the offsets the records' timestamps carry (`offsets`), to learn the instance's time zone. */
  withOffsets?: boolean;
}

export interface DiscoverFieldsResult {
  objectId: number;
  /** Records read. 0: the object has no records, and `fields` is empty ({@link NO_RECORDS_HINT} says what to do). */
  records: number;
  fields: FieldInfo[];
  /**
   * The UTC offsets the instance wrote in the records' own timestamps (`created-at`, `updated-at`): its time zone's
   * offset at those instants, the newest first (empty for an object with no records). Only with `withOffsets`.
   */
  offsets?: ReportedOffset[];
}

/** An offset a record's timestamp carries, e.g. `created-at` `2026-01-05T09:30:00-08:00`: -8 h at that instant. */
export type ReportedOffset = InstanceOffset;

/** Where the field names are when an object has no records to learn them from. */
export const NO_RECORDS_HINT =
  'Field names are learned from records, and this object has none yet. In Coupa, find them under Setup > ' +
  'Custom Objects > the object > its fields (use each field\'s API name, e.g. vendor-code; a name with "_" ' +
  'is written with "-"), or create one record there and run this again.';

const PAGE = 50;

/**
 * Lists an object's custom fields as its records show them: reads the newest page of records and, when the object
 * has more, the oldest one (read-only, at most two requests), and reads each field's type from its values.
 *
 * Types: booleans, integers and decimals from JSON numbers (Coupa sends decimals as text like `"12.50"`: a text of
 * digits with a decimal point reads as decimal); datetimes that are all midnight in their own offset read as dates
 * (Coupa stores a date as that instant); objects as references, `user` when they carry a `login`, `supplier` a
 * `number`, else `lookup`. A field that is sometimes of one kind and sometimes of another takes the wider kind
 * (integer+decimal: decimal, date+datetime: datetime, anything else: string).
 *
 * @throws ConfigError OBJECT_NOT_FOUND when the object does not exist; AuthError and the client's other errors as is
 * @example const { fields } = await discoverFields(client, 101); // [{ name: 'vendor-code', type: 'string', ... }]
 */
export async function discoverFields(
  client: CoupaClient,
  objectId: number,
  options: DiscoverFieldsOptions = {},
): Promise<DiscoverFieldsResult> {
  const sample = Math.max(1, Math.floor(options.sample ?? PAGE * 2));
  const limit = Math.min(PAGE, sample);
  const newest = await readPage(client, objectId, 'desc', limit);
  let records = newest;
  if (newest.length === limit && sample > limit) {
    const seen = new Set(newest.map((r) => r.id));
    const oldest = await readPage(client, objectId, 'asc', Math.min(PAGE, sample - limit));
    records = [...newest, ...oldest.filter((r) => !seen.has(r.id))];
  }
  return {
    objectId,
    records: records.length,
    fields: describeFields(records),
    ...(options.withOffsets === true ? { offsets: reportedOffsets(records) } : {}),
  };
}

/** The offsets of the records' `created-at` and `updated-at`, in record order (see {@link ReportedOffset}). */
export function reportedOffsets(records: readonly ObjectInstance[]): ReportedOffset[] {
  return records.flatMap((record) => instanceOffsets(record));
}

async function readPage(
  client: CoupaClient,
  objectId: number,
  dir: 'asc' | 'desc',
  limit: number,
): Promise<ObjectInstance[]> {
  try {
    return await client.list(objectId, [
      ['order_by', 'id'],
      ['dir', dir],
      ['limit', String(limit)],
    ]);
  } catch (error) {
    if (error instanceof CoupaApiError && error.status === 404) {
      throw new ConfigError(
        `custom object ${objectId} was not found on the instance (HTTP 404): check --object and --instance`,
        'OBJECT_NOT_FOUND',
      );
    }
    throw error;
  }
}

/** Kinds a single value can show. */
type ValueKind = Exclude<DiscoveredType, 'unknown' | 'lookup' | 'user' | 'supplier'> | 'reference';

interface Tally {
  name: string;
  kinds: Set<ValueKind>;
  keys: Set<string>;
  /** Reference kinds seen: which attributes named it. */
  login: boolean;
  number: boolean;
  blank: number;
  example?: unknown;
}

/**
 * The fields of the given records (in the order the first records list them) with their types: the pure part of
 * {@link discoverFields}.
 */
export function describeFields(records: readonly ObjectInstance[]): FieldInfo[] {
  const tallies = new Map<string, Tally>();
  for (const record of records) {
    const raw: unknown = record['custom-fields'];
    const fields = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    for (const [name, value] of Object.entries(fields)) {
      let t = tallies.get(name);
      if (!t) {
        t = { name, kinds: new Set(), keys: new Set(), login: false, number: false, blank: 0 };
        tallies.set(name, t);
      }
      if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) {
        t.blank++;
        continue;
      }
      const kind = kindOf(value);
      t.kinds.add(kind);
      if (kind === 'reference') {
        const ref = value as Record<string, unknown>;
        for (const [key, v] of Object.entries(ref)) {
          if (typeof v === 'string' || typeof v === 'number') t.keys.add(key);
        }
        if (Object.hasOwn(ref, 'login')) t.login = true;
        if (Object.hasOwn(ref, 'number')) t.number = true;
      }
      t.example ??= value;
    }
  }
  // A field a record does not list at all is blank there too.
  return [...tallies.values()].map((t) => {
    const blankIn = t.blank + (records.length - countListed(records, t.name));
    const type = combine(t);
    const keys = isReference(type) ? orderKeys(t.keys) : undefined;
    return {
      name: t.name,
      type,
      ...(keys ? { keys } : {}),
      label: keys ? `${type} (${keys.join(', ')})` : type === 'unknown' ? 'unknown (always blank)' : type,
      blankIn,
      ...(t.example === undefined ? {} : { example: t.example, exampleText: exampleText(t.example) }),
    };
  });
}

function countListed(records: readonly ObjectInstance[], name: string): number {
  let n = 0;
  for (const r of records) {
    const raw: unknown = r['custom-fields'];
    if (raw !== null && typeof raw === 'object' && Object.hasOwn(raw, name)) n++;
  }
  return n;
}

function isReference(type: DiscoveredType): boolean {
  return type === 'lookup' || type === 'user' || type === 'supplier';
}

const DECIMAL_TEXT = /^[+-]?\d+\.\d+$/;

function kindOf(value: unknown): ValueKind {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'decimal';
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return 'date';
    if (/^\d{4}-\d{2}-\d{2}[T ]/.test(text)) {
      const dt = parseIsoDateTime(text);
      if (dt !== undefined) return dt.localMs % 86_400_000 === 0 ? 'date' : 'datetime';
    }
    if (DECIMAL_TEXT.test(text)) return 'decimal';
    return 'string';
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return 'reference';
  return 'string';
}

function combine(t: Tally): DiscoveredType {
  const kinds = t.kinds;
  if (kinds.size === 0) return 'unknown';
  if (kinds.size === 1) {
    const only = [...kinds][0] as ValueKind;
    if (only !== 'reference') return only;
    return t.login ? 'user' : t.number ? 'supplier' : 'lookup';
  }
  const has = (...ks: ValueKind[]): boolean => [...kinds].every((k) => ks.includes(k));
  if (has('integer', 'decimal')) return 'decimal';
  if (has('date', 'datetime')) return 'datetime';
  return 'string';
}

/** Reference attributes, the usual `by:` choices first. */
const KEY_ORDER = ['id', 'login', 'name', 'number', 'email', 'external-ref-num', 'external-ref-code'];

function orderKeys(keys: ReadonlySet<string>): string[] {
  const rank = (k: string): number => {
    const i = KEY_ORDER.indexOf(k);
    return i < 0 ? KEY_ORDER.length : i;
  };
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function exampleText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value !== null && typeof value === 'object') {
    // The readable attributes first: the id says little to a person.
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
      .sort(([a], [b]) => Number(a === 'id') - Number(b === 'id'))
      .map(([k, v]) => `${k}=${String(v as string | number)}`)
      .join(', ');
  }
  return JSON.stringify(value) ?? '';
}
