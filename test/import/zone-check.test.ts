import { describe, expect, it } from 'vitest';
import type { ObjectInstance } from '../../src/coupa/types.js';
import { ZoneCheck } from '../../src/import/zone-check.js';

function record(id: number, at: string | undefined): ObjectInstance {
  return { id, 'created-at': at, 'updated-at': at, 'custom-fields': {} } as ObjectInstance;
}
const LA_WINTER = '2026-01-15T10:00:00-08:00';

describe('ZoneCheck', () => {
  it('no dates written: nothing checked, nothing probed', () => {
    const check = new ZoneCheck({ timezone: 'UTC', zoneSetBy: undefined, writesDates: false });
    check.checkPreflight(record(1, LA_WINTER));
    check.checkPreflight(undefined);
    expect(check.probing()).toBe(false);
  });

  it('a preflight record whose offset the run zone does not give: TIMEZONE, exit 2, nothing sent', () => {
    const check = new ZoneCheck({ timezone: 'UTC', zoneSetBy: undefined, writesDates: true });
    expect(() => check.checkPreflight(record(1, LA_WINTER))).toThrowError(
      expect.objectContaining({ code: 'TIMEZONE', exitCode: 2 }) as Error,
    );
    expect(() => check.checkPreflight(record(1, LA_WINTER))).toThrow(/Nothing was sent/);
    const right = new ZoneCheck({
      timezone: 'America/Los_Angeles',
      zoneSetBy: '--timezone',
      writesDates: true,
    });
    right.checkPreflight(record(1, LA_WINTER));
    expect(right.probing()).toBe(false);
    new ZoneCheck({ timezone: 'UTC', zoneSetBy: undefined, writesDates: true }).checkPreflight(
      record(1, '2026-01-15T10:00:00+00:00'),
    );
  });

  it('an empty object (or no offset to read): probes the first stored record; a shifted one stops the run', () => {
    const check = new ZoneCheck({ timezone: 'UTC', zoneSetBy: undefined, writesDates: true });
    check.checkPreflight(undefined);
    expect(check.probing()).toBe(true);
    const verdict = check.checkStored(2, record(41, LA_WINTER));
    expect(check.probing()).toBe(false);
    expect(verdict?.extra.code).toBe('date-shifted');
    expect(verdict?.stop).toMatchObject({ code: 'TIMEZONE', exitCode: 2 });
    expect(verdict?.stop.zones?.[0]).toBe('America/Los_Angeles');
    expect(verdict?.stop.message).toContain('Line 2 was stored first, to learn the offset (record 41');
    // Learned once: later records are not checked again.
    expect(check.checkStored(3, record(42, LA_WINTER))).toBeUndefined();

    const ok = new ZoneCheck({ timezone: 'America/Los_Angeles', zoneSetBy: undefined, writesDates: true });
    ok.checkPreflight(record(1, undefined));
    expect(ok.probing()).toBe(true);
    expect(ok.checkStored(2, record(41, LA_WINTER))).toBeUndefined();
    expect(ok.probing()).toBe(false);
  });
});
