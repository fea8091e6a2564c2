import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { LineCounter, isMap, isScalar, parseDocument, type Document } from 'yaml';
import { normalizeColumn } from '../csv/column-name.js';
import { errorText, InputError } from '../errors.js';
import { hint, suggest } from './suggest.js';
import { isValidTimeZone } from './time.js';
import type { BlankPolicy, FieldSpec, FieldType, Mapping } from './types.js';
import { compileFormat } from './values.js';

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
  'timezone',
  'by',
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
/** The attributes a reference can be identified by, per reference type (see coupa-api.md "Values"). */
export const REFERENCE_KEYS: Readonly<Record<'lookup' | 'user' | 'supplier', readonly string[]>> = {
  lookup: ['id', 'name', 'external-ref-num', 'external-ref-code'],
  user: ['id', 'login', 'email'],
  supplier: ['id', 'name', 'number'],
};

const FIELD_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

type PathPart = string;

/** Finds source lines for mapping paths (YAML, or JSON read as YAML). */
class LineFinder {
  constructor(
    private readonly doc: Document | undefined,
    private readonly counter: LineCounter,
  ) {}

  line(path: readonly PathPart[], part: 'key' | 'value' = 'key'): number | undefined {
    if (this.doc === undefined) return undefined;
    let node: unknown = this.doc.contents;
    let found: number | undefined;
    for (let i = 0; i < path.length; i++) {
      if (!isMap(node)) return found;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === path[i]);
      if (pair === undefined) return found;
      const last = i === path.length - 1;
      const target = last && part === 'value' && pair.value !== null ? pair.value : pair.key;
      const range = (target as { range?: [number, number, number] } | null)?.range;
      if (range !== undefined) found = this.counter.linePos(range[0]).line;
      node = pair.value;
    }
    return found;
  }
}

function pathLabel(path: readonly PathPart[]): string {
  return path.map((p, i) => (i === 1 ? JSON.stringify(p) : p)).join('.');
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  return JSON.stringify(value);
}

/**
 * Loads and validates a mapping file (`.yaml`/`.yml`, or `.json`).
 * Every problem is an `InputError` with code `MAPPING`, the file and (when known) the line, whose message names the
 * key and what is wrong, with the closest valid choice for unknown keys and types.
 * @example
 * const mapping = await loadMapping('samples/vendors.mapping.yaml');
 * mapping.fields[0]; // { column: 'Vendor Code', field: 'vendor-code', type: 'string', ... }
 */
export async function loadMapping(path: string): Promise<Mapping> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'mapping file not found'
        : code === 'EISDIR'
          ? 'the mapping path is a folder, not a file'
          : `cannot read the mapping file (${code ?? 'unknown error'})`;
    throw new InputError('MAPPING', reason, { file: path });
  }
  return parseMappingText(text, path);
}

/** Validates mapping text as {@link loadMapping} does (the format follows the extension of `file`). */
export function parseMappingText(text: string, file: string): Mapping {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const isJson = extname(file).toLowerCase() === '.json';
  const counter = new LineCounter();
  let raw: unknown;
  let doc: Document | undefined;
  if (isJson) {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      const message = errorText(error);
      throw new InputError('MAPPING', `not valid JSON: ${message.split('\n')[0] ?? message}`, {
        file,
        ...lineOfJsonError(message, text),
      });
    }
    const yamlDoc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
    doc = yamlDoc.errors.length === 0 ? yamlDoc : undefined;
  } else {
    doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
    const first = doc.errors[0];
    if (first !== undefined) {
      const line = counter.linePos(first.pos[0]).line;
      const reason =
        first.code === 'DUPLICATE_KEY'
          ? 'a key appears twice in the same map'
          : (first.message.split('\n')[0] ?? '');
      throw new InputError('MAPPING', `not valid YAML: ${reason}`, { file, line });
    }
    raw = doc.toJS();
  }
  return validateMapping(raw, file, new LineFinder(doc, counter));
}

function lineOfJsonError(message: string, text: string): { line?: number } {
  const lineMatch = /line (\d+)/.exec(message);
  if (lineMatch !== null) return { line: Number(lineMatch[1]) };
  const posMatch = /position (\d+)/.exec(message);
  if (posMatch === null) return {};
  const pos = Number(posMatch[1]);
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return { line };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function validateMapping(raw: unknown, file: string, lines: LineFinder): Mapping {
  const fail = (
    path: readonly PathPart[],
    message: string,
    part: 'key' | 'value' = 'key',
    labelDepth = path.length,
  ): never => {
    const line = lines.line(path, part);
    const label = pathLabel(path.slice(0, labelDepth));
    throw new InputError('MAPPING', label !== '' ? `${label}: ${message}` : message, {
      file,
      ...(line === undefined ? {} : { line }),
    });
  };
  if (raw === null || raw === undefined) fail([], 'the mapping file is empty (it needs at least `fields:`)');
  if (!isPlainObject(raw)) {
    return fail([], `the mapping must be a map of keys (${MAPPING_KEYS.join(', ')}), not ${describe(raw)}`);
  }
  for (const key of Object.keys(raw)) {
    if (!(MAPPING_KEYS as readonly string[]).includes(key)) {
      fail([key], `${JSON.stringify(key)} is not a mapping key${hint(key, MAPPING_KEYS)}`, 'key', 0);
    }
  }
  const mapping: Mapping = { file, fields: [], constants: {} };

  if (raw.object !== undefined && raw.object !== null) {
    const o = raw.object;
    const n =
      typeof o === 'number' ? o : typeof o === 'string' && /^\d+$/.test(o.trim()) ? Number(o) : Number.NaN;
    if (!Number.isSafeInteger(n) || n <= 0)
      fail(['object'], `${describe(o)} is not a custom object id (a positive whole number)`, 'value');
    mapping.object = n;
  }

  if (raw.timezone !== undefined && raw.timezone !== null) {
    mapping.timezone = checkTimeZone(raw.timezone, ['timezone'], fail);
  }

  const fieldsRaw = raw.fields;
  if (fieldsRaw === undefined || fieldsRaw === null)
    fail([], '`fields:` is missing: map each CSV column to a custom field');
  if (!isPlainObject(fieldsRaw)) {
    return fail(['fields'], `must be a map of "CSV column: field", not ${describe(fieldsRaw)}`, 'value');
  }
  const columnsSeen = new Map<string, string>();
  const fieldsSeen = new Map<string, string>();
  for (const [column, value] of Object.entries(fieldsRaw)) {
    const path = ['fields', column];
    if (column.trim() === '') fail(path, 'a column name is empty');
    const norm = normalizeColumn(column);
    const clash = columnsSeen.get(norm);
    if (clash !== undefined) {
      fail(
        path,
        `the column appears twice (as ${JSON.stringify(clash)} too; columns match ignoring case and outer spaces)`,
      );
    }
    columnsSeen.set(norm, column);
    const spec = validateField(column, value, path, fail);
    const otherColumn = fieldsSeen.get(spec.field);
    if (otherColumn !== undefined) {
      fail(
        path,
        `field ${JSON.stringify(spec.field)} is already mapped from column ${JSON.stringify(otherColumn)}`,
      );
    }
    fieldsSeen.set(spec.field, column);
    mapping.fields.push(spec);
  }
  if (mapping.fields.length === 0)
    fail(['fields'], 'is empty: map at least one CSV column to a custom field');

  if (raw.id !== undefined && raw.id !== null) {
    if (typeof raw.id !== 'string' || raw.id.trim() === '') {
      fail(['id'], `must name the CSV column that holds the Coupa id, not ${describe(raw.id)}`, 'value');
    }
    const idColumn = raw.id as string;
    const clash = columnsSeen.get(normalizeColumn(idColumn));
    if (clash !== undefined) {
      fail(
        ['id'],
        `column ${JSON.stringify(idColumn)} is also mapped under fields; the id column holds the Coupa id only`,
        'value',
      );
    }
    mapping.id = idColumn;
  }

  if (raw.key !== undefined && raw.key !== null) {
    if (typeof raw.key !== 'string' || raw.key.trim() === '') {
      fail(['key'], `must name a mapped custom field, not ${describe(raw.key)}`, 'value');
    }
    const key = normalizeFieldName(raw.key as string);
    if (!fieldsSeen.has(key)) {
      const byColumn = mapping.fields.find(
        (f) => normalizeColumn(f.column) === normalizeColumn(raw.key as string),
      );
      if (byColumn !== undefined) {
        fail(
          ['key'],
          `${describe(raw.key)} is a column; key names its field: ${JSON.stringify(byColumn.field)}`,
          'value',
        );
      }
      const fieldNames = mapping.fields.map((f) => f.field);
      fail(['key'], `${describe(raw.key)} is not one of the mapped fields${hint(key, fieldNames)}`, 'value');
    }
    mapping.key = key;
  }

  if (raw.constants !== undefined && raw.constants !== null) {
    if (!isPlainObject(raw.constants)) {
      fail(['constants'], `must be a map of "field: value", not ${describe(raw.constants)}`, 'value');
    }
    for (const [name, value] of Object.entries(raw.constants as Record<string, unknown>)) {
      const path = ['constants', name];
      if (!FIELD_NAME.test(name)) fail(path, 'is not a valid field name (letters, digits, - and _)');
      const field = normalizeFieldName(name);
      const column = fieldsSeen.get(field);
      if (column !== undefined)
        fail(path, `field ${JSON.stringify(field)} is also mapped from column ${JSON.stringify(column)}`);
      if (Array.isArray(value))
        fail(
          path,
          'a constant is a single value (text, number, true/false, null or a reference map), not a list',
          'value',
        );
      if (field in mapping.constants) fail(path, 'the constant appears twice');
      mapping.constants[field] = value === undefined ? null : value;
    }
  }
  return mapping;
}

type Fail = (
  path: readonly PathPart[],
  message: string,
  part?: 'key' | 'value',
  labelDepth?: number,
) => never;

function checkTimeZone(value: unknown, path: readonly PathPart[], fail: Fail): string {
  if (typeof value !== 'string' || !isValidTimeZone(value)) {
    const text = typeof value === 'string' ? value : '';
    const zones = allTimeZones();
    const close = text === '' ? undefined : suggest(text, zones);
    const tail =
      close !== undefined
        ? ` (did you mean ${JSON.stringify(close)}?)`
        : ' (an IANA name such as America/Los_Angeles or Europe/Berlin)';
    return fail(path, `${describe(value)} is not a time zone${tail}`, 'value');
  }
  return value;
}

let zoneList: string[] | undefined;
function allTimeZones(): string[] {
  if (zoneList === undefined) {
    const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
    zoneList = [...(intl.supportedValuesOf?.('timeZone') ?? []), 'UTC'];
  }
  return zoneList;
}

/** Coupa answers with hyphens and accepts underscores: field names are kept hyphenated. */
export function normalizeFieldName(name: string): string {
  return name.trim().replace(/_/g, '-');
}

function validateField(column: string, value: unknown, path: readonly PathPart[], fail: Fail): FieldSpec {
  if (typeof value === 'string') {
    if (!FIELD_NAME.test(value.trim()))
      fail(path, `${describe(value)} is not a valid field name (letters, digits, - and _)`, 'value');
    return {
      column,
      field: normalizeFieldName(value),
      type: 'string',
      required: false,
      blank: 'skip',
      decimal: '.',
    };
  }
  if (!isPlainObject(value)) {
    return fail(
      path,
      `needs a field name (\`${column}: field-name\`) or a map with \`field:\`, not ${describe(value)}`,
      'value',
    );
  }
  for (const key of Object.keys(value)) {
    if (!(FIELD_KEYS as readonly string[]).includes(key)) {
      fail(
        [...path, key],
        `${JSON.stringify(key)} is not a field key${hint(key, FIELD_KEYS)}`,
        'key',
        path.length,
      );
    }
  }
  const fieldName = value.field;
  if (fieldName === undefined || fieldName === null)
    fail(path, '`field:` is missing (the custom field name)');
  if (typeof fieldName !== 'string' || !FIELD_NAME.test(fieldName.trim())) {
    fail(
      [...path, 'field'],
      `${describe(fieldName)} is not a valid field name (letters, digits, - and _)`,
      'value',
    );
  }
  let type: FieldType = 'string';
  if (value.type !== undefined && value.type !== null) {
    const t = value.type;
    if (typeof t !== 'string' || !(FIELD_TYPES as readonly string[]).includes(t)) {
      fail(
        [...path, 'type'],
        `${describe(t)} is not a type${hint(typeof t === 'string' ? t : '', FIELD_TYPES)}`,
        'value',
      );
    }
    type = t as FieldType;
  }
  const spec: FieldSpec = {
    column,
    field: normalizeFieldName(fieldName),
    type,
    required: false,
    blank: 'skip',
    decimal: '.',
  };
  if (value.required !== undefined && value.required !== null) {
    if (typeof value.required !== 'boolean')
      fail([...path, 'required'], `${describe(value.required)} is not true or false`, 'value');
    spec.required = value.required;
  }
  if ('blank' in value) {
    // `blank: null` in YAML is the null value itself: it means the policy "null".
    const b = value.blank === null ? 'null' : value.blank;
    if (typeof b !== 'string' || !(BLANK_POLICIES as readonly string[]).includes(b)) {
      fail(
        [...path, 'blank'],
        `${describe(b)} is not a blank policy${hint(typeof b === 'string' ? b : '', BLANK_POLICIES)}`,
        'value',
      );
    }
    spec.blank = b as BlankPolicy;
  }
  if (value.format !== undefined && value.format !== null) {
    if (type !== 'date' && type !== 'datetime')
      fail([...path, 'format'], `applies to date and datetime fields only (this one is ${type})`);
    if (typeof value.format !== 'string' || value.format.trim() === '')
      fail([...path, 'format'], `${describe(value.format)} is not a format`, 'value');
    try {
      compileFormat(value.format, type === 'datetime');
    } catch (error) {
      const example = type === 'date' ? 'DD/MM/YYYY' : 'DD/MM/YYYY HH:mm';
      fail(
        [...path, 'format'],
        `${describe(value.format)} is not a ${type} format: ${(error as Error).message} (e.g. ${example})`,
        'value',
      );
    }
    spec.format = value.format;
  }
  if (value.decimal !== undefined && value.decimal !== null) {
    if (type !== 'decimal' && type !== 'integer')
      fail([...path, 'decimal'], `applies to decimal and integer fields only (this one is ${type})`);
    if (value.decimal !== '.' && value.decimal !== ',')
      fail(
        [...path, 'decimal'],
        `${describe(value.decimal)} is not a decimal separator (use "." or ",")`,
        'value',
      );
    spec.decimal = value.decimal;
  }
  if (value.timezone !== undefined && value.timezone !== null) {
    if (type !== 'datetime') {
      fail(
        [...path, 'timezone'],
        `applies to datetime fields only (a ${type} ${type === 'date' ? 'is always read in the instance time zone' : 'has no time zone'})`,
      );
    }
    spec.timezone = checkTimeZone(value.timezone, [...path, 'timezone'], fail);
  }
  const isReference = type === 'lookup' || type === 'user' || type === 'supplier';
  if (value.by !== undefined && value.by !== null) {
    if (!isReference)
      fail([...path, 'by'], `applies to lookup, user and supplier fields only (this one is ${type})`);
  }
  if (isReference) {
    const allowed = REFERENCE_KEYS[type as 'lookup' | 'user' | 'supplier'];
    if (value.by === undefined || value.by === null) {
      fail(path, `a ${type} field needs \`by:\` (one of: ${allowed.join(', ')})`);
    }
    const by = typeof value.by === 'string' ? value.by.replace(/_/g, '-') : value.by;
    if (typeof by !== 'string' || !allowed.includes(by)) {
      fail(
        [...path, 'by'],
        `${describe(value.by)} does not identify a ${type}${hint(typeof by === 'string' ? by : '', allowed)}`,
        'value',
      );
    }
    spec.by = by;
  }
  return spec;
}
