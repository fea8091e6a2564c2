// The simulator's own time helpers: it imports nothing from the client side (shared code would hide bugs).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Date.UTC, also for the years 0..99 (which Date.UTC reads as 1900..1999). */
function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  if (y >= 100) return t;
  const date = new Date(t);
  date.setUTCFullYear(y);
  return date.getTime();
}

/** Formats an instant (ms since epoch) as Coupa does: `YYYY-MM-DDTHH:MM:SS±HH:MM` in the zone `tz`. */
export function formatInstant(ms: number, tz: string): string {
  const seconds = Math.floor(ms / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatterFor(tz).formatToParts(new Date(seconds))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = utc(
    parts.year ?? 1970,
    parts.month ?? 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  // Offsets print in whole minutes; the local time is written from the printed offset, so that the text names the
  // same instant (local mean time offsets before the 1880s have seconds: -07:52:58 in Los Angeles).
  const offsetMin = Math.round((wall - seconds) / 60000);
  const local = new Date(seconds + offsetMin * 60000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * Parses an ISO 8601 date or datetime into ms since epoch, truncated to whole seconds (Coupa's precision).
 * A date without a time is midnight UTC, and so is a time without an offset: that is what Coupa does, and why a
 * bare `2026-03-01` reads back a day early in a zone west of UTC. With `localZone` (the `localTimes` variation),
 * a time without an offset is read as a wall time in that zone instead. Returns undefined when not a valid date.
 */
export function parseInstant(text: string, localZone?: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, , offset] = m;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs ?? 0);
  const mi = Number(mis ?? 0);
  const s = Number(ss ?? 0);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const wall = utc(y, mo, d, h, mi, s);
  if (!offset) return localZone !== undefined && hs !== undefined ? wallToInstant(wall, localZone) : wall;
  let offsetMin = 0;
  if (offset.toUpperCase() !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 14 || om > 59) return undefined;
    offsetMin = sign * (oh * 60 + om);
  }
  return wall - offsetMin * 60000;
}

/** The zone's offset from UTC at an instant, in ms (east positive). */
function offsetAt(ms: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(tz).formatToParts(new Date(Math.floor(ms / 1000) * 1000))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = utc(
    parts.year ?? 1970,
    parts.month ?? 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall time (given as if it were UTC) names in a zone. A wall time the clocks skip is read with the
 * offset before the change; one they repeat, as the earlier of the two (what Rails' Time.zone.parse does).
 */
function wallToInstant(wall: number, tz: string): number {
  const before = offsetAt(wall - 86_400_000, tz);
  const after = offsetAt(wall + 86_400_000, tz);
  const candidates = [wall - before, wall - after].filter((t) => t + offsetAt(t, tz) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  return wall - before;
}

function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}
