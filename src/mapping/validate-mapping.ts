/**
 * What a mapping means beyond its shape, and the words of every problem: the rules that tie keys together (a
 * `format:` only on dates, `by:` per reference type, a field or column mapped twice, `key:` naming a mapped field,
 * boolean words on one side only...), and each problem of the schema (`schema.ts`) in words naming the file, the
 * line and the key, with the closest valid choice for a typo.
 */
import * as v from 'valibot';
import { normalizeColumn } from '../shared/index.js';
import { InputError } from '../shared/index.js';
import { hint, suggest } from '../shared/index.js';
import type { LineFinder, PathPart } from './parse-document.js';
import {
  BLANK_POLICIES,
  FIELD_KEYS,
  FIELD_TYPES,
  MAPPING_KEYS,
  MAPPING_SCHEMA,
  REFERENCE_KEYS,
  isPlainObject,
  type Code,
  type RawField,
  type RawMapping,
} from './schema.js';
import type { FieldSpec, FieldType, Mapping } from './types.js';
import { compileFormat } from './values.js';

type Part = 'key' | 'value';
type Fail = (path: readonly PathPart[], message: string, part?: Part, labelDepth?: number) => never;

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
 * Validates a mapping read by `parse-document.ts` and returns it with its defaults filled in.
 * @throws InputError `MAPPING` naming the file, the line (when known) and the key.
 */
export function validateMapping(raw: unknown, file: string, lines: LineFinder): Mapping {
  const fail: Fail = (path, message, part = 'key', labelDepth = path.length) => {
    const line = lines.line(path, part);
    const label = pathLabel(path.slice(0, labelDepth));
    throw new InputError('MAPPING', label !== '' ? `${label}: ${message}` : message, {
      file,
      ...(line === undefined ? {} : { line }),
    });
  };
  const parsed = v.safeParse(MAPPING_SCHEMA, raw);
  if (!parsed.success) {
    const problem = firstProblem(parsed.issues, lines);
    return fail(problem.path, problem.message, problem.part, problem.labelDepth);
  }
  return checkMapping(parsed.output, file, lines, fail);
}

interface Problem {
  path: PathPart[];
  message: string;
  part: Part;
  labelDepth?: number;
}

type Issue = v.InferIssue<typeof MAPPING_SCHEMA>;

/**
 * The problem to report of all the schema found: an unknown top-level key first (a misspelt `feilds:` is the
 * cause of `fields:` missing), then the one earliest in the file.
 */
function firstProblem(issues: readonly Issue[], lines: LineFinder): Problem {
  const problems = issues.flatMap(unwrapUnion).map(explain);
  const unknownTop = problems.find((p) => p.path.length === 1 && p.labelDepth === 0);
  if (unknownTop !== undefined) return unknownTop;
  let best = problems[0] as Problem;
  let bestLine = lines.line(best.path, best.part) ?? Infinity;
  for (const p of problems.slice(1)) {
    const line = lines.line(p.path, p.part) ?? Infinity;
    // On one line, an unknown key before a missing one: `{ field a }` is a typo of `field: a`.
    if (line < bestLine || (line === bestLine && isUnknownKey(p) && !isUnknownKey(best))) {
      best = p;
      bestLine = line;
    }
  }
  return best;
}

/**
 * A field's long form that has a problem fails the union "field name or map" as a whole (valibot counts a map with
 * a bad value as untyped): its own issues, under the union's path, say what is wrong.
 */
function unwrapUnion(issue: Issue): Issue[] {
  if (issue.type !== 'union' || !isPlainObject(issue.input) || issue.issues === undefined) return [issue];
  const inner = issue.issues.filter((i) => i.path !== undefined);
  if (inner.length === 0) return [issue];
  return inner.map((i) => ({ ...i, path: [...(issue.path ?? []), ...(i.path ?? [])] }) as Issue);
}

function isUnknownKey(problem: Problem): boolean {
  return (
    problem.part === 'key' && problem.labelDepth !== undefined && problem.labelDepth < problem.path.length
  );
}

/** An issue of the schema in words, at its path. */
function explain(issue: Issue): Problem {
  const items = issue.path ?? [];
  const path = items.map((item) => String(item.key));
  const code = issue.message as Code;
  const input: unknown = issue.input;
  const last = items.at(-1);
  // A missing or unknown key of a map: the path ends at the key.
  if (issue.kind === 'schema' && last?.origin === 'key' && issue.type === 'strict_object') {
    const key = path.at(-1) ?? '';
    const parent = path.slice(0, -1);
    if (issue.expected === 'never') {
      if (code === 'mapping')
        return {
          path,
          message: `${JSON.stringify(key)} is not a mapping key${hint(key, MAPPING_KEYS)}`,
          part: 'key',
          labelDepth: 0,
        };
      return {
        path,
        message: `${JSON.stringify(key)} is not a field key${hint(key, FIELD_KEYS)}`,
        part: 'key',
        labelDepth: parent.length,
      };
    }
    if (code === 'mapping')
      return {
        path: [],
        message: '`fields:` is missing: map each CSV column to a custom field',
        part: 'key',
      };
    return { path: parent, message: '`field:` is missing (the custom field name)', part: 'key' };
  }
  const value = (message: string): Problem => ({ path, message, part: 'value' });
  const fieldKey = path.length === 3 && path[0] === 'fields';
  // An empty value: `timezone:` would silently be UTC, `type:` silently string, `object:` silently need --object.
  if (input === null && (path.length === 1 || fieldKey) && code !== 'fields') {
    return {
      path,
      message: `has no value: write one, or remove ${fieldKey ? 'it' : 'the line'}`,
      part: 'key',
    };
  }
  const text = typeof input === 'string' ? input : '';
  switch (code) {
    case 'mapping':
      if (input === null || input === undefined)
        return { path: [], message: 'the mapping file is empty (it needs at least `fields:`)', part: 'key' };
      return {
        path: [],
        message: `the mapping must be a map of keys (${MAPPING_KEYS.join(', ')}), not ${describe(input)}`,
        part: 'key',
      };
    case 'object':
      return value(`${describe(input)} is not a custom object id (a positive whole number)`);
    case 'timezone':
      return value(timeZoneMessage(input));
    case 'id':
      return value(`must name the CSV column that holds the Coupa id, not ${describe(input)}`);
    case 'key':
      return value(`must name a mapped custom field, not ${describe(input)}`);
    case 'fields':
      if (input === null)
        return {
          path,
          message: 'is empty: map at least one CSV column to a custom field, one per line below it',
          part: 'key',
        };
      return value(`must be a map of "CSV column: field", not ${describe(input)}`);
    case 'column':
      return { path, message: 'a column name is empty', part: 'key' };
    case 'field-value':
      return value(
        `needs a field name (\`${path[1] ?? ''}: field-name\`) or a map with \`field:\`, not ${describe(input)}`,
      );
    case 'field-map':
    case 'field':
      return value(`${describe(input)} is not a valid field name (letters, digits, - and _)`);
    case 'type':
      return value(`${describe(input)} is not a type${hint(text, FIELD_TYPES)}`);
    case 'required':
      return value(`${describe(input)} is not true or false`);
    case 'blank':
      return value(`${describe(input)} is not a blank policy${hint(text, BLANK_POLICIES)}`);
    case 'format':
      return value(`${describe(input)} is not a format`);
    case 'decimal':
      return value(`${describe(input)} is not a decimal separator (use "." or ",")`);
    case 'group':
      return value(`${describe(input)} is not a thousands separator (use ".", ",", " " or "'")`);
    case 'by': {
      const type = (items[1]?.value as Record<string, unknown> | undefined)?.type;
      const allowed = type === 'lookup' || type === 'user' || type === 'supplier' ? REFERENCE_KEYS[type] : [];
      return value(
        `${describe(input)} does not identify a ${typeof type === 'string' ? type : 'reference'}${hint('', allowed)}`,
      );
    }
    case 'words':
      return value(
        `must be a word or a list of words, e.g. [Ja, J] (quote a word YAML reads otherwise: "1"), not ${describe(issueRoot(items))}`,
      );
    case 'constants':
      return value(`must be a map of "field: value", not ${describe(input)}`);
    case 'constant-name':
      return { path, message: 'is not a valid field name (letters, digits, - and _)', part: 'key' };
    case 'constant':
      return value(
        'a constant is a single value (text, number, true/false, null or a reference map), not a list',
      );
  }
  return value(`${describe(input)} is not valid here`);
}

/** The value of the key the issue's path ends at (the whole list of a `true:`, not one word of it). */
function issueRoot(items: readonly v.IssuePathItem[]): unknown {
  const index = items.findIndex((item, i) => i === 2 && (item.key === 'true' || item.key === 'false'));
  return index < 0 ? items.at(-1)?.value : items[index]?.value;
}

function timeZoneMessage(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  const close = text === '' ? undefined : suggest(text, allTimeZones());
  const tail =
    close !== undefined
      ? ` (did you mean ${JSON.stringify(close)}?)`
      : ' (an IANA name such as America/Los_Angeles or Europe/Berlin)';
  return `${describe(value)} is not a time zone${tail}`;
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

/** The rules between keys, on a mapping of the right shape. */
function checkMapping(raw: RawMapping, file: string, lines: LineFinder, fail: Fail): Mapping {
  const mapping: Mapping = { file, fields: [], constants: {} };
  if (raw.object !== undefined) {
    const n = Number(raw.object);
    if (!Number.isSafeInteger(n) || n <= 0)
      fail(
        ['object'],
        `${describe(raw.object)} is not a custom object id (a positive whole number)`,
        'value',
      );
    mapping.object = n;
  }
  if (raw.timezone !== undefined) mapping.timezone = raw.timezone;

  const columnsSeen = new Map<string, string>();
  const fieldsSeen = new Map<string, string>();
  // File order: a JS object puts keys like `2024` first.
  for (const column of lines.keys(['fields']) ?? Object.keys(raw.fields)) {
    const value = raw.fields[column];
    if (value === undefined) continue;
    const path = ['fields', column];
    const norm = normalizeColumn(column);
    const clash = columnsSeen.get(norm);
    if (clash !== undefined) {
      fail(
        path,
        `the column appears twice (as ${JSON.stringify(clash)} too; columns match ignoring case and outer spaces)`,
      );
    }
    columnsSeen.set(norm, column);
    const spec =
      typeof value === 'string' ? shortField(column, value) : checkField(column, value, path, fail, lines);
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

  if (raw.id !== undefined) {
    const clash = columnsSeen.get(normalizeColumn(raw.id));
    if (clash !== undefined) {
      fail(
        ['id'],
        `column ${JSON.stringify(raw.id)} is also mapped under fields; the id column holds the Coupa id only`,
        'value',
      );
    }
    mapping.id = raw.id;
  }

  if (raw.key !== undefined) {
    const written = raw.key;
    const key = normalizeFieldName(written);
    if (!fieldsSeen.has(key)) {
      const byColumn = mapping.fields.find((f) => normalizeColumn(f.column) === normalizeColumn(written));
      if (byColumn !== undefined) {
        fail(
          ['key'],
          `${describe(written)} is a column; key names its field: ${JSON.stringify(byColumn.field)}`,
          'value',
        );
      }
      const fieldNames = mapping.fields.map((f) => f.field);
      fail(['key'], `${describe(written)} is not one of the mapped fields${hint(key, fieldNames)}`, 'value');
    }
    mapping.key = key;
  }

  for (const [name, value] of Object.entries(raw.constants ?? {})) {
    const path = ['constants', name];
    const field = normalizeFieldName(name);
    const column = fieldsSeen.get(field);
    if (column !== undefined)
      fail(path, `field ${JSON.stringify(field)} is also mapped from column ${JSON.stringify(column)}`);
    if (field in mapping.constants) fail(path, 'the constant appears twice');
    mapping.constants[field] = value === undefined ? null : asWritten(value, lines.written(path));
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

function shortField(column: string, field: string): FieldSpec {
  return {
    column,
    field: normalizeFieldName(field),
    type: 'string',
    required: false,
    blank: 'skip',
    decimal: '.',
  };
}

/** Which types a field key applies to, and how the message says so. */
const APPLIES_TO: Partial<
  Record<(typeof FIELD_KEYS)[number], { types: readonly FieldType[]; say: (type: FieldType) => string }>
> = {
  format: {
    types: ['date', 'datetime'],
    say: (t) => `applies to date and datetime fields only (this one is ${t})`,
  },
  decimal: {
    types: ['decimal', 'integer'],
    say: (t) => `applies to decimal and integer fields only (this one is ${t})`,
  },
  group: {
    types: ['decimal', 'integer'],
    say: (t) => `applies to decimal and integer fields only (this one is ${t})`,
  },
  timezone: {
    types: ['datetime'],
    say: (t) =>
      `applies to datetime fields only (a ${t} ${t === 'date' ? 'is always read in the instance time zone' : 'has no time zone'})`,
  },
  by: {
    types: ['lookup', 'user', 'supplier'],
    say: (t) => `applies to lookup, user and supplier fields only (this one is ${t})`,
  },
  true: { types: ['boolean'], say: (t) => `applies to boolean fields only (this one is ${t})` },
  false: { types: ['boolean'], say: (t) => `applies to boolean fields only (this one is ${t})` },
};

function checkField(
  column: string,
  value: RawField,
  path: readonly PathPart[],
  fail: Fail,
  lines: LineFinder,
): FieldSpec {
  // `blank: null` written out is the null policy; `blank:` with nothing after it would clear the field in Coupa.
  if (value.blank === null && lines.written([...path, 'blank']) === '')
    fail([...path, 'blank'], 'has no value: write one, or remove it');
  const type = value.type ?? 'string';
  for (const key of Object.keys(value) as Array<keyof RawField>) {
    const rule = APPLIES_TO[key];
    if (rule !== undefined && !rule.types.includes(type)) fail([...path, key], rule.say(type));
  }
  const spec: FieldSpec = {
    column,
    field: normalizeFieldName(value.field),
    type,
    required: value.required ?? false,
    blank: value.blank === undefined ? 'skip' : (value.blank ?? 'null'),
    decimal: value.decimal ?? '.',
  };
  if (value.format !== undefined) {
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
  if (value.group !== undefined) {
    if (value.group === spec.decimal)
      fail(
        [...path, 'group'],
        `${describe(value.group)} is the decimal separator too: the thousands separator must be another`,
        'value',
      );
    spec.group = value.group;
  }
  if (value.timezone !== undefined) spec.timezone = value.timezone;
  if (type === 'lookup' || type === 'user' || type === 'supplier') {
    const allowed = REFERENCE_KEYS[type];
    if (value.by === undefined) fail(path, `a ${type} field needs \`by:\` (one of: ${allowed.join(', ')})`);
    const by = value.by.replace(/_/g, '-');
    if (!allowed.includes(by))
      fail([...path, 'by'], `${describe(value.by)} does not identify a ${type}${hint(by, allowed)}`, 'value');
    spec.by = by;
  }
  if (value.true !== undefined || value.false !== undefined) {
    const yes = wordList(value.true);
    const no = wordList(value.false);
    const both = yes.find((w) => no.some((n) => sameWord(n, w)));
    if (both !== undefined)
      fail([...path, 'false'], `${JSON.stringify(both)} is in both true: and false:`, 'value');
    const builtIn = [...BUILT_IN_TRUE, ...BUILT_IN_FALSE];
    const clash =
      yes.find((w) => BUILT_IN_FALSE.includes(w.trim().toLowerCase())) ??
      no.find((w) => BUILT_IN_TRUE.includes(w.trim().toLowerCase()));
    if (clash !== undefined) {
      const key = yes.includes(clash) ? 'true' : 'false';
      fail(
        [...path, key],
        `${JSON.stringify(clash)} already means ${key === 'true' ? 'false' : 'true'} (built in: ${builtIn.join(', ')})`,
        'value',
      );
    }
    if (yes.length > 0) spec.trueWords = yes;
    if (no.length > 0) spec.falseWords = no;
  }
  return spec;
}

/** The words every boolean column reads (values.ts `parseBoolean`), for messages and clash checks. */
const BUILT_IN_TRUE = ['true', 'yes', 'y', '1'];
const BUILT_IN_FALSE = ['false', 'no', 'n', '0'];

function wordList(words: string | string[] | undefined): string[] {
  if (words === undefined) return [];
  return (typeof words === 'string' ? [words] : words).map((w) => w.trim());
}

function sameWord(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
