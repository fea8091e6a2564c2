import type { IndexQuery, ObjectInstance } from '../coupa/index.js';
import type { Mapping } from '../mapping/index.js';
import { UsageError } from '../shared/index.js';
import { checkRecordFilters, type FilterMismatch } from './check-filters.js';
import { parseFilter, zoneFilterValues, type ParsedFilter } from './filters.js';

/** What every request of an export asks for, and how each record returned is checked against it. */
export interface ExportQuery {
  /** Filter arguments of every request (the id range excluded). */
  query: IndexQuery;
  /** The id range the filters on `id` set: above `after`, up to `upTo` (undefined: open). */
  after: number | undefined;
  upTo: number | undefined;
  /** A record's mismatch with what was asked for (the `--state` watermark included), or undefined. */
  checkRecord: (record: ObjectInstance) => FilterMismatch | undefined;
}

export interface ExportQueryOptions {
  filters: readonly ParsedFilter[];
  mapping: Mapping | undefined;
  timezone: string;
  /** The incremental run's lower `updated-at` bound, when it has one. */
  since: string | undefined;
  /** True for a `--state` run (it sets the lower `updated-at` bound itself). */
  incremental: boolean;
  /** Where the zone was set; undefined when it was not (a date read as UTC is then said). */
  zoneSetBy: string | undefined;
}

/**
 * The query of an export: the filters' dates read in the run's zone (a date/datetime field of the mapping, or a
 * timestamp), said through `notice` when no zone was set and a date was read as UTC; the filters on `id` turned into
 * the paging range; the watermark of an incremental run added.
 */
export function buildExportQuery(o: ExportQueryOptions, notice: (message: string) => void): ExportQuery {
  const timeFields = new Set(
    (o.mapping?.fields ?? [])
      .filter((f) => f.type === 'date' || f.type === 'datetime')
      .map((f) => f.field.toLowerCase().replace(/_/g, '-')),
  );
  const zoned = zoneFilterValues(o.filters, timeFields, o.timezone);
  if (o.zoneSetBy === undefined) {
    const guessed = zoned.filter((f, i) => f !== o.filters[i]).map((f) => f.source);
    if (guessed.length > 0)
      notice(
        `no time zone given: the date/time in ${guessed.map((g) => `"${g}"`).join(', ')} is read in UTC; if the instance is in another zone, ` +
          "set --timezone (or COUPA_TIMEZONE, or the mapping's timezone) to it, or records of that day may be missed",
      );
  }
  const { query, after, upTo } = splitIdRange(zoned, o.since, o.incremental);
  // Every record written is checked against what was asked for, the watermark included.
  const checkRecord = checkRecordFilters(
    o.since === undefined
      ? zoned
      : [
          ...zoned,
          {
            ...parseFilter(`updated-at[gt_or_eq]=${o.since}`),
            source: `the --state watermark updated-at >= ${o.since}`,
          },
        ],
  );
  return { query, after, upTo, checkRecord };
}

/**
 * Filter arguments for every request. Range filters on `id` become the paging bounds (the pager owns `id[gt]` and
 * `id[lt_or_eq]`); an incremental run adds `updated-at[gt_or_eq]`.
 */
function splitIdRange(
  filters: readonly ParsedFilter[],
  since: string | undefined,
  incremental: boolean,
): { query: IndexQuery; after: number | undefined; upTo: number | undefined } {
  const query: Array<readonly [string, string]> = [];
  let after: number | undefined;
  let upTo: number | undefined;
  for (const f of filters) {
    if (incremental && f.normalized === 'updated-at' && (f.operator === 'gt' || f.operator === 'gt_or_eq')) {
      throw new UsageError(
        `--filter "${f.source}" cannot be combined with --state, which sets the lower updated-at bound itself`,
        'FILTER',
      );
    }
    if (f.normalized === 'id' && f.sub === undefined) {
      const n = Number(f.value.trim());
      if (f.operator === 'gt' || f.operator === 'gt_or_eq') {
        const lo = f.operator === 'gt' ? n : n - 1;
        after = after === undefined ? lo : Math.max(after, lo);
        continue;
      }
      if (f.operator === 'lt' || f.operator === 'lt_or_eq') {
        const hi = f.operator === 'lt' ? n - 1 : n;
        upTo = upTo === undefined ? hi : Math.min(upTo, hi);
        continue;
      }
    }
    query.push(f.param);
  }
  if (since !== undefined) query.push(['updated-at[gt_or_eq]', since]);
  return { query, after, upTo };
}

/** The query with its id range, in id order (`asc`: the lowest first), one record: the range's first or last. */
export function edgeQuery(q: ExportQuery, dir: 'asc' | 'desc'): IndexQuery {
  const range: Array<readonly [string, string]> = [];
  if (q.after !== undefined) range.push(['id[gt]', String(q.after)]);
  if (q.upTo !== undefined) range.push(['id[lt_or_eq]', String(q.upTo)]);
  return [...q.query, ...range, ['order_by', 'id'], ['dir', dir], ['limit', '1']];
}
