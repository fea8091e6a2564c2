import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calendarDateInZone,
  formatInZone,
  isValidTimeZone,
  localToUtc,
  parseInstant,
  parseIsoDateTime,
  zonedMidnight,
} from '../../src/shared/time.js';

const LA = 'America/Los_Angeles';
const BERLIN = 'Europe/Berlin';

/** Reference offset straight from Intl, without any of our caching. */
function referenceLocal(instant: Date, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

describe('isValidTimeZone', () => {
  it.each([
    ['America/Los_Angeles', true],
    ['Europe/Berlin', true],
    ['UTC', true],
    ['Asia/Kolkata', true],
    ['Europe/Berln', false],
    ['', false],
    [' Europe/Berlin', false],
    ['Mars/Olympus_Mons', false],
  ])('%j -> %s', (tz, valid) => {
    expect(isValidTimeZone(tz)).toBe(valid);
  });
});

describe('zonedMidnight', () => {
  it.each([
    ['2026-03-01', LA, '2026-03-01T00:00:00-08:00'],
    ['2026-07-01', LA, '2026-07-01T00:00:00-07:00'],
    // DST days in Los Angeles: midnight is before the 02:00 switch.
    ['2026-03-08', LA, '2026-03-08T00:00:00-08:00'],
    ['2026-11-01', LA, '2026-11-01T00:00:00-07:00'],
    ['2026-03-29', BERLIN, '2026-03-29T00:00:00+01:00'],
    ['2026-10-25', BERLIN, '2026-10-25T00:00:00+02:00'],
    ['2026-01-15', 'UTC', '2026-01-15T00:00:00+00:00'],
    ['2026-01-15', 'Asia/Kolkata', '2026-01-15T00:00:00+05:30'],
    ['2024-02-29', 'Asia/Kathmandu', '2024-02-29T00:00:00+05:45'],
    // Zones whose DST starts at midnight: 00:00 does not exist, the day starts at 01:00.
    ['2025-09-07', 'America/Santiago', '2025-09-07T01:00:00-03:00'],
    ['2024-03-31', 'Asia/Beirut', '2024-03-31T01:00:00+03:00'],
  ])('%s in %s -> %s', (date, tz, expected) => {
    expect(zonedMidnight(date, tz)).toBe(expected);
    expect(calendarDateInZone(new Date(expected), tz)).toBe(date);
  });

  it('rejects text that is not YYYY-MM-DD', () => {
    expect(() => zonedMidnight('01/03/2026', LA)).toThrow(RangeError);
  });

  it('never shifts a date by a day (property, many zones)', () => {
    const zones = [
      LA,
      BERLIN,
      'UTC',
      'America/Santiago',
      'Asia/Beirut',
      'America/Havana',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'Asia/Kolkata',
      'Pacific/Kiritimati',
      'Pacific/Pago_Pago',
      'America/Sao_Paulo',
      'Asia/Tokyo',
    ];
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1950-01-01T00:00:00Z'),
          max: new Date('2100-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.constantFrom(...zones),
        (d, tz) => {
          const ymd = d.toISOString().slice(0, 10);
          const sent = zonedMidnight(ymd, tz);
          // What Coupa does: store the instant, return it formatted in the instance zone.
          const returned = formatInZone(new Date(sent), tz);
          expect(calendarDateInZone(new Date(returned), tz)).toBe(ymd);
          expect(sent.slice(0, 10)).toBe(ymd);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('formatInZone / calendarDateInZone', () => {
  it.each([
    ['2026-03-08T09:59:59Z', LA, '2026-03-08T01:59:59-08:00'],
    ['2026-03-08T10:00:00Z', LA, '2026-03-08T03:00:00-07:00'],
    ['2026-11-01T08:30:00Z', LA, '2026-11-01T01:30:00-07:00'],
    ['2026-11-01T09:30:00Z', LA, '2026-11-01T01:30:00-08:00'],
    ['2026-03-29T00:59:59Z', BERLIN, '2026-03-29T01:59:59+01:00'],
    ['2026-03-29T01:00:00Z', BERLIN, '2026-03-29T03:00:00+02:00'],
    ['2026-10-25T00:30:00Z', BERLIN, '2026-10-25T02:30:00+02:00'],
    ['2026-10-25T01:30:00Z', BERLIN, '2026-10-25T02:30:00+01:00'],
    ['2026-03-01T07:59:59Z', LA, '2026-02-28T23:59:59-08:00'],
  ])('%s in %s -> %s', (iso, tz, expected) => {
    expect(formatInZone(new Date(iso), tz)).toBe(expected);
    expect(calendarDateInZone(new Date(iso), tz)).toBe(expected.slice(0, 10));
  });

  it('agrees with Intl for random instants (the per-day offset cache is exact)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2060, 0, 1) }),
        fc.constantFrom(LA, BERLIN, 'Australia/Lord_Howe', 'America/Santiago', 'Asia/Kolkata'),
        (ms, tz) => {
          const instant = new Date(Math.floor(ms / 1000) * 1000);
          const ours = formatInZone(instant, tz);
          expect(ours.slice(0, 19)).toBe(referenceLocal(instant, tz));
          expect(new Date(ours).getTime()).toBe(instant.getTime());
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('is exact around every 2026 transition in Los Angeles and Berlin, second by second', () => {
    for (const [iso, tz] of [
      ['2026-03-08T10:00:00Z', LA],
      ['2026-11-01T09:00:00Z', LA],
      ['2026-03-29T01:00:00Z', BERLIN],
      ['2026-10-25T01:00:00Z', BERLIN],
    ] as const) {
      const at = Date.parse(iso);
      for (let s = -3; s <= 3; s++) {
        const instant = new Date(at + s * 1000);
        expect(formatInZone(instant, tz).slice(0, 19)).toBe(referenceLocal(instant, tz));
      }
    }
  });
});

describe('localToUtc (wall clock -> instant)', () => {
  const at = (y: number, mo: number, d: number, h: number, mi: number): number =>
    Date.UTC(y, mo - 1, d, h, mi);
  it.each([
    ['LA gap 02:30 moves forward to 03:30 PDT', at(2026, 3, 8, 2, 30), LA, '2026-03-08T03:30:00-07:00'],
    ['LA fold 01:30 takes the first (PDT)', at(2026, 11, 1, 1, 30), LA, '2026-11-01T01:30:00-07:00'],
    ['LA before the gap', at(2026, 3, 8, 1, 59), LA, '2026-03-08T01:59:00-08:00'],
    ['LA after the fold', at(2026, 11, 1, 2, 0), LA, '2026-11-01T02:00:00-08:00'],
    ['Berlin gap 02:30 -> 03:30 CEST', at(2026, 3, 29, 2, 30), BERLIN, '2026-03-29T03:30:00+02:00'],
    ['Berlin fold 02:30 takes CEST', at(2026, 10, 25, 2, 30), BERLIN, '2026-10-25T02:30:00+02:00'],
    ['Berlin summer', at(2026, 7, 1, 12, 0), BERLIN, '2026-07-01T12:00:00+02:00'],
  ])('%s', (_name, local, tz, expected) => {
    expect(formatInZone(new Date(localToUtc(local, tz)), tz)).toBe(expected);
  });
});

describe('parseIsoDateTime / parseInstant', () => {
  it.each([
    ['2026-03-01T10:15:30', true, undefined],
    ['2026-03-01 10:15', true, undefined],
    ['2026-03-01T10:15:30Z', true, 0],
    ['2026-03-01T10:15:30-08:00', true, -480],
    ['2026-03-01T10:15:30+0530', true, 330],
    ['2026-03-01T10:15:30.123+01:00', true, 60],
    ['2026-02-30T10:15:30', false, undefined],
    ['2026-03-01T25:00:00', false, undefined],
    ['2026-03-01T10:61:00', false, undefined],
    ['2026-03-01', false, undefined],
    ['yesterday', false, undefined],
  ])('%s', (text, ok, offsetMinutes) => {
    const parsed = parseIsoDateTime(text);
    expect(parsed !== undefined).toBe(ok);
    if (parsed !== undefined)
      expect(parsed.offsetMs === undefined ? undefined : parsed.offsetMs / 60000).toBe(offsetMinutes);
  });

  it('reads YYYY-MM-DDTHH:MM:SS (its own fast path) exactly as the general form with a fraction', () => {
    const two = (n: number): string => String(n).padStart(2, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.constantFrom('T', 't', ' '),
        (y, mo, d, h, mi, se, sep) => {
          const plain = `${String(y).padStart(4, '0')}-${two(mo)}-${two(d)}${sep}${two(h)}:${two(mi)}:${two(se)}`;
          expect(parseIsoDateTime(plain)).toEqual(parseIsoDateTime(`${plain}.000`));
        },
      ),
      { numRuns: 3000 },
    );
    expect(parseIsoDateTime('2026-03-01T10:15:30')).toEqual({
      localMs: Date.UTC(2026, 2, 1, 10, 15, 30),
      offsetMs: undefined,
    });
    expect(parseIsoDateTime('2026-03-01T24:00:00')?.localMs).toBe(Date.UTC(2026, 2, 2));
    expect(parseIsoDateTime('2026-03-01X10:15:30')).toBeUndefined();
    expect(parseIsoDateTime('2026-03-01T1a:15:30')).toBeUndefined();
  });

  it('reads bare dates and offset-less datetimes in the given zone', () => {
    expect(parseInstant('2026-03-01', LA)).toBe(Date.parse('2026-03-01T08:00:00Z'));
    expect(parseInstant('2026-03-01T00:00:00', BERLIN)).toBe(Date.parse('2026-02-28T23:00:00Z'));
    expect(parseInstant('2026-03-01T00:00:00-08:00', BERLIN)).toBe(Date.parse('2026-03-01T08:00:00Z'));
    expect(parseInstant('not a date', LA)).toBeUndefined();
  });
});
