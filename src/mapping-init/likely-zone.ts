import { formatOffset, offsetAt } from '../shared/index.js';

/** An offset the instance reported at an instant (a record's `created-at`). */
export interface OffsetSeen {
  instant: number;
  offsetMs: number;
  /** Where it was read, for the comment: `record 17's created-at`. */
  where?: string;
  text?: string;
}

export interface LikelyZoneResult {
  /** The zone to write: the first of `candidates`. */
  zone: string;
  /** Zones that have every offset seen at its instant, the most likely first (at most `max`). */
  candidates: string[];
  /** The offset of the newest observation, as `-08:00`. */
  offset: string;
}

/**
 * Zones in the order a Coupa customer's instance is likely to be set to, by offset: the business centres first
 * (America/Los_Angeles before America/Vancouver and America/Phoenix at -07:00 in summer; Europe/London before UTC
 * at +00:00 in winter, UTC alone in summer). Zones the list lacks come after it, from the runtime's list.
 */
const COMMON_ZONES = [
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
  'America/Vancouver',
  'America/Phoenix',
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
];

/**
 * The most likely IANA zone of an instance that reported `seen` offsets: the zones that had each offset at its
 * instant (several instants across the year tell daylight-saving zones from fixed ones), ranked by how common
 * they are. Undefined when nothing was seen or no zone fits.
 * @example likelyZone([{ instant: Date.parse('2026-01-05T17:30:00Z'), offsetMs: -8 * 3600e3 }])?.zone // 'America/Los_Angeles'
 */
export function likelyZone(seen: readonly OffsetSeen[], max = 3): LikelyZoneResult | undefined {
  const first = seen[0];
  if (first === undefined) return undefined;
  // A handful of instants is enough to rule zones out; the pages read can hold hundreds of the same day.
  const distinct = new Map<string, OffsetSeen>();
  for (const s of seen) distinct.set(`${Math.floor(s.instant / 86_400_000)}|${s.offsetMs}`, s);
  const checks = [...distinct.values()].slice(0, 50);
  const fits = (zone: string): boolean => {
    try {
      return checks.every((s) => offsetAt(s.instant, zone) === s.offsetMs);
    } catch {
      return false;
    }
  };
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  const known = new Set(intl.supportedValuesOf?.('timeZone') ?? []);
  const rest = [...known].filter((z) => z.includes('/') && !z.startsWith('Etc/')).sort();
  const candidates: string[] = [];
  for (const zone of [...COMMON_ZONES, ...rest]) {
    if (candidates.includes(zone)) continue;
    if (fits(zone)) candidates.push(zone);
    if (candidates.length >= max) break;
  }
  const zone = candidates[0];
  if (zone === undefined) return undefined;
  return { zone, candidates, offset: formatOffset(first.offsetMs) };
}
