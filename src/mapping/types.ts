export type FieldType =
  'string' | 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'lookup' | 'user' | 'supplier';

export const REFERENCE_TYPES = ['lookup', 'user', 'supplier'] as const;

/** What an empty cell means for a field. */
export type BlankPolicy = 'skip' | 'null' | 'error';

/** One `fields:` entry: a CSV column mapped to a custom field. */
export interface FieldSpec {
  /** The column name as written in the mapping. */
  column: string;
  /** The custom field name (hyphenated, as Coupa returns it). */
  field: string;
  type: FieldType;
  required: boolean;
  blank: BlankPolicy;
  /** Date/datetime format with tokens YYYY MM DD HH mm ss; absent = ISO 8601. */
  format?: string;
  /** Decimal separator. */
  decimal: '.' | ',';
  /** Thousands separator an export writes (an import reads any); absent = none written. */
  group?: string;
  /** Boolean words of the user's language read as true, beside the built-in ones; an export writes the first. */
  trueWords?: string[];
  /** Boolean words read as false; an export writes the first. */
  falseWords?: string[];
  /** For datetimes without an offset; default the instance's. */
  timezone?: string;
  /** For reference types: the identifying attribute (name, login, number, id, ...). */
  by?: string;
}

/** A validated mapping file. */
export interface Mapping {
  /** Path it was loaded from (for messages). */
  file: string;
  object?: number;
  timezone?: string;
  /** Column holding the Coupa instance id. */
  id?: string;
  /** Unique custom field (a field name, not a column) used by upsert and to make retries and resume safe. */
  key?: string;
  fields: FieldSpec[];
  /** Field -> value set on every row. */
  constants: Record<string, unknown>;
}

/** A mapping resolved against one CSV header: column positions known. */
export interface BoundMapping {
  mapping: Mapping;
  file: string;
  header: string[];
  columns: Array<{ spec: FieldSpec; index: number }>;
  /** Index of the `id` column, when the mapping names one and the header has it. */
  idIndex?: number;
  /** Index of the column mapped to the `key` field, when there is one. */
  keyIndex?: number;
}

/** The outcome of converting one CSV row. */
export type RowConversion =
  | {
      ok: true;
      /** The `custom-fields` body (constants included; skipped blanks left out). */
      fields: Record<string, unknown>;
      /** Instance id from the `id` column (update mode), when present and non-empty. */
      id?: number;
      /** The key field's value as sent, for upsert and duplicate checks. */
      key?: unknown;
    }
  | { ok: false; error: string };
