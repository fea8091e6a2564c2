// Injected faults (5xx, extra 429s, dropped connections), drawn from one seeded PRNG so a run can be replayed.
// The order of the draws is part of the contract: the same seed gives the same faults in the same request order.
import { SeededRandom } from './limits.js';
import { checkNumber } from './options.js';
import type { SimFaults } from './types.js';

export const DEFAULT_FAULTS: SimFaults = {
  error5xx: 0,
  extra429: 0,
  dropAfterStore: 0,
  dropBeforeStore: 0,
  seed: 1,
};

/** A 5xx answer to give instead of handling the request. */
export interface ServerFault {
  status: 500 | 502 | 503;
  /** An HTML page (a proxy's) instead of Coupa's error body. */
  html: boolean;
}

/** The current faults and the PRNG they are drawn from. */
export class FaultInjector {
  private faults: SimFaults;
  private random: SeededRandom;

  constructor(initial: Partial<SimFaults>) {
    this.faults = mergeFaults(DEFAULT_FAULTS, initial);
    this.random = new SeededRandom(this.faults.seed);
  }

  get current(): SimFaults {
    return this.faults;
  }

  /** Changes the faults given; a seed restarts the sequence. */
  set(partial: Partial<SimFaults>): void {
    this.faults = mergeFaults(this.faults, partial);
    if (partial.seed !== undefined) this.random = new SeededRandom(this.faults.seed);
  }

  extra429(): boolean {
    return this.random.chance(this.faults.extra429);
  }

  error5xx(): ServerFault | undefined {
    if (!this.random.chance(this.faults.error5xx)) return undefined;
    const status = ([500, 502, 503] as const)[Math.floor(this.random.next() * 3)] ?? 500;
    return { status, html: this.random.next() < 0.5 };
  }

  dropBeforeStore(): boolean {
    return this.random.chance(this.faults.dropBeforeStore);
  }

  dropAfterStore(): boolean {
    return this.random.chance(this.faults.dropAfterStore);
  }

  /** A fair coin from the same sequence (Retry-After on about half of the 429s). */
  coin(): boolean {
    return this.random.next() < 0.5;
  }
}

function mergeFaults(base: SimFaults, partial: Partial<SimFaults>): SimFaults {
  const out = { ...base };
  for (const key of ['error5xx', 'extra429', 'dropAfterStore', 'dropBeforeStore'] as const) {
    const v = partial[key];
    if (v !== undefined) {
      checkNumber(v, `faults.${key}`, 0, 1);
      out[key] = v;
    }
  }
  if (partial.seed !== undefined) {
    checkNumber(partial.seed, 'faults.seed', -Infinity, Infinity);
    out.seed = partial.seed;
  }
  return out;
}

/** Faults from untyped input (a control request's body): unknown keys and non-numbers refused. */
export function parseFaults(raw: unknown): Partial<SimFaults> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new RangeError('faults must be an object');
  const out: Partial<SimFaults> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(key in DEFAULT_FAULTS)) {
      throw new RangeError(`unknown fault "${key}" (known: ${Object.keys(DEFAULT_FAULTS).join(', ')})`);
    }
    if (value === undefined) continue;
    if (typeof value !== 'number') throw new RangeError(`faults.${key} must be a number`);
    out[key as keyof SimFaults] = value;
  }
  return out;
}
