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

/**
 * Coupa's response time: each request is answered on average `ms` after it was admitted, its own processing
 * included. A timer fires late (about a millisecond, more on a busy machine) and the processing after it takes time
 * too, so a plain `sleep(ms)` answers every request 1.5-2 ms late and a latency-bound client can never reach
 * `concurrency / ms`. The clock measures by how much each answer missed its due time and starts the next waits that
 * much earlier (a slow integrator: the average answer is on time; one that needs little processing may leave up to
 * the learned lead early).
 */
export class ResponseClock {
  /** How much earlier than due the wait ends (learned). */
  private leadMs = 0;

  constructor(
    private readonly ms: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How much earlier than due a wait ends now (ms). */
  get lead(): number {
    return this.leadMs;
  }

  /** The due time of a request admitted now; pass it to {@link hold} and {@link answered}. */
  due(): number {
    return this.now() + this.ms;
  }

  /** Waits until shortly before `due` (by the learned lead). */
  async hold(due: number): Promise<void> {
    const wait = due - this.now() - this.leadMs;
    if (wait > 0) await sleep(wait);
  }

  /** The answer to a request held until `due` has been handed to the network now. */
  answered(due: number): void {
    const late = this.now() - due;
    this.leadMs = Math.min(Math.max(this.leadMs + late / 8, 0), this.ms / 2);
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
