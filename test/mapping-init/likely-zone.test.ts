import { describe, expect, it } from 'vitest';
import { likelyZone } from '../../src/mapping-init/index.js';
import { zonesWithOffsets } from '../../src/run/index.js';

const H = 3_600_000;
const at = (iso: string, offsetH: number): { instant: number; offsetMs: number } => ({
  instant: Date.parse(iso),
  offsetMs: offsetH * H,
});

describe('likelyZone: the instance zone from the offsets its records carry', () => {
  it('the common zone that has the offset at that instant, with the other candidates', () => {
    expect(likelyZone([at('2026-01-05T17:30:00Z', -8)])).toMatchObject({
      zone: 'America/Los_Angeles',
      offset: '-08:00',
    });
    expect(likelyZone([at('2026-01-05T17:30:00Z', -8)])?.candidates).toContain('America/Vancouver');
    // In summer Los Angeles is at -07:00: still the first choice over Phoenix (which is -07:00 all year).
    expect(likelyZone([at('2026-07-05T17:30:00Z', -7)])?.zone).toBe('America/Los_Angeles');
    expect(likelyZone([at('2026-01-05T17:30:00Z', -7)])?.zone).toBe('America/Denver');
    expect(likelyZone([at('2026-01-05T17:30:00Z', -5)])?.zone).toBe('America/New_York');
    expect(likelyZone([at('2026-01-05T17:30:00Z', 1)])?.zone).toBe('Europe/Berlin');
    expect(likelyZone([at('2026-01-05T17:30:00Z', 5.75)])?.zone).toBe('Asia/Kathmandu');
  });

  it('+00:00 is Europe/London in winter, UTC in summer (London is +01:00 then)', () => {
    expect(likelyZone([at('2026-01-05T12:00:00Z', 0)])?.zone).toBe('Europe/London');
    expect(likelyZone([at('2026-07-05T12:00:00Z', 0)])?.zone).toBe('UTC');
  });

  it('offsets from several seasons rule out the zones that do not change their clocks alike', () => {
    // -08:00 in January alone fits Pacific/Pitcairn too; with -07:00 in July only the Pacific DST zones stay.
    const winterOnly = likelyZone([at('2026-01-05T12:00:00Z', -8)], 50)?.candidates ?? [];
    expect(winterOnly).toContain('Pacific/Pitcairn');
    const both =
      likelyZone([at('2026-01-05T12:00:00Z', -8), at('2026-07-05T12:00:00Z', -7)], 50)?.candidates ?? [];
    expect(both[0]).toBe('America/Los_Angeles');
    expect(both).not.toContain('Pacific/Pitcairn');
    expect(both).not.toContain('America/Phoenix');
  });

  it('nothing seen, or an offset no zone has: undefined', () => {
    expect(likelyZone([])).toBeUndefined();
    expect(
      likelyZone([{ instant: Date.parse('2026-01-05T12:00:00Z'), offsetMs: 17 * 60_000 }]),
    ).toBeUndefined();
  });

  it('ranks the business centres first (the one table the run layer also suggests from)', () => {
    expect(likelyZone([at('2026-01-05T12:00:00Z', 1)], 3)?.candidates).toEqual([
      'Europe/Berlin',
      'Europe/Paris',
      'Europe/Amsterdam',
    ]);
    expect(likelyZone([at('2026-07-05T12:00:00Z', -7)], 3)?.candidates[0]).toBe('America/Los_Angeles');
    expect(zonesWithOffsets([at('2026-01-05T12:00:00Z', 1)], 1)).toEqual(['Europe/Berlin']);
  });
});
