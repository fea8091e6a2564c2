import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { RequestLimiter } from '../../src/coupa/limiter.js';
import { AbortedError } from '../../src/shared/errors.js';

describe('RequestLimiter', () => {
  it('serves waiters first come first served, within the concurrency', async () => {
    const limiter = new RequestLimiter({ rate: 10_000, concurrency: 2 });
    const order: number[] = [];
    const tickets = await Promise.all([limiter.acquire(), limiter.acquire()]);
    const waiting = [3, 4, 5].map((n) =>
      limiter.acquire().then((ticket) => {
        order.push(n);
        return ticket;
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]); // both slots are taken
    expect(limiter.active).toBe(2);
    tickets[0]?.release();
    tickets[0]?.release(); // releasing twice frees one slot only
    const third = await waiting[0];
    expect(order).toEqual([3]);
    expect(limiter.active).toBe(2);
    tickets[1]?.release();
    third?.release();
    await Promise.all(waiting.slice(1)).then((rest) => rest.forEach((t) => t.release()));
    expect(order).toEqual([3, 4, 5]);
    expect(limiter.active).toBe(0);
  });

  it('spaces starts by 1/rate', async () => {
    const limiter = new RequestLimiter({ rate: 50, concurrency: 10 });
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, () =>
        limiter.acquire().then((ticket) => {
          starts.push(ticket.startedAt);
          ticket.release();
        }),
      ),
    );
    for (let i = 1; i < starts.length; i += 1) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(20);
  });

  it('holds every start during a pause, halves the rate once per burst and recovers on successes', async () => {
    const limiter = new RequestLimiter({ rate: 100, concurrency: 10 });
    const first = await limiter.acquire();
    const second = await limiter.acquire();
    first.release();
    second.release();
    const pausedAt = performance.now();
    limiter.throttle(80, first.startedAt);
    limiter.throttle(80, second.startedAt); // same burst: not halved again
    expect(limiter.rate).toBe(50);
    const next = await limiter.acquire();
    expect(next.startedAt - pausedAt).toBeGreaterThanOrEqual(79);
    next.release();
    limiter.throttle(0, next.startedAt); // a request started after the slowdown: halves again
    expect(limiter.rate).toBe(25);
    for (let i = 0; i < 10; i += 1) limiter.recordSuccess();
    expect(limiter.rate).toBeCloseTo(45);
    for (let i = 0; i < 100; i += 1) limiter.recordSuccess();
    expect(limiter.rate).toBe(100);
  });

  it('never goes below one start per second (or the configured rate if lower)', () => {
    const limiter = new RequestLimiter({ rate: 4, concurrency: 1 });
    for (let i = 0; i < 10; i += 1) limiter.throttle(0, Number.POSITIVE_INFINITY);
    expect(limiter.rate).toBe(1);
    const slow = new RequestLimiter({ rate: 0.5, concurrency: 1 });
    slow.throttle(0, Number.POSITIVE_INFINITY);
    expect(slow.rate).toBe(0.5);
  });

  it('rejects queued and new waiters once closed', async () => {
    const limiter = new RequestLimiter({ rate: 1000, concurrency: 1 });
    const held = await limiter.acquire();
    const queued = limiter.acquire();
    limiter.close();
    await expect(queued).rejects.toBeInstanceOf(AbortedError);
    await expect(limiter.acquire()).rejects.toMatchObject({ code: 'CLOSED' });
    held.release();
  });

  it('refuses a non-positive rate or concurrency', () => {
    expect(() => new RequestLimiter({ rate: 0, concurrency: 1 })).toThrow(RangeError);
    expect(() => new RequestLimiter({ rate: 1, concurrency: 0 })).toThrow(RangeError);
  });
});
