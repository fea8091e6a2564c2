import type { ObjectInstance } from '../coupa/index.js';
import type { ExportIssues, FieldSpec, Mapping } from '../mapping/index.js';
import { UsageError } from '../shared/index.js';
import { contradictedOffset, instanceOffsets, zonesWithOffsets } from '../run/index.js';
import { formatOffset, formatYmd, offsetAt, parseIsoDateTime } from '../shared/index.js';

/**
 * A record whose date fields hold the calendar date they carry in their own offset (`2026-02-28T00:00:00+09:00`
 * becomes `2026-02-28`), so that a mapped export writes the instance's calendar date whatever zone is set: Coupa
 * stores a date as midnight in the instance's zone and says which offset that was. A value without an offset is
 * left as it is. When `issues` is given, a date whose offset is not `timezone`'s is noted there, as the mapping's
 * export notes it (used when no zone was set: the datetimes may still be off).
 */
export function withOwnCalendarDates(
  record: ObjectInstance,
  dateSpecs: readonly FieldSpec[],
  timezone: string,
  issues?: ExportIssues,
): ObjectInstance {
  const raw: unknown = record['custom-fields'];
  if (raw === null || typeof raw !== 'object') return record;
  const fields = raw as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const spec of dateSpecs) {
    const name = Object.hasOwn(fields, spec.field) ? spec.field : spec.field.replace(/-/g, '_');
    const value = fields[name];
    if (typeof value !== 'string') continue;
    const dt = parseIsoDateTime(value.trim());
    if (dt?.offsetMs === undefined) continue;
    if (issues && offsetAt(dt.localMs - dt.offsetMs, timezone) !== dt.offsetMs)
      issues.add(spec, 'other-offset', record.id, value);
    copy ??= { ...fields };
    copy[name] = formatYmd(dt.localMs);
  }
  return copy ? { ...record, 'custom-fields': copy } : record;
}

/** The mapping's date fields. */
export function dateSpecsOf(mapping: Mapping | undefined): FieldSpec[] {
  return mapping?.fields.filter((f) => f.type === 'date') ?? [];
}

/**
 * Refuses a time zone that was set (flag, environment or mapping) but contradicts the offset the instance reports
 * in a record's own datetimes (`created-at`, `updated-at`): the export would write its datetimes, and read its date
 * filters, in the wrong zone. Throws UsageError TIMEZONE (exit 2, before anything is written) naming the offset seen
 * and the zones that have it.
 */
export function checkInstanceZone(record: ObjectInstance | undefined, timezone: string, setBy: string): void {
  const seen = instanceOffsets(record);
  const wrong = contradictedOffset(seen, timezone);
  if (!wrong) return;
  const zones = zonesWithOffsets(seen, 5);
  throw new UsageError(
    `the time zone ${timezone} (${setBy}) has UTC offset ${formatOffset(offsetAt(wrong.instant, timezone))}, but the ` +
      `instance reports ${formatOffset(wrong.offsetMs)} (record ${wrong.recordId}'s ${wrong.attribute} is ${wrong.text}): ` +
      `dates and times would be read and written in the wrong zone. Set --timezone (or COUPA_TIMEZONE, or the ` +
      `mapping's timezone:) to the instance's zone${zones.length > 0 ? `, e.g. ${zones.join(', ')}` : ''}`,
    'TIMEZONE',
  );
}
