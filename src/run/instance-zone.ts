import type { ObjectInstance } from '../coupa/index.js';
import { isValidTimeZone, formatOffset, offsetAt, parseIsoDateTime } from '../shared/index.js';

/** An offset the instance reported: in which attribute of which record, the text, the instant and its offset. */
export interface InstanceOffset {
  recordId: number;
  attribute: 'created-at' | 'updated-at';
  text: string;
  /** UTC ms. */
  instant: number;
  offsetMs: number;
}

/**
 * The UTC offsets a record's own timestamps carry (`created-at`, `updated-at`): Coupa writes them in the instance's
 * zone (`2026-01-05T09:12:00-08:00`). Empty when the record has none that carries an offset.
 */
export function instanceOffsets(record: ObjectInstance | undefined): InstanceOffset[] {
  if (!record) return [];
  const out: InstanceOffset[] = [];
  for (const attribute of ['created-at', 'updated-at'] as const) {
    const text = record[attribute];
    if (typeof text !== 'string') continue;
    const dt = parseIsoDateTime(text.trim());
    if (dt?.offsetMs === undefined) continue;
    out.push({
      recordId: record.id,
      attribute,
      text,
      instant: dt.localMs - dt.offsetMs,
      offsetMs: dt.offsetMs,
    });
  }
  return out;
}

/** The first offset seen that `timezone` does not give at its instant, or undefined when every one agrees. */
export function contradictedOffset(
  seen: readonly InstanceOffset[],
  timezone: string,
): InstanceOffset | undefined {
  return seen.find((o) => offsetAt(o.instant, timezone) !== o.offsetMs);
}

/**
 * Zones in the order a Coupa customer's instance is likely to be set to, by offset: the business centres first
 * (America/Los_Angeles before America/Phoenix and America/Vancouver at -07:00 in summer; Europe/London before UTC at
 * +00:00 in winter, UTC alone in summer; Europe/Berlin first at +01:00), then other populous zones. So the
 * suggestions for an offset start with the likely one (-08:00: America/Los_Angeles, not Pacific/Pitcairn).
 */
const LIKELY_ZONES = [
  'America/Los_Angeles',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'Europe/London',
  'Europe/Berlin',
  'UTC',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Asia/Shanghai',
  'Asia/Singapore',
  'Australia/Sydney',
  'America/Sao_Paulo',
  'America/Mexico_City',
  'America/Toronto',
  'America/Phoenix',
  'America/Vancouver',
  'America/Tijuana',
  'America/Edmonton',
  'America/Winnipeg',
  'America/Halifax',
  'America/St_Johns',
  'America/Anchorage',
  'Pacific/Honolulu',
  'America/Bogota',
  'America/Lima',
  'America/Santiago',
  'America/Argentina/Buenos_Aires',
  'America/Caracas',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Amsterdam',
  'Europe/Brussels',
  'Europe/Zurich',
  'Europe/Vienna',
  'Europe/Madrid',
  'Europe/Rome',
  'Europe/Stockholm',
  'Europe/Oslo',
  'Europe/Copenhagen',
  'Europe/Warsaw',
  'Europe/Prague',
  'Europe/Budapest',
  'Africa/Lagos',
  'Africa/Johannesburg',
  'Europe/Helsinki',
  'Europe/Athens',
  'Europe/Bucharest',
  'Europe/Kyiv',
  'Africa/Cairo',
  'Asia/Jerusalem',
  'Europe/Istanbul',
  'Europe/Moscow',
  'Asia/Riyadh',
  'Africa/Nairobi',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Kathmandu',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Jakarta',
  'Asia/Ho_Chi_Minh',
  'Asia/Hong_Kong',
  'Asia/Manila',
  'Asia/Taipei',
  'Australia/Perth',
  'Asia/Seoul',
  'Australia/Adelaide',
  'Australia/Darwin',
  'Australia/Brisbane',
  'Australia/Melbourne',
  'Pacific/Auckland',
  'Asia/Tehran',
  'Asia/Kuala_Lumpur',
  'Africa/Casablanca',
  'America/Puerto_Rico',
  'America/Guatemala',
  'America/Panama',
  'America/Montevideo',
  'America/La_Paz',
  'Asia/Colombo',
  'Asia/Kabul',
  'Asia/Almaty',
  'Asia/Tashkent',
  'Asia/Yangon',
  'Asia/Yekaterinburg',
  'Asia/Novosibirsk',
  'Asia/Vladivostok',
  'Pacific/Fiji',
  'Atlantic/Azores',
  'Atlantic/Cape_Verde',
  'America/Noronha',
  'America/Nuuk',
  'Africa/Accra',
  'Asia/Tbilisi',
  'Asia/Baku',
  'Indian/Mauritius',
  'Pacific/Guam',
  'Pacific/Tongatapu',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Pacific/Marquesas',
  'Pacific/Chatham',
];

/**
 * A few IANA zones that give every offset `seen` at its instant (the instance's zone is likely one of them), the
 * likely ones first ({@link LIKELY_ZONES}), then the runtime's other zones in name order. Several instants across
 * the year tell daylight-saving zones from fixed ones.
 * @example zonesWithOffsets([{ offsetMs: -8 * 3600_000, instant: Date.parse('2026-01-05T17:00:00Z') }])
 *   // ['America/Los_Angeles', 'America/Vancouver', 'America/Tijuana']
 */
export function zonesWithOffsets(
  seen: ReadonlyArray<Pick<InstanceOffset, 'offsetMs' | 'instant'>>,
  max = 3,
): string[] {
  // A handful of instants is enough to rule zones out; the pages read can hold hundreds of the same day.
  const distinct = new Map<string, Pick<InstanceOffset, 'offsetMs' | 'instant'>>();
  for (const s of seen) distinct.set(`${Math.floor(s.instant / 86_400_000)}|${s.offsetMs}`, s);
  const checks = [...distinct.values()].slice(0, 50);
  const fits = (zone: string): boolean =>
    isValidTimeZone(zone) && checks.every((o) => offsetAt(o.instant, zone) === o.offsetMs);
  const out: string[] = [];
  const take = (zones: readonly string[]): void => {
    for (const zone of zones) {
      if (out.length >= max) return;
      if (!out.includes(zone) && fits(zone)) out.push(zone);
    }
  };
  take(LIKELY_ZONES);
  if (out.length < max) {
    const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
    take(
      (intl.supportedValuesOf?.('timeZone') ?? [])
        .filter((z) => z.includes('/') && !z.startsWith('Etc/'))
        .sort(),
    );
  }
  return out;
}

/**
 * Why dates would be stored shifted, in words: the offset the instance reported (where), what the run's zone gives
 * there, and how to set the zone, with suggestions.
 */
export function describeZoneMismatch(
  seen: InstanceOffset,
  all: readonly InstanceOffset[],
  timezone: string,
  setBy: string | undefined,
): { message: string; zones: string[] } {
  const zones = zonesWithOffsets(all.filter((o) => o.recordId === seen.recordId));
  const instanceOffset = formatOffset(seen.offsetMs);
  const ours = formatOffset(offsetAt(seen.instant, timezone));
  const what =
    setBy === undefined
      ? `no time zone is set, so dates would be sent as UTC (${ours}), but the instance reports UTC offset ${instanceOffset}`
      : `the time zone ${timezone} (${setBy}) has UTC offset ${ours} at that time, but the instance reports ${instanceOffset}`;
  const how =
    `set the instance's zone with --timezone, COUPA_TIMEZONE or "timezone:" in the mapping` +
    (zones.length > 0 ? ` (zones at ${instanceOffset}: ${zones.join(', ')})` : '');
  return {
    message: `${what} (record ${seen.recordId}'s ${seen.attribute} is ${seen.text}): dates would be stored shifted; ${how}`,
    zones,
  };
}
