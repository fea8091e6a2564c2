import { performance } from 'node:perf_hooks';
import { AbortedError } from '../shared/index.js';

export interface LimiterOptions {
  /** Most starts per second. */
  rate: number;
  /** Most holders of a ticket at once. */
  concurrency: number;
  /** Clock in milliseconds (monotonic). Tests may replace it. */
  now?: () => number;
}

/** Permission to send one request; `release()` when its answer has been read (idempotent). */
export interface LimiterTicket {
  /** When the ticket was granted (limiter clock). */
  readonly startedAt: number;
  release(): void;
}

interface Waiter {
  resolve: (ticket: LimiterTicket) => void;
  reject: (error: Error) => void;
}

/**
 * The one gate every request of a client passes: starts spaced at least `1/rate` apart (no burst), at most
 * `concurrency` in flight, waiters served first come first served (nothing is refused). A 429 pauses every start
 * until the server's delay is over and halves the rate, which then creeps back up with each success (AIMD), so a
 * sustained overload settles below the server's limit instead of hitting it again and again.
 */
export class RequestLimiter {
  private readonly queue: Waiter[] = [];
  private readonly now: () => number;
  private readonly maxRate: number;
  private readonly minRate: number;
  private readonly concurrency: number;
  private currentRate: number;
  private inFlight = 0;
  private nextStartAt = Number.NEGATIVE_INFINITY;
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private lastSlowdownAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(options: LimiterOptions) {
    if (!(options.rate > 0) || !Number.isFinite(options.rate))
      throw new RangeError('rate must be a positive number');
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new RangeError('concurrency must be a positive integer');
    }
    this.maxRate = options.rate;
    this.minRate = Math.min(options.rate, 1);
    this.currentRate = options.rate;
    this.concurrency = options.concurrency;
    this.now = options.now ?? (() => performance.now());
  }

  /** The rate in force now (lower than the configured one after a 429). */
  get rate(): number {
    return this.currentRate;
  }

  /** Tickets held now. */
  get active(): number {
    return this.inFlight;
  }

  /** Waits for a slot and for the rate (and any pause after a 429); FIFO. */
  acquire(): Promise<LimiterTicket> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise<LimiterTicket>((resolve, reject) => {
      this.queue.push({ resolve, reject });
      this.pump();
    });
  }

  /**
   * The server said "too many requests": hold every start for `delayMs`, and halve the rate unless the throttled
   * request started before the last slowdown (several answers to one burst count once).
   */
  throttle(delayMs: number, requestStartedAt: number): void {
    const now = this.now();
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.max(0, delayMs));
    if (requestStartedAt >= this.lastSlowdownAt) {
      this.currentRate = Math.max(this.minRate, this.currentRate / 2);
      this.lastSlowdownAt = now;
    }
    this.reschedule();
  }

  /** An answer that was not a 429: the rate recovers by a fiftieth of the configured rate. */
  recordSuccess(): void {
    if (this.currentRate < this.maxRate) {
      this.currentRate = Math.min(this.maxRate, this.currentRate + this.maxRate / 50);
    }
  }

  /** Refuses new and queued requests (AbortedError); tickets already granted stay valid. */
  close(): void {
    this.closed = true;
    this.clearTimer();
    for (const waiter of this.queue.splice(0)) waiter.reject(closedError());
  }

  private reschedule(): void {
    // A pause may move the next start later than a timer already set; the pump re-checks the time anyway.
    this.clearTimer();
    this.pump();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  private pump(): void {
    while (this.queue.length > 0 && !this.closed) {
      if (this.inFlight >= this.concurrency) return; // release() pumps again
      const now = this.now();
      // Above 1,000 requests a second the spacing is below what a timer can wait (at least 1 ms, often more), and
      // waiting for it would cap the rate near 1,000/s instead: such a rate only limits concurrency.
      const spacingMs = 1000 / this.currentRate;
      const startAt = Math.max(spacingMs < 1 ? now : this.nextStartAt, this.pausedUntil);
      if (now < startAt) {
        if (this.timer === undefined || startAt < this.timerAt) {
          this.clearTimer();
          this.timerAt = startAt;
          // Timers may fire a fraction of a millisecond early: the loop re-checks and waits again if so.
          this.timer = setTimeout(
            () => {
              this.timer = undefined;
              this.timerAt = Number.POSITIVE_INFINITY;
              this.pump();
            },
            Math.max(1, Math.ceil(startAt - now)),
          );
        }
        return;
      }
      const waiter = this.queue.shift();
      if (!waiter) return;
      this.inFlight += 1;
      this.nextStartAt = now + 1000 / this.currentRate;
      let released = false;
      waiter.resolve({
        startedAt: now,
        release: () => {
          if (released) return;
          released = true;
          this.inFlight -= 1;
          this.pump();
        },
      });
    }
  }
}

function closedError(): AbortedError {
  return new AbortedError('the Coupa client was closed; the request was not sent', 'CLOSED');
}
