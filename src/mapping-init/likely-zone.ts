import { zonesWithOffsets } from '../run/index.js';
import { formatOffset } from '../shared/index.js';

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
  /** The offset of the first observation, as `-08:00`. */
  offset: string;
}

/**
 * The most likely IANA zone of an instance that reported `seen` offsets: the zones that had each offset at its
 * instant, ranked as the run layer ranks its suggestions (`zonesWithOffsets`: the zones Coupa customers are likely
 * in first). Undefined when nothing was seen or no zone fits.
 * @example likelyZone([{ instant: Date.parse('2026-01-05T17:30:00Z'), offsetMs: -8 * 3600e3 }])?.zone // 'America/Los_Angeles'
 */
export function likelyZone(seen: readonly OffsetSeen[], max = 3): LikelyZoneResult | undefined {
  const first = seen[0];
  if (first === undefined) return undefined;
  const candidates = zonesWithOffsets(seen, max);
  const zone = candidates[0];
  if (zone === undefined) return undefined;
  return { zone, candidates, offset: formatOffset(first.offsetMs) };
}
