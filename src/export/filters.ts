import { UsageError } from '../shared/index.js';
import { editDistance, findClosest } from '../shared/index.js';
import { parseIsoDateTime, wallClockToIso, zonedMidnightOf } from '../shared/index.js';
import { readIsoDate } from '../mapping/index.js';

/** Coupa's index operators (`none` = equality, written without brackets). */
export const FILTER_OPERATORS = [
  'contains',
  'starts_with',
  'ends_with',
  'gt',
  'lt',
  'gt_or_eq',
  'lt_or_eq',
  'not_eq',
  'in',
  'not_in',
  'blank',
] as const;

export type FilterOperator = (typeof FILTER_OPERATORS)[number] | 'eq';

/**
 * Attributes of a reference (lookup value, user, supplier) that can be filtered on with a second bracket:
 * `owner[login]=jdoe`, `cost-center[name][in]=Marketing,Finance`. A single bracket that is neither an operator nor
 * one of these is taken as a mistyped operator.
 */
export const REFERENCE_ATTRIBUTES = [
  'id',
  'name',
  'login',
  'email',
  'number',
  'external-ref-num',
  'external-ref-code',
];

const DATETIME_ATTRIBUTES = new Set(['created-at', 'updated-at']);
const TEXT_ONLY_OPERATORS = new Set<FilterOperator>(['contains', 'starts_with', 'ends_with', 'blank']);

/** A validated `--filter`. */
export interface ParsedFilter {
  /** The filter as the user wrote it. */
  source: string;
  /** Attribute as written (`updated_at`), and normalised with hyphens (`updated-at`). */
  attribute: string;
  normalized: string;
  /** Reference attribute (`login` in `owner[login]=jdoe`). */
  sub?: string;
  operator: FilterOperator;
  value: string;
  /** The query argument sent to Coupa: `[key, value]`. */
  param: readonly [string, string];
}

/** Query arguments of the index that are not filters: passing them would break the export's paging. */
const RESERVED_ARGUMENTS = new Set(['offset', 'limit', 'order-by', 'dir', 'return-object', 'fields']);

/**
 * Parses and validates one filter `<field>[<op>]=<value>` (or `<field>=<value>` for equality, or
 * `<reference>[<attribute>][<op>]=<value>`). Throws UsageError (exit 2) naming the filter and the valid operators.
 *
 * @example parseFilter('updated_at[gt_or_eq]=2026-01-01') // { normalized: 'updated-at', operator: 'gt_or_eq', ... }
 */
export function parseFilter(source: string): ParsedFilter {
  const eq = source.indexOf('=');
  if (eq <= 0) throw filterError(source, 'expected <field>[<op>]=<value>, e.g. vendor-code[starts_with]=V-');
  const key = source.slice(0, eq).trim();
  const value = source.slice(eq + 1);
  const m = /^([A-Za-z0-9_-]+)((?:\[[^\]]*\])*)$/.exec(key);
  if (!m?.[1]) throw filterError(source, 'expected <field>[<op>]=<value>, e.g. vendor-code[starts_with]=V-');
  const attribute = m[1];
  const normalized = attribute.toLowerCase().replace(/_/g, '-');
  if (RESERVED_ARGUMENTS.has(normalized)) {
    throw filterError(
      source,
      `"${attribute}" is not a filter: paging, order and the fields returned are the export's job (see --limit, --mapping)`,
    );
  }
  const brackets = [...(m[2] ?? '').matchAll(/\[([^\]]*)\]/g)].map((b) => (b[1] ?? '').trim().toLowerCase());
  if (brackets.length > 2) throw filterError(source, 'at most two brackets: <reference>[<attribute>][<op>]');

  let sub: string | undefined;
  let opText: string | undefined;
  if (brackets.length === 2) {
    sub = brackets[0];
    opText = brackets[1];
    if (!sub || !isReferenceAttribute(sub)) {
      throw filterError(
        source,
        `unknown reference attribute "${sub ?? ''}"; use one of ${REFERENCE_ATTRIBUTES.join(', ')}`,
      );
    }
  } else if (brackets.length === 1) {
    const only = brackets[0] ?? '';
    if (isOperator(only.replace(/-/g, '_'))) opText = only;
    else if (isReferenceAttribute(only)) sub = only;
    else opText = only;
  }

  const operator = toOperator(source, opText);
  if (value === '' && operator !== 'eq' && operator !== 'not_eq')
    throw filterError(source, 'the value is empty');
  if (operator === 'blank' && !/^(true|false)$/i.test(value.trim())) {
    throw filterError(source, `blank takes true or false, not "${value}"`);
  }
  if (DATETIME_ATTRIBUTES.has(normalized) && TEXT_ONLY_OPERATORS.has(operator)) {
    throw filterError(
      source,
      `operator "${operator}" does not apply to datetimes; use gt, lt, gt_or_eq, lt_or_eq`,
    );
  }
  if (normalized === 'id' && sub === undefined && operator !== 'blank') {
    const parts = operator === 'in' || operator === 'not_in' ? value.split(',') : [value];
    for (const part of parts) {
      if (!/^\s*\d+\s*$/.test(part)) throw filterError(source, `ids are whole numbers, not "${part}"`);
    }
  }
  const subPart = sub === undefined ? '' : `[${sub}]`;
  const opPart = operator === 'eq' ? '' : `[${operator}]`;
  return {
    source,
    attribute,
    normalized,
    ...(sub === undefined ? {} : { sub }),
    operator,
    value,
    param: [`${attribute}${subPart}${opPart}`, value],
  };
}

/** Operators whose values are compared with a field's value (so a date in them is a point in time). */
const COMPARING_OPERATORS = new Set<FilterOperator>([
  'eq',
  'not_eq',
  'gt',
  'lt',
  'gt_or_eq',
  'lt_or_eq',
  'in',
  'not_in',
]);

/**
 * Filters on a point in time (`created-at`, `updated-at`, or a field in `timeFields`, the mapping's date and
 * datetime fields) whose values have no offset, with those values as wall-clock times in the instance's zone:
 * Coupa reads a bare `2026-03-15` as midnight UTC, which misses a date stored as midnight in an instance at UTC-7
 * (`2026-03-15T00:00:00-07:00`, what the import sends). Other filters and values with an offset are unchanged.
 * @example zoneFilterValues(parseFilters(['start-date=2026-03-15']), new Set(['start-date']), 'America/Los_Angeles')
 *   // param ['start-date', '2026-03-15T00:00:00-07:00']
 */
export function zoneFilterValues(
  filters: readonly ParsedFilter[],
  timeFields: ReadonlySet<string>,
  timezone: string,
): ParsedFilter[] {
  return filters.map((f) => {
    const isTime = DATETIME_ATTRIBUTES.has(f.normalized) || timeFields.has(f.normalized);
    if (!isTime || f.sub !== undefined || !COMPARING_OPERATORS.has(f.operator)) return f;
    const list = f.operator === 'in' || f.operator === 'not_in';
    const value = (list ? f.value.split(',') : [f.value])
      .map((part) => inZone(part.trim(), timezone) ?? part)
      .join(',');
    return value === f.value ? f : { ...f, value, param: [f.param[0], value] };
  });
}

function inZone(text: string, timezone: string): string | undefined {
  const date = readIsoDate(text);
  if (date !== undefined) return zonedMidnightOf(date.year, date.month, date.day, timezone);
  const dt = parseIsoDateTime(text);
  if (dt === undefined || dt.offsetMs !== undefined) return undefined;
  return wallClockToIso(Math.floor(dt.localMs / 1000) * 1000, timezone);
}

/** Parses every filter; the first bad one throws UsageError. */
export function parseFilters(sources: readonly string[]): ParsedFilter[] {
  return sources.map(parseFilter);
}

function toOperator(source: string, text: string | undefined): FilterOperator {
  if (text === undefined || text === '' || text === 'eq' || text === 'none') return 'eq';
  const op = text.replace(/-/g, '_');
  if (isOperator(op)) return op;
  const guess = closest(op, FILTER_OPERATORS);
  throw filterError(
    source,
    `unknown operator "${text}"${guess ? ` (did you mean "${guess}"?)` : ''}; valid operators: none (equals: <field>=<value>), ${FILTER_OPERATORS.join(', ')}`,
  );
}

function isOperator(op: string): op is (typeof FILTER_OPERATORS)[number] {
  return (FILTER_OPERATORS as readonly string[]).includes(op);
}

function isReferenceAttribute(name: string): boolean {
  return REFERENCE_ATTRIBUTES.includes(name.replace(/_/g, '-'));
}

function filterError(source: string, reason: string): UsageError {
  return new UsageError(`--filter "${source}": ${reason}`, 'FILTER');
}

/** The closest candidate within a third of the word's length (at least 2 edits), else undefined. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const best = findClosest(word, candidates);
  return best !== undefined && editDistance(word, best) <= Math.max(2, Math.floor(word.length / 3))
    ? best
    : undefined;
}
