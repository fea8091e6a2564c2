import type { ObjectInstance } from '../coupa/index.js';
import type { FieldSpec, FieldType } from '../mapping/index.js';
import { numberText } from '../shared/index.js';

/** One mapped field whose value in Coupa differs from the row's: shown as `field: old -> new`. */
export interface FieldChange {
  field: string;
  old: string;
  new: string;
}

/**
 * The fields of `sent` (a row's `custom-fields` body: mapped columns and constants, blanks left out under
 * `blank: skip`) whose value in `record` differs, compared as Coupa returns values: decimals numerically ("100.00"
 * is 100), integers as numbers, dates and datetimes as instants, booleans as booleans (lenient words too),
 * references by the attribute the row sets (`by:`), null as blank ("" and a missing value are blank). Pure: an empty
 * list means the record already holds every mapped value and nothing needs to be sent.
 * @example
 * changedFields({ amount: '100' }, { ..., 'custom-fields': { amount: '100.00' } }, types) // []
 */
export function changedFields(
  sent: Readonly<Record<string, unknown>>,
  record: ObjectInstance,
  types: ReadonlyMap<string, FieldType>,
): FieldChange[] {
  const stored = fieldsOf(record);
  const changes: FieldChange[] = [];
  for (const [field, value] of Object.entries(sent)) {
    const old = readStored(stored, field);
    if (!sameValue(types.get(field), value, old)) {
      changes.push({ field, old: showValue(old, value), new: showValue(value, value) });
    }
  }
  return changes;
}

/** The field types of a mapping's columns, by field name (constants have none: compared as written). */
export function fieldTypes(fields: readonly Pick<FieldSpec, 'field' | 'type'>[]): Map<string, FieldType> {
  return new Map(fields.map((f) => [f.field, f.type]));
}

/** `_changes` text: `field: old -> new` pairs separated by `; `. */
export function formatChanges(changes: readonly FieldChange[]): string {
  return changes.map((c) => `${c.field}: ${c.old} -> ${c.new}`).join('; ');
}

/** True when the stored value `old` already is what sending `value` would store. */
export function sameValue(type: FieldType | undefined, value: unknown, old: unknown): boolean {
  if (isBlank(value) || isBlank(old)) return isBlank(value) && isBlank(old);
  if (isPlainObject(value)) return sameReference(value, old);
  switch (type) {
    case 'decimal':
    case 'integer':
      return sameNumber(value, old);
    case 'date':
    case 'datetime':
      return sameInstant(value, old);
    case 'boolean':
      return asBoolean(value) !== undefined && asBoolean(value) === asBoolean(old);
    case undefined:
      // A constant: its field's type is unknown; equal as written, or as numbers/booleans the way Coupa answers them.
      if (typeof value === 'number') return sameNumber(value, old);
      if (typeof value === 'boolean') return value === asBoolean(old);
      return textOf(value) === textOf(old);
    default:
      return textOf(value) === textOf(old);
  }
}

/** A reference sent as `{by: value}` equals the stored object when the stored object has that attribute equal. */
function sameReference(value: Record<string, unknown>, old: unknown): boolean {
  if (!isPlainObject(old)) return false;
  const entries = Object.entries(value);
  if (entries.length === 0) return false;
  return entries.every(([attr, want]) => {
    const have = old[attr];
    if (have === undefined || have === null) return false;
    if (attr === 'id') return Number(have) === Number(want);
    return textOf(have) === textOf(want);
  });
}

function sameNumber(value: unknown, old: unknown): boolean {
  const a = canonicalNumber(value);
  const b = canonicalNumber(old);
  return a !== undefined && a === b;
}

/**
 * A number as canonical decimal text: no sign on zero, no leading zeros, no trailing fraction zeros. Text, not a
 * float, so that long decimals compare digit by digit.
 */
export function canonicalNumber(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = numberText(value);
    if (/e/i.test(text)) return text;
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return undefined;
  const whole = (m[2] ?? '').replace(/^0+/, '') || '0';
  const fraction = (m[3] ?? '').replace(/0+$/, '');
  const body = fraction === '' ? whole : `${whole}.${fraction}`;
  return m[1] === '-' && body !== '0' ? `-${body}` : body;
}

function sameInstant(value: unknown, old: unknown): boolean {
  const a = Date.parse(textOf(value));
  const b = Date.parse(textOf(old));
  return Number.isFinite(a) && a === b;
}

function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const w = value.trim().toLowerCase();
  if (['true', 't', 'yes', 'y', '1'].includes(w)) return true;
  if (['false', 'f', 'no', 'n', '0'].includes(w)) return false;
  return undefined;
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** How a value shows in `_changes`: blank as `(blank)`, a stored reference by the attribute the row sets. */
function showValue(value: unknown, sent: unknown): string {
  if (isBlank(value)) return '(blank)';
  if (isPlainObject(value)) {
    const attrs = isPlainObject(sent) ? Object.keys(sent) : Object.keys(value);
    const shown = attrs.map((a) => textOf(value[a])).filter((t) => t !== '');
    return shown.length > 0 ? shown.join(' ') : JSON.stringify(value);
  }
  return textOf(value).replace(/[\r\n]+/g, ' ');
}

function fieldsOf(record: ObjectInstance): Record<string, unknown> {
  const raw: unknown = record['custom-fields'];
  return isPlainObject(raw) ? raw : {};
}

/** A stored custom field, accepting `_`/`-` spellings of the name. */
function readStored(fields: Record<string, unknown>, field: string): unknown {
  if (Object.hasOwn(fields, field)) return fields[field];
  const hyphen = field.replace(/_/g, '-');
  if (Object.hasOwn(fields, hyphen)) return fields[hyphen];
  return fields[field.replace(/-/g, '_')];
}
