import type { ObjectInstance } from '../coupa/index.js';

/** The read-only elements that start every unmapped export, in this order. */
export const BASE_COLUMNS = ['id', 'created-at', 'updated-at'] as const;

/**
 * The attribute a reference (lookup value, user, supplier) is written as, most readable first: a user's `login`, a
 * lookup value's or supplier's `name`, then a supplier `number`, a lookup `external-ref-code`, an `email`, and the
 * `id` as the last resort.
 */
export const REFERENCE_DISPLAY_KEYS = [
  'login',
  'name',
  'number',
  'external-ref-code',
  'email',
  'id',
] as const;

/**
 * Columns of an unmapped export: `id`, `created-at`, `updated-at`, then the custom fields in the order the records
 * list them (union over the given records: Coupa returns every field of the object on every record, so the first
 * record normally fixes the set).
 */
export function chooseColumns(records: readonly ObjectInstance[]): string[] {
  const seen = new Set<string>(BASE_COLUMNS);
  const columns: string[] = [...BASE_COLUMNS];
  for (const record of records) {
    for (const key of Object.keys(customFieldsOf(record))) {
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
    }
  }
  return columns;
}

/** Custom field names of a record that are not among `columns`. */
export function unknownFields(record: ObjectInstance, columns: ReadonlySet<string>): string[] {
  return Object.keys(customFieldsOf(record)).filter((key) => !columns.has(key));
}

/**
 * One unmapped CSV row: base elements and custom fields as Coupa returns them (dates and datetimes untouched, with
 * their offset), references flattened by {@link flattenValue}, null as an empty cell.
 */
export function recordToPlainCells(record: ObjectInstance, columns: readonly string[]): string[] {
  const fields = customFieldsOf(record);
  return columns.map((column, index) => {
    const value = index < BASE_COLUMNS.length ? record[column] : fields[column];
    return flattenValue(value);
  });
}

/**
 * A value as one cell: strings as they are, numbers and booleans as text, null/absent as empty, a reference object
 * by its most readable attribute ({@link REFERENCE_DISPLAY_KEYS}), anything else as JSON.
 */
export function flattenValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) return value.map(flattenValue).join('; ');
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of REFERENCE_DISPLAY_KEYS) {
      const v = obj[key];
      if (typeof v === 'string' || typeof v === 'number') return String(v);
    }
  }
  return JSON.stringify(value);
}

function customFieldsOf(record: ObjectInstance): Record<string, unknown> {
  const fields: unknown = record['custom-fields'];
  return fields !== null && typeof fields === 'object' ? (fields as Record<string, unknown>) : {};
}
