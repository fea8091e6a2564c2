/**
 * The mapping's shape as a valibot schema ({@link MAPPING_SCHEMA}): its keys, their types and choices. It is also
 * the source of the JSON Schema in `schema/mapping.schema.json` for editors. The rules between keys and the words
 * of the messages are in `validate-mapping.ts`.
 *
 * The schema's messages are codes (see {@link Code}), turned into words by `validate-mapping.ts` once the whole path
 * of the problem is known: valibot builds a message before the parent objects add their keys to the path, and the
 * words need the column name and, for `by:`, the field's type.
 */
import * as v from 'valibot';
import { isValidTimeZone } from '../shared/index.js';
import type { BlankPolicy, FieldType } from './types.js';

/** Top-level keys of a mapping file. */
export const MAPPING_KEYS = ['object', 'timezone', 'id', 'key', 'fields', 'constants'] as const;
/** Keys of a field's long form. */
export const FIELD_KEYS = [
  'field',
  'type',
  'required',
  'blank',
  'format',
  'decimal',
  'group',
  'timezone',
  'by',
  'true',
  'false',
] as const;
export const FIELD_TYPES: readonly FieldType[] = [
  'string',
  'integer',
  'decimal',
  'boolean',
  'date',
  'datetime',
  'lookup',
  'user',
  'supplier',
];
export const BLANK_POLICIES: readonly BlankPolicy[] = ['skip', 'null', 'error'];
/** Thousands separators a decimal column may name in `group:` (space, no-break spaces, apostrophes, `.`, `,`). */
export const GROUP_SEPARATORS = ['.', ',', ' ', "'", '\u2019', '\u00a0', '\u202f', '\u2009'] as const;
/** The attributes a reference can be identified by, per reference type (see coupa-api.md "Values"). */
export const REFERENCE_KEYS: Readonly<Record<'lookup' | 'user' | 'supplier', readonly string[]>> = {
  lookup: ['id', 'name', 'external-ref-num', 'external-ref-code'],
  user: ['id', 'login', 'email'],
  supplier: ['id', 'name', 'number'],
};

const FIELD_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** A field name as written (outer spaces are trimmed later). */
const FIELD_NAME_WRITTEN = /^\s*[A-Za-z0-9][A-Za-z0-9_-]*\s*$/;
const NOT_BLANK = /\S/;

/** The message codes of the schema; {@link explain} words them. */
export type Code =
  | 'mapping'
  | 'object'
  | 'timezone'
  | 'id'
  | 'key'
  | 'fields'
  | 'column'
  | 'field-value'
  | 'field-map'
  | 'field'
  | 'type'
  | 'required'
  | 'blank'
  | 'format'
  | 'decimal'
  | 'group'
  | 'by'
  | 'words'
  | 'constants'
  | 'constant-name'
  | 'constant';

/**
 * A map: valibot's object schemas accept arrays too (as objects with keys "0", "1"...), and a list where a map
 * belongs must be named as a list, not as unknown keys.
 */
function map<T extends v.GenericSchema<Record<string, unknown>>>(schema: T, code: Code) {
  return v.pipe(v.custom<v.InferInput<T>>(isPlainObject, code), schema);
}

/** An optional key, with the description editors show for it. */
function optional<T extends v.GenericSchema>(schema: T, description: string) {
  return v.optional(v.pipe(schema, v.description(description)));
}

/** A string that is not blank; `code` names the key in messages. */
function text(code: Code) {
  return v.pipe(v.string(code), v.regex(NOT_BLANK, code));
}

/** An IANA time zone name. */
function zoneName(code: Code) {
  return v.pipe(v.string(code), v.check(isValidTimeZone, code));
}

/** A custom field name as written: letters, digits, - and _. */
const fieldName = v.pipe(v.string('field' satisfies Code), v.regex(FIELD_NAME_WRITTEN, 'field'));

/** A boolean's words: one, or a list of at least one. */
const words = v.pipe(
  v.union([text('words'), v.pipe(v.array(text('words'), 'words'), v.minLength(1, 'words'))], 'words'),
);

/** One `fields:` entry in its long form. */
const FIELD_MAP = map(
  v.strictObject(
    {
      field: v.pipe(
        fieldName,
        v.description('The custom field name (letters, digits, - and _), as Coupa names it'),
      ),
      type: optional(
        v.picklist(FIELD_TYPES, 'type' satisfies Code),
        'How the cells are read: string (default), integer, decimal, boolean, date, datetime, or a reference: lookup, user, supplier (with by:)',
      ),
      required: optional(v.boolean('required' satisfies Code), 'A blank cell fails the row'),
      blank: v.optional(
        v.nullable(
          v.pipe(
            v.picklist(BLANK_POLICIES, 'blank' satisfies Code),
            v.description(
              'What an empty cell means: skip (default, the field is left out), null (the field is cleared), error (the row fails)',
            ),
          ),
        ),
      ),
      format: optional(
        text('format'),
        'date/datetime only: tokens YYYY MM DD (HH mm ss), e.g. DD/MM/YYYY; without it ISO 8601',
      ),
      decimal: optional(
        v.picklist(['.', ','], 'decimal' satisfies Code),
        'decimal/integer only: the decimal separator, "." (default) or ","',
      ),
      group: optional(
        v.picklist(GROUP_SEPARATORS, 'group' satisfies Code),
        'decimal/integer only: the thousands separator an export writes (e.g. "." for 12.500,00); an import reads any',
      ),
      timezone: optional(
        zoneName('timezone'),
        'datetime only: the IANA time zone of times written without an offset',
      ),
      by: optional(
        v.string('by' satisfies Code),
        'lookup: id, name, external-ref-num, external-ref-code; user: id, login, email; supplier: id, name, number',
      ),
      true: optional(
        words,
        'boolean only: the words that mean true, e.g. [Ja, J]; an export writes the first',
      ),
      false: optional(
        words,
        'boolean only: the words that mean false, e.g. [Nein, N]; an export writes the first',
      ),
    },
    'field-map' satisfies Code,
  ),
  'field-map',
);

/** One `fields:` entry: a field name (a string field) or the long form. */
const FIELD_VALUE = v.union([fieldName, FIELD_MAP], 'field-value' satisfies Code);

/** The shape of a mapping file (`fields:` in file order is checked by {@link validateMapping}). */
export const MAPPING_SCHEMA = map(
  v.strictObject(
    {
      object: optional(
        v.union(
          [
            v.pipe(v.number('object' satisfies Code), v.integer('object'), v.minValue(1, 'object')),
            v.pipe(v.string('object'), v.regex(/^\s*\d+\s*$/, 'object')),
          ],
          'object',
        ),
        'The custom object id (the --object flag wins)',
      ),
      timezone: optional(
        zoneName('timezone'),
        "The instance's IANA time zone, for dates, e.g. America/Los_Angeles (the --timezone flag wins)",
      ),
      id: optional(
        text('id'),
        'The CSV column with the Coupa instance id: read by update mode, written by export',
      ),
      key: optional(
        text('key'),
        'A unique custom field (a field name, not a column): used by upsert, makes retries and --resume safe',
      ),
      fields: v.pipe(
        map(v.record(text('column'), FIELD_VALUE, 'fields'), 'fields'),
        v.description('CSV column -> custom field: a field name, or a map with field: and options'),
      ),
      constants: v.optional(
        v.nullable(
          v.pipe(
            map(
              v.record(
                v.pipe(v.string('constant-name' satisfies Code), v.regex(FIELD_NAME, 'constant-name')),
                v.union(
                  [
                    v.string(),
                    v.number(),
                    v.boolean(),
                    v.null(),
                    map(v.record(v.string(), v.unknown()), 'constant'),
                  ],
                  'constant' satisfies Code,
                ),
                'constants',
              ),
              'constants',
            ),
            v.description('Fields set to the same value on every row'),
          ),
        ),
      ),
    },
    'mapping' satisfies Code,
  ),
  'mapping',
);

/** A map, not a list (YAML and JSON lists are objects to JavaScript). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A field's long form as the schema lets it through. */
export type RawField = v.InferOutput<typeof FIELD_MAP>;
/** A mapping as the schema lets it through, before the rules between keys. */
export type RawMapping = v.InferOutput<typeof MAPPING_SCHEMA>;
