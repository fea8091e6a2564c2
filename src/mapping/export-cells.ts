import type { ObjectInstance } from '../coupa/index.js';
import { formatOf } from './convert.js';
import {
  formatYmd,
  isoInZone,
  localToUtc,
  offsetAt,
  parseInstant,
  parseIsoDateTime,
  wallClockInZone,
} from '../shared/index.js';
import type { FieldSpec, Mapping } from './types.js';
import { parseBoolean, plainNumber, readWithFormat, wallClockMs, writeWithFormat } from './values.js';

/**
 * Columns of an export made with a mapping: the `id` column (when the mapping names one), then each field's column
 * in mapping order. The file imports again with the same mapping.
 * @example exportColumns(mapping) // ['Coupa ID', 'Vendor Code', 'Amount']
 */
export function exportColumns(mapping: Mapping): string[] {
  const columns = mapping.fields.map((f) => f.column);
  return mapping.id === undefined ? columns : [mapping.id, ...columns];
}

/**
 * One export row for a record, aligned with {@link exportColumns}: the reverse of the import's conversion, so that
 * export -> import round-trips. Dates are the calendar date of the stored instant in `timezone`, in the mapping's
 * `format` (else `YYYY-MM-DD`); datetimes are in the column's time zone (else `timezone`), with the format if one is
 * given, else ISO 8601 with the offset; decimals use the mapping's separator, with its thousands separator (`group:`) when it names one; booleans
 * are the first of the column's `true:`/`false:` words, else `true`/`false`; references are written by their `by:` attribute; null and missing values are empty cells.
 * @example recordToCells(mapping, record, 'America/Los_Angeles') // ['1234', 'V-1001', '1250,50']
 */
export function recordToCells(
  mapping: Mapping,
  record: ObjectInstance,
  timezone: string,
  issues?: ExportIssues,
): string[] {
  const raw: unknown = record['custom-fields'];
  const fields = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const cells: string[] = [];
  if (mapping.id !== undefined)
    cells.push(record.id === undefined || record.id === null ? '' : String(record.id));
  const note = issues
    ? (spec: FieldSpec, issue: ExportIssue, value: unknown): void => issues.add(spec, issue, record.id, value)
    : undefined;
  for (const spec of mapping.fields) {
    let value = fields[spec.field];
    if (value === undefined) value = fields[spec.field.replace(/-/g, '_')];
    if (value !== undefined) issues?.present.add(spec.field);
    cells.push(valueToCell(spec, value, timezone, note));
  }
  return cells;
}

/**
 * What a mapped export wrote that an import of the file would not store as it is stored: a reference without its
 * `by:` attribute (an empty cell, which an import would read as blank), a date/datetime whose offset is not the one
 * of the time zone in use (the instance's zone is probably another one, so dates may come out a day off), a
 * datetime its `format:` cannot write exactly (seconds it has no place for, a wall-clock time that occurs twice when
 * the clocks go back), text with white space at its start or end (an import trims it), and empty text in a
 * `blank: null` column (an empty cell, which an import clears to null).
 */
export type ExportIssue = 'no-attribute' | 'other-offset' | 'inexact-time' | 'trimmed' | 'empty-to-null';

/** Collects {@link ExportIssue}s per column over a whole export, for one notice each at the end. */
export class ExportIssues {
  /** Fields found (even null) in at least one record. */
  readonly present = new Set<string>();
  private readonly found = new Map<
    string,
    { spec: FieldSpec; issue: ExportIssue; count: number; id: unknown; value: unknown }
  >();

  add(spec: FieldSpec, issue: ExportIssue, id: unknown, value: unknown): void {
    const key = `${issue} ${spec.column}`;
    const entry = this.found.get(key);
    if (entry) entry.count++;
    else this.found.set(key, { spec, issue, count: 1, id, value });
  }

  /** One line per column with an issue, and per mapped field that no record had, after `records` records. */
  messages(mapping: Mapping, records: number, timezone: string): string[] {
    const out: string[] = [];
    for (const { spec, issue, count, id, value } of this.found.values()) {
      const many = count === 1 ? 'record' : 'records';
      const first = `first: id ${String(id)}`;
      if (issue === 'no-attribute') {
        out.push(
          `column "${spec.column}": in ${count} ${many} (${first}) the ${spec.field} has no ${spec.by ?? 'id'}, written as an empty cell; importing the file again would not restore it (or, with blank: null, clear it): map the field by an attribute every ${spec.type} has`,
        );
      } else if (issue === 'inexact-time') {
        out.push(
          `column "${spec.column}": ${count} ${many} (${first}, ${String(value)}) cannot be written exactly with the format ${spec.format ?? ''} (seconds it has no place for, or a time that occurs twice when the clocks go back); importing the file again would store another time: use a format with seconds, or none (ISO 8601 with the offset)`,
        );
      } else if (issue === 'trimmed') {
        out.push(
          `column "${spec.column}": ${count} ${many} (${first}) hold text with white space at its start or end, written as stored; importing the file again trims it`,
        );
      } else if (issue === 'empty-to-null') {
        out.push(
          `column "${spec.column}": ${count} ${many} (${first}) hold empty text, written as an empty cell; importing the file again clears it to null (the mapping says blank: null)`,
        );
      } else {
        out.push(
          `column "${spec.column}": ${count} ${many} (${first}, ${String(value)}) carry another UTC offset than ${spec.timezone ?? timezone} has: the instance's time zone is probably another one, and dates may be a day off; set --timezone, COUPA_TIMEZONE or the mapping's timezone to the instance's`,
        );
      }
    }
    if (records > 0) {
      for (const spec of mapping.fields) {
        if (!this.present.has(spec.field))
          out.push(
            `column "${spec.column}": no exported record has the field ${spec.field} (the column is empty): check the name against the object's fields`,
          );
      }
    }
    return out;
  }
}

/** Reports an {@link ExportIssue} of one value. */
type IssueNote = (spec: FieldSpec, issue: ExportIssue, value: unknown) => void;

/** A stored date or datetime whose own offset is not `zone`'s at that instant. */
function otherOffset(text: string, zone: string): boolean {
  const parsed = parseIsoDateTime(text);
  if (parsed?.offsetMs === undefined) return false;
  return offsetAt(parsed.localMs - parsed.offsetMs, zone) !== parsed.offsetMs;
}

/** One value as a cell, for a field spec (see {@link recordToCells}). */
export function valueToCell(spec: FieldSpec, value: unknown, timezone: string, note?: IssueNote): string {
  if (value === null || value === undefined) return '';
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return scalarText(value);
      if (note && value !== '' && value.trim() !== value) note(spec, 'trimmed', value);
      if (note && value === '' && spec.blank === 'null') note(spec, 'empty-to-null', value);
      return value;
    case 'integer': {
      const text = typeof value === 'number' ? plainNumber(value) : scalarText(value);
      return spec.group === undefined ? text : formatNumber(text, spec.decimal, spec.group);
    }
    case 'decimal': {
      const text = typeof value === 'number' ? plainNumber(value) : scalarText(value);
      return formatNumber(text, spec.decimal, spec.group);
    }
    case 'boolean': {
      const b =
        typeof value === 'boolean'
          ? value
          : typeof value === 'string'
            ? parseBoolean(value.trim())
            : undefined;
      if (b === undefined) return scalarText(value);
      // The first of the column's words (`true: [Ja, J]` writes Ja): what the user's file had.
      const word = b ? spec.trueWords?.[0] : spec.falseWords?.[0];
      return word ?? String(b);
    }
    case 'date': {
      if (typeof value !== 'string') return scalarText(value);
      if (note && otherOffset(value.trim(), timezone)) note(spec, 'other-offset', value);
      const instant = parseInstant(value.trim(), timezone);
      if (instant === undefined) return value;
      const local = wallClockInZone(instant, timezone);
      return spec.format === undefined
        ? formatYmd(local)
        : writeWithFormat(local, formatOf(spec.format, false));
    }
    case 'datetime': {
      if (typeof value !== 'string') return scalarText(value);
      const zone = spec.timezone ?? timezone;
      if (note && spec.timezone === undefined && otherOffset(value.trim(), zone))
        note(spec, 'other-offset', value);
      const instant = parseInstant(value.trim(), zone);
      if (instant === undefined) return value;
      if (spec.format === undefined) return isoInZone(instant, zone);
      const format = formatOf(spec.format, true);
      const cell = writeWithFormat(wallClockInZone(instant, zone), format);
      if (note) {
        // Read back as the import reads it: another instant means the format lost something.
        const wall = readWithFormat(cell, format);
        if (wall === undefined || localToUtc(wallClockMs(wall), zone) !== Math.floor(instant / 1000) * 1000)
          note(spec, 'inexact-time', value);
      }
      return cell;
    }
    case 'lookup':
    case 'user':
    case 'supplier': {
      if (typeof value !== 'object') return scalarText(value);
      const attr = (value as Record<string, unknown>)[spec.by ?? 'id'];
      if (attr === null || attr === undefined) {
        note?.(spec, 'no-attribute', value);
        return '';
      }
      return scalarText(attr);
    }
  }
}

/**
 * A number as plain `[-]digits[.digits]` text written with the column's decimal separator and, when the mapping
 * names one, its thousands separator (`12500.00` -> `12.500,00`), as the user's spreadsheet shows it; an import
 * reads it back to the same number. Text that is not such a number is written as it is.
 * @example formatNumber('-1234567.5', ',', '.') // '-1.234.567,5'
 */
export function formatNumber(text: string, decimal: '.' | ',', group?: string): string {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) return decimal === ',' ? text.replace('.', ',') : text;
  const [, sign = '', int = '', frac] = m;
  let grouped = int;
  if (group !== undefined && int.length > 3) {
    grouped = '';
    for (let end = int.length; end > 0; end -= 3) {
      const start = Math.max(0, end - 3);
      grouped = start === 0 ? int.slice(start, end) + grouped : group + int.slice(start, end) + grouped;
    }
  }
  return `${sign}${grouped}${frac === undefined ? '' : decimal + frac}`;
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return plainNumber(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

/**
 * Fields that were sent but did not arrive in the returned record's `custom-fields` (Coupa ignores unknown field
 * names silently). A name that comes back spelled otherwise (`_` for `-`, other letter case) arrived if its value
 * did: an ignored field that exists in another spelling comes back empty although a value was sent.
 * @example droppedFields({ 'vendor-code': 'V-1', colour: 'red' }, record) // ['colour']
 */
export function droppedFields(sent: Record<string, unknown>, returned: ObjectInstance): string[] {
  const raw: unknown = returned['custom-fields'];
  const fields = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  // Usually every name comes back as sent: only the others need the spelling-insensitive comparison.
  const unmatched = Object.keys(sent).filter((name) => !Object.hasOwn(fields, name));
  if (unmatched.length === 0) return unmatched;
  const present = new Map<string, unknown>();
  for (const [name, value] of Object.entries(fields)) present.set(canonicalField(name), value);
  return unmatched.filter((name) => {
    const key = canonicalField(name);
    if (!present.has(key)) return true;
    return !isEmpty(sent[name]) && isEmpty(present.get(key));
  });
}

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function canonicalField(name: string): string {
  return name.replace(/_/g, '-').toLowerCase();
}
