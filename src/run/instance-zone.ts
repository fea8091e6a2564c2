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
 * Zones most people who run Coupa instances live in, most populous first (by the metropolitan areas they hold), so
 * that the suggestions for an offset start with the likely one (-08:00: America/Los_Angeles, not Pacific/Pitcairn).
 */
const POPULAR_ZONES = [
  'Asia/Shanghai',
  'Asia/Kolkata',
  'America/New_York',
  'Asia/Tokyo',
  'Asia/Jakarta',
  'America/Sao_Paulo',
  'America/Mexico_City',
  'Europe/London',
  'Europe/Paris',
  'Europe/Berlin',
  'America/Chicago',
  'America/Los_Angeles',
  'Asia/Dhaka',
  'Africa/Cairo',
  'Asia/Karachi',
  'Asia/Manila',
  'Europe/Moscow',
  'Africa/Lagos',
  'Europe/Istanbul',
  'Asia/Bangkok',
  'Asia/Seoul',
  'Asia/Tehran',
  'America/Bogota',
  'America/Lima',
  'Asia/Ho_Chi_Minh',
  'Asia/Hong_Kong',
  'Europe/Madrid',
  'Europe/Rome',
  'Asia/Riyadh',
  'Africa/Johannesburg',
  'Asia/Singapore',
  'America/Argentina/Buenos_Aires',
  'Africa/Nairobi',
  'Asia/Kuala_Lumpur',
  'America/Toronto',
  'Australia/Sydney',
  'Asia/Dubai',
  'Asia/Taipei',
  'America/Santiago',
  'Europe/Warsaw',
  'Europe/Amsterdam',
  'Europe/Kyiv',
  'Africa/Casablanca',
  'America/Caracas',
  'Australia/Melbourne',
  'America/Denver',
  'America/Phoenix',
  'Europe/Athens',
  'Europe/Bucharest',
  'Europe/Lisbon',
  'Europe/Dublin',
  'Europe/Zurich',
  'Europe/Stockholm',
  'America/Vancouver',
  'America/Tijuana',
  'America/Edmonton',
  'America/Winnipeg',
  'America/Halifax',
  'America/St_Johns',
  'America/Anchorage',
  'Pacific/Honolulu',
  'America/Puerto_Rico',
  'America/Guatemala',
  'America/Panama',
  'America/Montevideo',
  'America/La_Paz',
  'Asia/Kathmandu',
  'Asia/Colombo',
  'Asia/Kabul',
  'Asia/Almaty',
  'Asia/Tashkent',
  'Asia/Yangon',
  'Asia/Yekaterinburg',
  'Asia/Novosibirsk',
  'Asia/Vladivostok',
  'Australia/Perth',
  'Australia/Brisbane',
  'Australia/Adelaide',
  'Australia/Darwin',
  'Pacific/Auckland',
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
  'UTC',
];

/**
 * A few IANA zones that give every offset `seen` at its instant (the instance's zone is likely one of them), most
 * populous first; zones outside that list only when none in it fits.
 * @example zonesWithOffsets([{ offsetMs: -8 * 3600_000, instant: Date.parse('2026-01-05T17:00:00Z'), ... }])
 *   // ['America/Los_Angeles', 'America/Vancouver', 'America/Tijuana']
 */
export function zonesWithOffsets(
  seen: ReadonlyArray<Pick<InstanceOffset, 'offsetMs' | 'instant'>>,
  max = 3,
): string[] {
  const fits = (zone: string): boolean =>
    isValidTimeZone(zone) && seen.every((o) => offsetAt(o.instant, zone) === o.offsetMs);
  const out = POPULAR_ZONES.filter(fits).slice(0, max);
  if (out.length > 0 || seen.length === 0) return out;
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  for (const zone of intl.supportedValuesOf?.('timeZone') ?? []) {
    if (!zone.includes('/') || zone.startsWith('Etc/')) continue;
    if (fits(zone)) out.push(zone);
    if (out.length >= max) break;
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
