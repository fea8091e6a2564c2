import { normalizeColumn } from '../shared/index.js';
import { InputError } from '../shared/index.js';
import { findClosest } from '../shared/index.js';
import {
  formatWithOffset,
  parseIsoDateTime,
  utcFromFields,
  wallClockToIso,
  zonedMidnightOf,
} from '../shared/index.js';
import type { TypedCell } from '../shared/index.js';
import type { BoundMapping, FieldSpec, Mapping, RowConversion } from './types.js';
import {
  compileFormat,
  isAmbiguousWhole,
  parseBoolean,
  parseDecimal,
  parseInteger,
  parsePositiveId,
  plainNumber,
  readIsoDate,
  readWithFormat,
  wallClockMs,
  type CompiledFormat,
} from './values.js';

/**
 * Resolves a mapping against a CSV header. Columns match by {@link normalizeColumn} (ignoring case, surrounding spaces
 * and Unicode form). Every mapped column must be present; the `id` column is optional here (update mode checks for it).
 * Header names may repeat (spreadsheets have such columns) as long as the mapping reads none of them.
 * @throws InputError `MISSING_COLUMN` naming each missing column and the closest header; `DUPLICATE_HEADER` for a
 * column the mapping reads that appears twice.
 * @example
 * const bound = bindMapping(mapping, ['Vendor Code', 'Amount'], 'vendors.csv');
 * bound.columns[0].index; // 0
 */
export function bindMapping(mapping: Mapping, header: string[], file: string): BoundMapping {
  const positions = new Map<string, number>();
  const repeats = new Map<string, number>();
  header.forEach((name, index) => {
    const norm = normalizeColumn(name);
    if (!positions.has(norm)) positions.set(norm, index);
    else if (norm !== '' && !repeats.has(norm)) repeats.set(norm, index);
  });
  /** The one position of a column the mapping reads; a name that appears twice would be a guess. */
  const positionOf = (column: string): number | undefined => {
    const norm = normalizeColumn(column);
    const again = repeats.get(norm);
    if (again !== undefined) {
      const name = (header[again] ?? column).trim();
      throw new InputError(
        'DUPLICATE_HEADER',
        `columns ${(positions.get(norm) ?? 0) + 1} and ${again + 1} have the same name ${JSON.stringify(name)} (header names match ignoring case and outer spaces) and the mapping ${mapping.file} reads it; rename one`,
        { file, line: 1, column: name },
      );
    }
    return positions.get(norm);
  };
  const columns: BoundMapping['columns'] = [];
  const missing: string[] = [];
  for (const spec of mapping.fields) {
    const index = positionOf(spec.column);
    if (index === undefined) missing.push(spec.column);
    else columns.push({ spec, index });
  }
  if (missing.length > 0) {
    // One column where several were expected: the delimiter or encoding was read wrong, not the column names
    // (and that one column is no closest header to suggest).
    const single = header.length === 1 && mapping.fields.length > 1;
    const named = single ? [] : header;
    const parts = missing.map((column) => `${JSON.stringify(column)}${closestHeader(column, named)}`);
    const noun = missing.length === 1 ? 'column' : 'columns';
    const verb = missing.length === 1 ? 'is' : 'are';
    const hint = single ? '; the header was read as a single column: check --delimiter and --encoding' : '';
    throw new InputError(
      'MISSING_COLUMN',
      `mapped ${noun} ${parts.join(', ')} ${verb} not in the header (mapping ${mapping.file})${hint}`,
      { file, line: 1 },
    );
  }
  const bound: BoundMapping = { mapping, file, header, columns };
  if (mapping.id !== undefined) {
    const idIndex = positionOf(mapping.id);
    if (idIndex !== undefined) bound.idIndex = idIndex;
  }
  if (mapping.key !== undefined) {
    const keyColumn = columns.find((c) => c.spec.field === mapping.key);
    if (keyColumn !== undefined) bound.keyIndex = keyColumn.index;
  }
  return bound;
}

/** A conversion failure of one cell (allocated only on failure). */
class CellError {
  constructor(readonly reason: string) {}
}

type CellConverter = (text: string) => unknown;
/** A typed spreadsheet cell's value for the field, or undefined to convert the cell's shown text instead. */
type TypedConverter = (typed: TypedCell) => unknown;

interface CompiledColumn {
  index: number;
  column: string;
  field: string;
  required: boolean;
  blank: FieldSpec['blank'];
  convert: CellConverter;
  convertTyped: TypedConverter;
}

interface CompiledRow {
  timezone: string;
  columns: CompiledColumn[];
  constants: Array<[string, unknown]>;
  idIndex: number;
  idColumn: string;
  key: string | undefined;
}

const compiledRows = new WeakMap<BoundMapping, CompiledRow>();
const formatCache = new Map<string, CompiledFormat>();
const MEMO_LIMIT = 10_000;

/**
 * The earliest year a date or datetime cell may hold. An earlier one is a typo (0026 for 2026) or a placeholder
 * (0000-00-00, 0001-01-01) that Coupa would store as a real date; zone offsets before ~1900 are local mean time.
 */
const MIN_YEAR = 1000;
const MIN_WALL_CLOCK = Date.UTC(MIN_YEAR, 0, 1);

function yearError(text: string, year: number): CellError {
  return new CellError(
    `${quoteCell(text)}: the year ${String(year).padStart(4, '0')} is before ${MIN_YEAR} (a typo, or a placeholder for no date? leave the cell empty)`,
  );
}

/** A compiled date/datetime format (cached: mappings were validated, so this does not throw for them). */
export function formatOf(format: string, withTime: boolean): CompiledFormat {
  const cacheKey = `${withTime ? 'T' : 'D'}${format}`;
  let compiled = formatCache.get(cacheKey);
  if (compiled === undefined) {
    compiled = compileFormat(format, withTime);
    formatCache.set(cacheKey, compiled);
  }
  return compiled;
}

/** ` (closest header: "...")` for a column missing from `header`, or '' when none is close; for messages. */
export function closestHeader(column: string, header: readonly string[]): string {
  const closest = findClosest(
    column,
    header.filter((h) => h.trim() !== ''),
  );
  return closest === undefined ? '' : ` (closest header: ${quoteCell(closest)})`;
}

/** Quotes a cell for a message, shortened when long. */
export function quoteCell(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function compileRow(bound: BoundMapping, timezone: string): CompiledRow {
  const mapping = bound.mapping;
  return {
    timezone,
    columns: bound.columns.map(({ spec, index }) => ({
      index,
      column: spec.column,
      field: spec.field,
      required: spec.required,
      blank: spec.blank,
      convert: makeConverter(spec, timezone),
      convertTyped: makeTypedConverter(spec, timezone),
    })),
    constants: Object.entries(mapping.constants),
    idIndex: bound.idIndex ?? -1,
    idColumn: mapping.id ?? 'id',
    key: mapping.key,
  };
}

function makeConverter(spec: FieldSpec, timezone: string): CellConverter {
  switch (spec.type) {
    case 'string':
      return (text) => text;
    case 'integer': {
      const sep = spec.decimal;
      const other = sep === '.' ? ',' : '.';
      return (text) => {
        const n = parseInteger(text, sep);
        if (n === undefined) return new CellError(`${quoteCell(text)} is not a whole number`);
        // At most a sign, three digits, the separator and 000 (and spaces): longer cells skip the check.
        if (n !== null && text.length <= 12 && isAmbiguousWhole(text, sep)) {
          return new CellError(
            `${quoteCell(text)} is ambiguous: ${n} with "${sep}" as the decimal separator, or ${n * 1000} with "${sep}" between thousands; write it without the "${sep}000", or set decimal: "${other}" for a file that uses "${other}" for decimals`,
          );
        }
        if (n === null) return new CellError(`${quoteCell(text)} is too large for a whole number`);
        return n;
      };
    }
    case 'decimal': {
      const sep = spec.decimal;
      const other = sep === '.' ? ',' : '.';
      return (text) => {
        const d = parseDecimal(text, sep);
        if (d !== undefined) return d;
        const hint =
          parseDecimal(text, other) !== undefined
            ? ` (the decimal separator is "${sep}"; set decimal: "${other}" in the mapping if the file uses "${other}")`
            : '';
        return new CellError(`${quoteCell(text)} is not a decimal${hint}`);
      };
    }
    case 'boolean': {
      if (spec.trueWords === undefined && spec.falseWords === undefined) {
        return (text) => {
          const b = parseBoolean(text);
          return b === undefined
            ? new CellError(`${quoteCell(text)} is not a boolean (true/false, yes/no, y/n, 1/0)`)
            : b;
        };
      }
      // The column's own words first (they may repeat a built-in one), matched ignoring case.
      const words = new Map<string, boolean>();
      for (const w of spec.trueWords ?? []) words.set(w.trim().toLowerCase(), true);
      for (const w of spec.falseWords ?? []) words.set(w.trim().toLowerCase(), false);
      const own = [
        ...(spec.trueWords === undefined ? [] : [`true: ${spec.trueWords.join(', ')}`]),
        ...(spec.falseWords === undefined ? [] : [`false: ${spec.falseWords.join(', ')}`]),
      ].join('; ');
      return (text) => {
        const b = words.get(text.toLowerCase()) ?? parseBoolean(text);
        return b === undefined
          ? new CellError(`${quoteCell(text)} is not a boolean (${own}; or true/false, yes/no, y/n, 1/0)`)
          : b;
      };
    }
    case 'date': {
      const format = spec.format === undefined ? undefined : formatOf(spec.format, false);
      const expected = format === undefined ? '(expected YYYY-MM-DD)' : `(format ${format.source})`;
      return remembered(convertDate);
      function convertDate(text: string): string | CellError {
        const date = readDate(text);
        if (date === undefined) return new CellError(`${quoteCell(text)} is not a valid date ${expected}`);
        return date.year < MIN_YEAR
          ? yearError(text, date.year)
          : zonedMidnightOf(date.year, date.month, date.day, timezone);
      }
      function readDate(text: string): { year: number; month: number; day: number } | undefined {
        const w = format === undefined ? undefined : readWithFormat(text, format);
        if (w !== undefined) return w;
        const d = readIsoDate(text);
        if (d !== undefined) return d;
        // A datetime in a date column (e.g. an unmapped export): its calendar date as written.
        const dt = parseIsoDateTime(text);
        if (dt === undefined || dt.offsetMs === undefined) return undefined;
        const day = new Date(dt.localMs);
        return { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
      }
    }
    case 'datetime': {
      const zone = spec.timezone ?? timezone;
      const format = spec.format === undefined ? undefined : formatOf(spec.format, true);
      const expected =
        format === undefined
          ? '(expected ISO 8601, e.g. 2026-03-01T14:30:00 or 2026-03-01T14:30:00+01:00)'
          : `(format ${format.source})`;
      return (text) => {
        const w = format === undefined ? undefined : readWithFormat(text, format);
        const dt = w === undefined ? parseIsoDateTime(text) : undefined;
        const d = w === undefined && dt === undefined ? readIsoDate(text) : undefined;
        const wall =
          w !== undefined
            ? wallClockMs(w)
            : dt !== undefined
              ? Math.floor(dt.localMs / 1000) * 1000
              : d !== undefined
                ? utcFromFields(d.year, d.month, d.day)
                : undefined;
        if (wall === undefined)
          return new CellError(`${quoteCell(text)} is not a valid datetime ${expected}`);
        if (wall < MIN_WALL_CLOCK) return yearError(text, new Date(wall).getUTCFullYear());
        return dt?.offsetMs === undefined ? wallClockToIso(wall, zone) : formatWithOffset(wall, dt.offsetMs);
      };
    }
    case 'lookup':
    case 'user':
    case 'supplier': {
      const by = spec.by ?? 'id';
      if (by === 'id') {
        return (text) => {
          const id = parsePositiveId(text);
          return id === undefined
            ? new CellError(`${quoteCell(text)} is not a valid id (a positive whole number)`)
            : { id };
        };
      }
      return REFERENCE_BODY.get(by) ?? ((text) => ({ [by]: text }));
    }
  }
}

/**
 * How a typed spreadsheet cell (an `.xlsx` input) becomes a field's value. The workbook already holds the number,
 * the date or the boolean, so `decimal:`, `group:`, `format:` and word lists, which describe text, do not apply.
 * A string field takes the text as shown (undefined here); so does any pairing not listed (a number in a date
 * column, a time of day), whose text then goes through the column's ordinary rules and errors.
 */
function makeTypedConverter(spec: FieldSpec, timezone: string): TypedConverter {
  switch (spec.type) {
    case 'integer':
      return (typed) => {
        if (typed.kind !== 'number') return undefined;
        if (!Number.isSafeInteger(typed.value))
          return new CellError(`${plainNumber(typed.value)} is not a whole number`);
        return typed.value;
      };
    case 'decimal':
      return (typed) => (typed.kind === 'number' ? plainNumber(typed.value) : undefined);
    case 'boolean':
      return (typed) => (typed.kind === 'boolean' ? typed.value : undefined);
    case 'date':
      // A date cell is the calendar day it shows; a date-and-time cell gives its day.
      return (typed) => {
        if (typed.kind !== 'date' && typed.kind !== 'datetime') return undefined;
        const d = readIsoDate(typed.value.slice(0, 10));
        if (d === undefined) return undefined;
        return d.year < MIN_YEAR
          ? yearError(typed.value, d.year)
          : zonedMidnightOf(d.year, d.month, d.day, timezone);
      };
    case 'datetime': {
      const zone = spec.timezone ?? timezone;
      // The sheet's wall clock, in the field's zone (a cell has no offset); a date cell is its midnight.
      return (typed) => {
        if (typed.kind !== 'date' && typed.kind !== 'datetime') return undefined;
        const d = readIsoDate(typed.value.slice(0, 10));
        if (d === undefined) return undefined;
        const [hh = 0, mm = 0, ss = 0] =
          typed.kind === 'datetime' ? typed.value.slice(11).split(':').map(Number) : [];
        const wall = utcFromFields(d.year, d.month, d.day) + ((hh * 60 + mm) * 60 + ss) * 1000;
        if (wall < MIN_WALL_CLOCK) return yearError(typed.value, d.year);
        return wallClockToIso(wall, zone);
      };
    }
    case 'lookup':
    case 'user':
    case 'supplier':
      // A reference by id: a whole-number cell is the id (its shown text may carry a format's decimals).
      return (typed) =>
        (spec.by ?? 'id') === 'id' &&
        typed.kind === 'number' &&
        Number.isSafeInteger(typed.value) &&
        typed.value > 0
          ? { id: typed.value }
          : undefined;
    case 'string':
      return () => undefined;
  }
}

/**
 * The reference object of each key a mapping may use (REFERENCE_KEYS), as a literal: a computed key
 * (`{ [by]: text }`) shared by columns with different keys is several times slower per row.
 */
const REFERENCE_BODY: ReadonlyMap<string, (text: string) => Record<string, string>> = new Map<
  string,
  (text: string) => Record<string, string>
>([
  ['name', (text) => ({ name: text })],
  ['login', (text) => ({ login: text })],
  ['email', (text) => ({ email: text })],
  ['number', (text) => ({ number: text })],
  ['external-ref-num', (text) => ({ 'external-ref-num': text })],
  ['external-ref-code', (text) => ({ 'external-ref-code': text })],
]);

/**
 * `convert` with its recent successful results remembered (bounded): dates repeat a lot in real files (a few
 * thousand distinct days cover decades). Not for timestamps: mostly distinct, they would fill and clear the memo
 * over and over, which costs more (in garbage collection) than it saves.
 */
function remembered(convert: (text: string) => string | CellError): (text: string) => string | CellError {
  const memo = new Map<string, string>();
  return (text) => {
    const hit = memo.get(text);
    if (hit !== undefined) return hit;
    const value = convert(text);
    if (typeof value === 'string') {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(text, value);
    }
    return value;
  };
}

/**
 * Converts one CSV row to the `custom-fields` body of a create/update, following the mapping: types, formats,
 * blank policies, `required`, constants; the `id` column and the `key` value are returned beside the body.
 * Cells are trimmed of outer white space first. `typed` (a spreadsheet row's typed cells) are taken as the values
 * they hold where the field's type fits (see makeTypedConverter). Never throws for bad data: the result says what is wrong, naming
 * each failing column.
 * @example
 * convertRow(bound, ['V-1', '12,5'], 'America/Los_Angeles');
 * // { ok: true, fields: { 'vendor-code': 'V-1', amount: '12.5' }, key: 'V-1' }
 */
export function convertRow(
  bound: BoundMapping,
  cells: readonly string[],
  timezone: string,
  typed?: readonly (TypedCell | undefined)[],
): RowConversion {
  let compiled = compiledRows.get(bound);
  if (compiled === undefined || compiled.timezone !== timezone) {
    compiled = compileRow(bound, timezone);
    compiledRows.set(bound, compiled);
  }
  const fields: Record<string, unknown> = {};
  let errors: string[] | undefined;
  const columns = compiled.columns;
  for (let i = 0; i < columns.length; i++) {
    const col = columns[i] as CompiledColumn;
    const text = (cells[col.index] ?? '').trim();
    if (text.length === 0) {
      if (col.required) {
        (errors ??= []).push(`column ${JSON.stringify(col.column)} is required but blank`);
      } else if (col.blank === 'null') {
        fields[col.field] = null;
      } else if (col.blank === 'error') {
        (errors ??= []).push(`column ${JSON.stringify(col.column)} is blank (the mapping says blank: error)`);
      }
      continue;
    }
    const cellType = typed?.[col.index];
    const fromType = cellType === undefined ? undefined : col.convertTyped(cellType);
    const value = fromType !== undefined ? fromType : col.convert(text);
    if (value instanceof CellError) {
      (errors ??= []).push(`column ${JSON.stringify(col.column)}: ${value.reason}`);
      continue;
    }
    fields[col.field] = value;
  }
  let id: number | undefined;
  if (compiled.idIndex >= 0) {
    const raw = (cells[compiled.idIndex] ?? '').trim();
    if (raw !== '') {
      id = parsePositiveId(raw);
      if (id === undefined) {
        (errors ??= []).push(
          `column ${JSON.stringify(compiled.idColumn)}: ${quoteCell(raw)} is not a Coupa id (a positive whole number)`,
        );
      }
    }
  }
  if (errors !== undefined) return { ok: false, error: errors.join('; ') };
  for (const [field, value] of compiled.constants) fields[field] = value;
  const result: RowConversion = { ok: true, fields };
  if (id !== undefined) result.id = id;
  if (compiled.key !== undefined) {
    const keyValue = fields[compiled.key];
    if (keyValue !== undefined && keyValue !== null) result.key = keyValue;
  }
  return result;
}
