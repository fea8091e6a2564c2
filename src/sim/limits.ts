/**
 * Coupa's rate limit as a leaky bucket: requests leave at `rate` per second; a request that cannot leave at once
 * waits in a queue of at most `depth` requests; a request that finds the queue full is refused (429).
 */
export class LeakyBucket {
  private nextFree = 0;
  private waiting = 0;
  /** Most requests waiting at once so far. */
  queuedMax = 0;

  constructor(
    private readonly rate: number,
    private readonly depth: number,
  ) {}

  /** Resolves true when the request may proceed (after waiting its turn), false when it must get a 429. */
  async admit(): Promise<boolean> {
    if (!(this.rate > 0) || this.rate === Infinity) return true;
    const now = performance.now();
    const start = Math.max(now, this.nextFree);
    const wait = start - now;
    if (wait > 0 && this.waiting >= this.depth) return false;
    this.nextFree = start + 1000 / this.rate;
    if (wait <= 0) return true;
    this.waiting++;
    this.queuedMax = Math.max(this.queuedMax, this.waiting);
    try {
      await sleep(wait);
    } finally {
      this.waiting--;
    }
    return true;
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same faults in the same request order. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** True with probability `fraction` (no draw when the fraction is 0, so unrelated faults do not shift). */
  chance(fraction: number): boolean {
    if (fraction <= 0) return false;
    return this.next() < fraction;
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
