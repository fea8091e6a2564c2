import { describe, expect, it } from 'vitest';
import type { ObjectInstance } from '../../src/coupa/types.js';
import {
  contradictedOffset,
  describeZoneMismatch,
  instanceOffsets,
  zonesWithOffsets,
} from '../../src/run/index.js';

function record(created: unknown, updated: unknown = created): ObjectInstance {
  return { id: 7, 'created-at': created, 'updated-at': updated, 'custom-fields': {} } as ObjectInstance;
}
const HOUR = 3_600_000;

describe('the instance offset a record reports', () => {
  it('reads created-at and updated-at with their offsets; none without an offset or a record', () => {
    const seen = instanceOffsets(record('2026-01-05T09:12:00-08:00', '2026-07-01T10:00:00-07:00'));
    expect(seen.map((o) => [o.attribute, o.offsetMs])).toEqual([
      ['created-at', -8 * HOUR],
      ['updated-at', -7 * HOUR],
    ]);
    expect(seen[0]?.instant).toBe(Date.parse('2026-01-05T17:12:00Z'));
    expect(instanceOffsets(record('2026-01-05T09:12:00', null))).toEqual([]);
    expect(instanceOffsets(undefined)).toEqual([]);
  });

  it('a zone is contradicted when its offset at that instant differs (DST included)', () => {
    const seen = instanceOffsets(record('2026-01-05T09:12:00-08:00', '2026-07-01T10:00:00-07:00'));
    expect(contradictedOffset(seen, 'America/Los_Angeles')).toBeUndefined();
    expect(contradictedOffset(seen, 'America/Phoenix')?.attribute).toBe('created-at'); // -07:00 all year
    expect(contradictedOffset(seen, 'UTC')?.offsetMs).toBe(-8 * HOUR);
    expect(contradictedOffset(instanceOffsets(record('2026-01-05T09:12:00+00:00')), 'UTC')).toBeUndefined();
    expect(contradictedOffset(instanceOffsets(record('2026-01-05T09:12:00Z')), 'UTC')).toBeUndefined();
  });

  it('suggests the zones that have the offset, most populous first, matching every instant seen', () => {
    const winter = Date.parse('2026-01-05T17:00:00Z');
    const summer = Date.parse('2026-07-05T17:00:00Z');
    expect(zonesWithOffsets([{ offsetMs: -8 * HOUR, instant: winter }])).toEqual([
      'America/Los_Angeles',
      'America/Vancouver',
      'America/Tijuana',
    ]);
    // -07:00 in July: Los Angeles (PDT) and Phoenix (MST all year); both seasons seen: Los Angeles, not Phoenix.
    expect(zonesWithOffsets([{ offsetMs: -7 * HOUR, instant: summer }]).slice(0, 2)).toEqual([
      'America/Los_Angeles',
      'America/Phoenix',
    ]);
    expect(
      zonesWithOffsets([
        { offsetMs: -8 * HOUR, instant: winter },
        { offsetMs: -7 * HOUR, instant: summer },
      ]),
    ).not.toContain('America/Phoenix');
    expect(zonesWithOffsets([{ offsetMs: 5.5 * HOUR, instant: winter }])[0]).toBe('Asia/Kolkata');
    // An offset no popular zone has: any zone that has it.
    expect(zonesWithOffsets([{ offsetMs: 8.75 * HOUR, instant: winter }])).toEqual(['Australia/Eucla']);
  });

  it('says what was seen and how to set the zone', () => {
    const seen = instanceOffsets(record('2026-01-05T09:12:00-08:00'));
    const first = seen[0];
    if (!first) throw new Error('no offset');
    const none = describeZoneMismatch(first, seen, 'UTC', undefined);
    expect(none.message).toContain('no time zone is set');
    expect(none.message).toContain("record 7's created-at is 2026-01-05T09:12:00-08:00");
    expect(none.message).toContain('--timezone, COUPA_TIMEZONE or "timezone:" in the mapping');
    expect(none.zones[0]).toBe('America/Los_Angeles');
    const wrong = describeZoneMismatch(first, seen, 'Europe/Berlin', '--timezone');
    expect(wrong.message).toContain('the time zone Europe/Berlin (--timezone) has UTC offset +01:00');
  });
});
