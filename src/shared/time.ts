/**
 * Time-zone arithmetic on top of `Intl` (no dependency).
 *
 * Coupa stores a date field as a point in time, so a date is sent as midnight of that calendar date in the instance's
 * zone and read back as the calendar date of the returned instant in the same zone. Everything here works on UTC
 * milliseconds and zone offsets; formatters are cached per zone and offsets per UTC day, because the import calls
 * these for every date cell of every row.
 *
 * Offsets are used at whole-minute precision (floored): a few zones had second-level local mean time offsets before
 * ~1900, and an ISO 8601 offset cannot express seconds. Flooring keeps zone-midnight instants on the same calendar
 * day, and every function here uses the same floored offset, so values round-trip.
 */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const validity = new Map<string, boolean>();
/** Per zone: UTC day number -> the offset for the whole day, or the transition inside it. */
const dayOffsets = new Map<string, Map<number, number | TransitionDay>>();
const DAY_CACHE_LIMIT = 20_000;

/**
 * True when `tz` is an IANA time-zone name this runtime knows (e.g. `Europe/Berlin`, `UTC`).
 * @example isValidTimeZone('America/Los_Angeles') // true
 */
export function isValidTimeZone(tz: string): boolean {
  const known = validity.get(tz);
  if (known !== undefined) return known;
  let ok = false;
  if (tz.trim() !== '' && tz === tz.trim()) {
    try {
      formatterFor(tz);
      ok = true;
    } catch {
      ok = false;
    }
  }
  validity.set(tz, ok);
  return ok;
}

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Exact offset (ms, floored to the minute) of `tz` at the UTC instant `utcMs`, straight from Intl. */
function computeOffset(utcMs: number, tz: string): number {
  const parts = formatterFor(tz).formatToParts(new Date(utcMs));
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let bc = false;
  for (const part of parts) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
      case 'era':
        bc = part.value.startsWith('B');
        break;
      default:
        break;
    }
  }
  if (bc) year = 1 - year;
  const local = utcFromFields(year, month, day, hour, minute, second);
  const exact = local - (utcMs - (((utcMs % 1000) + 1000) % 1000));
  return Math.floor(exact / MINUTE_MS) * MINUTE_MS;
}

/** A UTC day with one offset transition: the offset before, after, and the first instant of the new offset. */
interface TransitionDay {
  before: number;
  after: number;
  at: number;
}

/**
 * Offset (ms) of `tz` at `utcMs`. Cached per UTC day: a day without a transition holds one number; a day with one
 * holds the transition instant (found once by bisection to the second), so DST days cost no Intl call either.
 */
export function offsetAt(utcMs: number, tz: string): number {
  let cache = dayOffsets.get(tz);
  if (cache === undefined) {
    cache = new Map();
    dayOffsets.set(tz, cache);
  }
  const dayNumber = Math.floor(utcMs / DAY_MS);
  let cached = cache.get(dayNumber);
  if (cached === undefined) {
    cached = describeDay(dayNumber * DAY_MS, tz);
    if (cache.size >= DAY_CACHE_LIMIT) cache.clear();
    cache.set(dayNumber, cached);
  }
  if (typeof cached === 'number') return cached;
  return utcMs < cached.at ? cached.before : cached.after;
}

function describeDay(start: number, tz: string): number | TransitionDay {
  const before = computeOffset(start, tz);
  const end = start + DAY_MS - 1000;
  const after = computeOffset(end, tz);
  if (before === after) return before;
  // Bisect (whole seconds) for the first instant with the new offset; assumes one transition per UTC day.
  let lo = start;
  let hi = end;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (computeOffset(mid, tz) === before) lo = mid;
    else hi = mid;
  }
  return { before, after, at: hi };
}

/** Date.UTC that also works for years 0..99 (Date.UTC maps them to 1900..1999). */
export function utcFromFields(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  ms = 0,
): number {
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year >= 0 && year < 100) {
    const d = new Date(t);
    d.setUTCFullYear(year);
    return d.getTime();
  }
  return t;
}

/**
 * The UTC instant at which the wall-clock time `localMs` (wall-clock fields encoded as if UTC) happens in `tz`.
 * Ambiguous times (a DST fold) resolve to the earlier instant; times in a DST gap move forward by the gap
 * (02:30 on a spring-forward night becomes 03:30), like Temporal's `compatible` disambiguation.
 */
export function localToUtc(localMs: number, tz: string): number {
  const before = offsetAt(localMs - DAY_MS, tz);
  const after = offsetAt(localMs + DAY_MS, tz);
  let best = Number.NaN;
  const t1 = localMs - before;
  if (offsetAt(t1, tz) === before) best = t1;
  if (after !== before) {
    const t2 = localMs - after;
    if (offsetAt(t2, tz) === after && (Number.isNaN(best) || t2 < best)) best = t2;
  }
  if (Number.isNaN(best)) {
    // No instant has this wall-clock time (a gap): read it with the offset in force before the gap.
    best = localMs - before;
  }
  return best;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function padYear(y: number): string {
  if (y >= 0 && y <= 9999) return String(y).padStart(4, '0');
  return (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0');
}

/** `±HH:MM` for an offset in ms. */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const total = Math.abs(offsetMs) / MINUTE_MS;
  return `${sign}${pad2(Math.floor(total / 60))}:${pad2(total % 60)}`;
}

/** Civil date of a day count since 1970-01-01 (H. Hinnant's algorithm: integer math, no Date object). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** `YYYY-MM-DD` of a wall-clock time encoded as UTC ms. */
export function formatYmd(localMs: number): string {
  const [y, m, d] = civilFromDays(Math.floor(localMs / DAY_MS));
  return `${padYear(y)}-${pad2(m)}-${pad2(d)}`;
}

/** `YYYY-MM-DDTHH:MM:SS` of a wall-clock time encoded as UTC ms. */
export function formatLocal(localMs: number): string {
  const days = Math.floor(localMs / DAY_MS);
  const secs = Math.floor((localMs - days * DAY_MS) / 1000);
  const hh = Math.floor(secs / 3600);
  const mm = Math.floor((secs % 3600) / 60);
  return `${formatYmd(localMs)}T${pad2(hh)}:${pad2(mm)}:${pad2(secs % 60)}`;
}

/**
 * Midnight of a calendar date in `tz`, as ISO 8601 with the zone's offset: how a date is sent to Coupa so that it
 * reads back as the same date. When midnight does not exist (a zone whose DST starts at 00:00), the first instant of
 * the day is used (e.g. `01:00` with the new offset), so the calendar date is kept.
 * @example zonedMidnight('2026-03-01', 'America/Los_Angeles') // '2026-03-01T00:00:00-08:00'
 */
export function zonedMidnight(dateYmd: string, tz: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateYmd);
  if (m === null) throw new RangeError(`not a YYYY-MM-DD date: ${dateYmd}`);
  const local = utcFromFields(Number(m[1]), Number(m[2]), Number(m[3]));
  return formatInZone(new Date(localToUtc(local, tz)), tz);
}

/** Same as {@link zonedMidnight} from numeric fields, without parsing a string (hot path of the import). */
export function zonedMidnightOf(year: number, month: number, day: number, tz: string): string {
  return wallClockToIso(utcFromFields(year, month, day), tz);
}

/**
 * The wall-clock time `localMs` (encoded as UTC ms) in `tz`, as ISO 8601 with the zone's offset; DST gaps move
 * forward, folds take the earlier instant (see {@link localToUtc}).
 */
export function wallClockToIso(localMs: number, tz: string): string {
  return isoInZone(localToUtc(localMs, tz), tz);
}

/**
 * An instant as ISO 8601 in `tz` with its offset, whole seconds.
 * @example formatInZone(new Date('2026-07-01T12:00:00Z'), 'Europe/Berlin') // '2026-07-01T14:00:00+02:00'
 */
export function formatInZone(instant: Date, tz: string): string {
  return isoInZone(instant.getTime(), tz);
}

/**
 * An instant (UTC ms) as ISO 8601 in `tz` with the zone's offset at that instant, whole seconds: how every date and
 * datetime is written, to Coupa and to export files.
 */
export function isoInZone(utcMs: number, tz: string): string {
  const offset = offsetAt(utcMs, tz);
  return formatWithOffset(utcMs + offset, offset);
}

/** `YYYY-MM-DDTHH:MM:SS±HH:MM`: the wall-clock time `localMs` (encoded as UTC ms) with the offset it has. */
export function formatWithOffset(localMs: number, offsetMs: number): string {
  return formatLocal(localMs) + formatOffset(offsetMs);
}

/**
 * The calendar date (`YYYY-MM-DD`) of an instant in `tz`.
 * @example calendarDateInZone(new Date('2026-03-01T08:00:00Z'), 'America/Los_Angeles') // '2026-03-01'
 */
export function calendarDateInZone(instant: Date, tz: string): string {
  const utc = instant.getTime();
  return formatYmd(utc + offsetAt(utc, tz));
}

/** Wall-clock time of an instant in `tz`, encoded as UTC ms (read it with getUTC* methods). */
export function wallClockInZone(utcMs: number, tz: string): number {
  return utcMs + offsetAt(utcMs, tz);
}

/**
 * Parses ISO 8601 `YYYY-MM-DD[T| ]HH:MM[:SS[.fff]]` with an optional `Z` / `±HH:MM` / `±HHMM` / `±HH` offset.
 * Returns the wall-clock fields as UTC ms and the offset in ms (`undefined` when the text has none), or `undefined`
 * when the text is not such a datetime or names an impossible date or time.
 */
export function parseIsoDateTime(
  text: string,
): { localMs: number; offsetMs: number | undefined } | undefined {
  if (isPlainDateTime(text)) {
    const d = (i: number): number => text.charCodeAt(i) - 48;
    return fromFields(
      d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3),
      d(5) * 10 + d(6),
      d(8) * 10 + d(9),
      d(11) * 10 + d(12),
      d(14) * 10 + d(15),
      d(17) * 10 + d(18),
      0,
      undefined,
    );
  }
  const m = ISO_DATETIME.exec(text);
  if (m === null) return undefined;
  let offsetMs: number | undefined;
  const z = m[8];
  if (z !== undefined) {
    if (z === 'Z' || z === 'z') {
      offsetMs = 0;
    } else {
      const om = /^([+-])(\d{2}):?(\d{2})?$/.exec(z);
      if (om === null) return undefined;
      const oh = Number(om[2]);
      const omin = om[3] === undefined ? 0 : Number(om[3]);
      if (oh > 23 || omin > 59) return undefined;
      offsetMs = (om[1] === '-' ? -1 : 1) * (oh * 60 + omin) * MINUTE_MS;
    }
  }
  return fromFields(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    m[6] === undefined ? 0 : Number(m[6]),
    m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000),
    offsetMs,
  );
}

/**
 * Exactly `YYYY-MM-DD[Tt ]HH:MM:SS`, the form of most datetime cells: read without the regular expression, which
 * was most of the cost of converting one.
 */
function isPlainDateTime(text: string): boolean {
  if (text.length !== 19) return false;
  for (let i = 0; i < 19; i++) {
    const c = text.charCodeAt(i);
    if (i === 4 || i === 7) {
      if (c !== 45) return false; // -
    } else if (i === 10) {
      if (c !== 84 && c !== 116 && c !== 32) return false; // T t space
    } else if (i === 13 || i === 16) {
      if (c !== 58) return false; // :
    } else if (c < 48 || c > 57) {
      return false;
    }
  }
  return true;
}

function fromFields(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  offsetMs: number | undefined,
): { localMs: number; offsetMs: number | undefined } | undefined {
  if (!isRealDate(year, month, day) || hour > 24 || minute > 59 || second > 59) return undefined;
  if (hour === 24 && (minute !== 0 || second !== 0 || ms !== 0)) return undefined;
  return { localMs: utcFromFields(year, month, day, hour, minute, second, ms), offsetMs };
}

const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Parses a Coupa datetime (ISO 8601, offset optional, or a bare `YYYY-MM-DD`) to UTC ms; bare values read in `tz`. */
export function parseInstant(text: string, tz: string): number | undefined {
  const dt = parseIsoDateTime(text);
  if (dt !== undefined) {
    return dt.offsetMs === undefined ? localToUtc(dt.localMs, tz) : dt.localMs - dt.offsetMs;
  }
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (d !== null && isRealDate(Number(d[1]), Number(d[2]), Number(d[3]))) {
    return localToUtc(utcFromFields(Number(d[1]), Number(d[2]), Number(d[3])), tz);
  }
  return undefined;
}

/** True for a real calendar date (31/02 is not). */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
