import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isUtf8 } from 'node:buffer';
import {
  LineCounter,
  isMap,
  isScalar,
  parseDocument,
  visit,
  type Document,
  type Pair,
  type ParsedNode,
  type Scalar,
} from 'yaml';
import { normalizeColumn } from '../shared/column-name.js';
import { errorText, InputError } from '../shared/errors.js';
import { hint, suggest } from '../shared/suggest.js';
import { isValidTimeZone } from '../shared/time.js';
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
    const pairs = this.pairs(path);
    const last = pairs.at(-1);
    if (last === undefined) return undefined;
    // The deepest key the file has; its value when asked for and the whole path is there.
    const target =
      pairs.length === path.length && part === 'value' && last.value !== null ? last.value : last.key;
    const range = (target as { range?: [number, number, number] } | null)?.range;
    return range === undefined ? undefined : this.counter.linePos(range[0]).line;
  }

  /** The keys of the map at `path` in file order (a JS object puts keys like `2024` first), if known. */
  keys(path: readonly PathPart[]): string[] | undefined {
    const pairs = this.pairs(path);
    const node =
      path.length === 0 ? this.doc?.contents : pairs.length === path.length ? pairs.at(-1)?.value : undefined;
    if (!isMap(node)) return undefined;
    return node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
  }

  /**
   * The value at `path` as written in the file: its source text for a plain scalar, `''` when the key has no value
   * at all (`blank:` and nothing after it), `undefined` when not known (no such key, or not a plain scalar).
   */
  written(path: readonly PathPart[]): string | undefined {
    const pairs = this.pairs(path);
    const pair = pairs.length === path.length ? pairs.at(-1) : undefined;
    if (pair === undefined) return undefined;
    if (pair.value === null) return '';
    const value = pair.value as ParsedNode;
    if (isScalar(value) && value.type === 'PLAIN') return value.source ?? '';
    return undefined;
  }

  /** The key/value pairs along `path`, as far as the file has them. */
  private pairs(path: readonly PathPart[]): Pair[] {
    const found: Pair[] = [];
    let node: unknown = this.doc?.contents;
    for (const part of path) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === part);
      if (pair === undefined) break;
      found.push(pair);
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
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
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
  return parseMappingText(decodeMapping(bytes, path), path);
}

/**
 * The mapping file's text: UTF-8 (with or without BOM), or UTF-16 with a BOM (Notepad's "Unicode"). Other bytes
 * are refused rather than guessed: a column name or constant read in the wrong code page would not match the CSV,
 * or would be sent to Coupa wrong.
 */
function decodeMapping(bytes: Buffer, file: string): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const text = new TextDecoder('utf-8').decode(bytes);
  const bad = text.indexOf('\ufffd');
  const line = bad < 0 ? undefined : lineAndColumn(text, bad).line;
  throw new InputError(
    'MAPPING',
    'the mapping file is not UTF-8 (saved as Windows-1252/ANSI?): save it as UTF-8, or its column names and constants would be read wrong',
    { file, ...(line === undefined ? {} : { line }) },
  );
}

/** Validates mapping text as {@link loadMapping} does (the format follows the extension of `file`). */
export function parseMappingText(text: string, file: string): Mapping {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const isJson = extname(file).toLowerCase() === '.json';
  const counter = new LineCounter();
  let raw: unknown;
  if (isJson) {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw jsonError(errorText(error), text, file);
    }
  }
  // JSON is read as YAML too, for the line numbers and the keys' order, and to refuse a key given twice.
  const doc = parseDocument(text, {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: (a, b) => a === b || (isScalar(a) && isScalar(b) && keyText(a) === keyText(b)),
    merge: !isJson,
  });
  const first = doc.errors[0];
  if (first !== undefined && (!isJson || first.code === 'DUPLICATE_KEY')) {
    const { line, column } = lineAndColumn(text, first.pos[0]);
    throw new InputError('MAPPING', `not valid ${isJson ? 'JSON' : 'YAML'}: ${yamlReason(first, text)}`, {
      file,
      line,
      column,
    });
  }
  if (!isJson) raw = yamlValue(doc, text, file);
  return validateMapping(raw, file, new LineFinder(doc.errors.length === 0 ? doc : undefined, counter));
}

/**
 * The document's value, with every key as written: YAML reads a plain `0100:` as the number 100 and `~:` as null,
 * but a column or field name is text. Aliases must point at an anchor (`&name`) written before them.
 */
function yamlValue(doc: Document, text: string, file: string): unknown {
  let unresolved: { name: string; offset: number } | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        unresolved = { name: alias.source, offset: alias.range?.[0] ?? 0 };
        return visit.BREAK;
      }
      return undefined;
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && typeof pair.key.value !== 'string') pair.key.value = keyText(pair.key);
    },
  });
  if (unresolved !== undefined) {
    throw new InputError(
      'MAPPING',
      `not valid YAML: the alias *${unresolved.name} has no anchor &${unresolved.name} before it`,
      { file, ...lineAndColumn(text, unresolved.offset) },
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new InputError('MAPPING', `not valid YAML: ${errorText(error).split('\n')[0] ?? ''}`, { file });
  }
}

/** A key's text as written in the file (a plain `2024.10` stays "2024.10", `~` stays "~"). */
function keyText(key: Scalar): string {
  if (typeof key.value === 'string') return key.value;
  return key.source ?? String(key.value);
}

function yamlReason(error: { code: string; message: string; pos: [number, number] }, text: string): string {
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return `the key ${JSON.stringify(keyAt(text, error.pos[0]))} appears twice in the same map`;
    case 'MULTIPLE_DOCS':
      return 'the file holds more than one YAML document (a `---` line starts another): keep one mapping per file';
    case 'TAB_AS_INDENT':
      return 'a tab is used for indentation: indent with spaces';
    default:
      return error.message.split('\n')[0] ?? error.message;
  }
}

/** The text of the map key that starts at `offset` (quoted or plain), for messages. */
function keyAt(text: string, offset: number): string {
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^:\n]*?))\s*:/.exec(text.slice(offset));
  return (m?.[1] ?? m?.[2]?.replace(/''/g, "'") ?? m?.[3] ?? '').trim();
}

/** A JSON.parse error as an InputError at its line and column, with the likely cause where it is a common one. */
function jsonError(message: string, text: string, file: string): InputError {
  const first = message.split('\n')[0] ?? message;
  const posMatch = /position (\d+)/.exec(first);
  if (posMatch === null) return new InputError('MAPPING', `not valid JSON: ${first}`, { file });
  const pos = Number(posMatch[1]);
  const at = text.charAt(pos);
  const before = text.slice(0, pos).trimEnd();
  const cause =
    at === '/' || at === '#'
      ? ' (JSON has no comments: remove them, or write the mapping as .yaml)'
      : (at === '}' || at === ']') && before.endsWith(',')
        ? ` (a comma before the ${at}: JSON allows no trailing comma)`
        : '';
  return new InputError(
    'MAPPING',
    `not valid JSON: ${first.replace(/ in JSON at position \d+.*$/, '')}${cause}`,
    {
      file,
      ...lineAndColumn(text, pos),
    },
  );
}

/** 1-based line and column of a character offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
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
    // `timezone:` with nothing after it would silently be UTC, `object:` silently need --object.
    if (raw[key] === null && key !== 'constants' && key !== 'fields')
      fail([key], 'has no value: write one, or remove the line');
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
  if (fieldsRaw === undefined) fail([], '`fields:` is missing: map each CSV column to a custom field');
  if (fieldsRaw === null)
    fail(['fields'], 'is empty: map at least one CSV column to a custom field, one per line below it');
  if (!isPlainObject(fieldsRaw)) {
    return fail(['fields'], `must be a map of "CSV column: field", not ${describe(fieldsRaw)}`, 'value');
  }
  const columnsSeen = new Map<string, string>();
  const fieldsSeen = new Map<string, string>();
  for (const column of lines.keys(['fields']) ?? Object.keys(fieldsRaw)) {
    const value = fieldsRaw[column];
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
    const spec = validateField(column, value, path, fail, lines);
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
      mapping.constants[field] = value === undefined ? null : asWritten(value, lines.written(path));
    }
  }
  return mapping;
}

/**
 * A constant is sent as written: a number whose text YAML or JSON would change (`007`, `1.10`, `1e3`) is sent as
 * that text, not as the number (`7`, `1.1`, `1000`).
 */
function asWritten(value: unknown, written: string | undefined): unknown {
  if (typeof value !== 'number' || written === undefined || written === '') return value;
  return String(value) === written ? value : written;
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

function validateField(
  column: string,
  value: unknown,
  path: readonly PathPart[],
  fail: Fail,
  lines: LineFinder,
): FieldSpec {
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
    // An empty `type:` would silently be string; an empty `blank:` would clear the field in Coupa. Only `blank:
    // null` written out is the null policy.
    if (value[key] === null && (key !== 'blank' || lines.written([...path, key]) === ''))
      fail([...path, key], 'has no value: write one, or remove it');
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
