import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { SimFaults, SimStats, Simulator } from '../../src/sim/index.js';
import { ResponseClock } from '../../src/sim/limits.js';
import { simToken, startTestSim } from '../helpers/sim.js';
import { api, call, fieldsOf, OBJ } from './http.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const vendor = (code: string) => ({ 'vendor-code': code, 'vendor-name': `Vendor ${code}` });

async function burstOf(s: Simulator, n: number) {
  const token = await simToken(s);
  return Promise.all(Array.from({ length: n }, () => call(s, 'GET', `${OBJ}?limit=1`, { token })));
}

describe('rate limit (leaky bucket)', () => {
  it('queues requests over the rate up to the burst depth, then answers 429 with Retry-After', async () => {
    sim = await startTestSim({ rate: 20, burst: 5 });
    const replies = await burstOf(sim, 40);
    const ok = replies.filter((r) => r.status === 200).length;
    const throttled = replies.filter((r) => r.status === 429);
    expect(ok + throttled.length).toBe(40);
    expect(throttled.length).toBeGreaterThan(0);
    // a 429 means 5 were waiting: those and the first one went through
    expect(ok).toBeGreaterThanOrEqual(6);
    for (const r of throttled) expect(r.headers['retry-after']).toBe('1');
    const stats = sim.stats();
    expect(stats.throttled).toBe(throttled.length);
    expect(stats.queuedMax).toBe(5);
    expect(stats.byStatus['429']).toBe(throttled.length);
  });

  it('delays rather than refuses while the queue has room', async () => {
    sim = await startTestSim({ rate: 50, burst: 30 });
    const replies = await burstOf(sim, 25);
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const stats = sim.stats();
    expect(stats.throttled).toBe(0);
    expect(stats.queuedMax).toBeGreaterThan(0);
    expect(stats.maxInFlight).toBeGreaterThanOrEqual(stats.queuedMax);
  });

  it('can answer 429 without Retry-After, or with it on some answers only', async () => {
    sim = await startTestSim({ rate: 20, burst: 2, retryAfter: false });
    const none = (await burstOf(sim, 20)).filter((r) => r.status === 429);
    expect(none.length).toBeGreaterThan(0);
    for (const r of none) expect(r.headers['retry-after']).toBeUndefined();
    await sim.close();
    sim = await startTestSim({ faults: { extra429: 1, seed: 3 }, retryAfter: 'mixed' });
    const token = await simToken(sim);
    const mixed: Array<string | string[] | undefined> = [];
    for (let i = 0; i < 16; i++) mixed.push((await call(sim, 'GET', OBJ, { token })).headers['retry-after']);
    expect(mixed).toContain('1');
    expect(mixed).toContain(undefined);
  });

  it('does not limit the token endpoint, and rate 0 means no limit', async () => {
    sim = await startTestSim({ rate: 0 });
    const replies = await burstOf(sim, 40);
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(sim.stats().throttled).toBe(0);
  });
});

describe('faults (seeded)', () => {
  async function statusSequence(seed: number): Promise<number[]> {
    const s = await startTestSim({ faults: { error5xx: 0.5, seed } });
    try {
      const token = await simToken(s);
      const out: number[] = [];
      for (let i = 0; i < 20; i++) out.push((await call(s, 'GET', OBJ, { token })).status);
      return out;
    } finally {
      await s.close();
    }
  }

  it('answers a fraction of requests 500/502/503, the same ones for the same seed', async () => {
    const a = await statusSequence(42);
    const b = await statusSequence(42);
    expect(a).toEqual(b);
    expect(a).toContain(200);
    expect(a.some((s) => s >= 500)).toBe(true);
    expect(a.every((s) => s === 200 || [500, 502, 503].includes(s))).toBe(true);
  });

  it('sends an HTML body on some 5xx answers', async () => {
    sim = await startTestSim({ faults: { error5xx: 1, seed: 5 } });
    const token = await simToken(sim);
    const types = new Set<string>();
    for (let i = 0; i < 12; i++)
      types.add(String((await call(sim, 'GET', OBJ, { token })).headers['content-type']));
    expect([...types].some((t) => t.includes('text/html'))).toBe(true);
    expect([...types].some((t) => t.includes('application/json'))).toBe(true);
    expect(sim.records(101)).toEqual([]);
  });

  it('answers extra 429s although under the rate', async () => {
    sim = await startTestSim({ faults: { extra429: 1 } });
    const r = await call(sim, 'GET', OBJ, { token: await simToken(sim) });
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('1');
    expect(sim.stats().throttled).toBe(1);
  });

  it('dropAfterStore: the create is stored, then the connection is dropped without an answer', async () => {
    sim = await startTestSim({ faults: { dropAfterStore: 1 } });
    const token = await simToken(sim);
    await expect(
      call(sim, 'POST', OBJ, { token, body: { 'custom-fields': vendor('DROP-A') } }),
    ).rejects.toThrow();
    expect(sim.records(101).map((r) => fieldsOf(r)['vendor-code'])).toEqual(['DROP-A']);
    expect(sim.stats().dropped).toBe(1);
    // updates too
    const id = sim.records(101)[0]!.id as number;
    await expect(
      call(sim, 'PUT', `${OBJ}/${id}`, { token, body: { 'custom-fields': { notes: 'landed' } } }),
    ).rejects.toThrow();
    expect(fieldsOf(sim.records(101)[0]!)).toMatchObject({ notes: 'landed' });
  });

  it('dropBeforeStore: the connection is dropped and nothing is stored', async () => {
    sim = await startTestSim({ faults: { dropBeforeStore: 1 } });
    const token = await simToken(sim);
    await expect(
      call(sim, 'POST', OBJ, { token, body: { 'custom-fields': vendor('DROP-B') } }),
    ).rejects.toThrow();
    expect(sim.records(101)).toEqual([]);
    expect(sim.stats().dropped).toBe(1);
  });

  it('drops a seeded fraction and replays the same pattern for the same seed', async () => {
    const pattern = async (): Promise<boolean[]> => {
      const s = await startTestSim({ faults: { dropAfterStore: 0.5, seed: 9 } });
      try {
        const token = await simToken(s);
        const out: boolean[] = [];
        for (let i = 0; i < 12; i++) {
          out.push(
            await call(s, 'POST', OBJ, { token, body: { 'custom-fields': vendor(`P-${i}`) } }).then(
              () => true,
              () => false,
            ),
          );
        }
        expect(s.records(101)).toHaveLength(12); // every create landed, answered or not
        expect(s.stats().dropped).toBe(out.filter((x) => !x).length);
        return out;
      } finally {
        await s.close();
      }
    };
    const a = await pattern();
    expect(a).toContain(true);
    expect(a).toContain(false);
    expect(await pattern()).toEqual(a);
  });

  it('adds latency: parallel requests overlap in flight', async () => {
    sim = await startTestSim({ latencyMs: 100 });
    const token = await simToken(sim);
    const replies = await Promise.all(Array.from({ length: 5 }, () => call(sim!, 'GET', OBJ, { token })));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(sim.stats().maxInFlight).toBeGreaterThanOrEqual(2);
  });
});

describe('response clock (latency)', () => {
  it('learns how late answers leave and ends later waits that much earlier, within 0 and half the latency', () => {
    let now = 1000;
    const clock = new ResponseClock(50, () => now);
    const due = clock.due();
    expect(due).toBe(1050);
    now = due + 8; // answered 8 ms late
    clock.answered(due);
    expect(clock.lead).toBe(1);
    for (let i = 0; i < 100; i++) clock.answered(now - 40); // always 40 ms late: capped at half the latency
    expect(clock.lead).toBe(25);
    for (let i = 0; i < 100; i++) clock.answered(now + 40); // early: the lead shrinks, never below 0
    expect(clock.lead).toBe(0);
  });

  it('a wait whose due time has passed (less the lead) ends without a timer', async () => {
    let now = 0;
    const clock = new ResponseClock(50, () => now);
    const due = clock.due();
    now = 60;
    let ended = false;
    const waiting = clock.hold(due).then(() => (ended = true));
    await Promise.resolve();
    expect(ended).toBe(true);
    await waiting;
  });
});

describe('simulator extras outside /api', () => {
  it('GET /_sim/stats counts requests by status and method, without auth', async () => {
    sim = await startTestSim();
    const token = await simToken(sim);
    const c = api(sim, token);
    await c.post(OBJ, vendor('ST-1'));
    await c.post(OBJ, { 'vendor-code': 'ST-2' });
    await c.get(OBJ);
    await call(sim, 'GET', OBJ);
    const res = await request(`${sim.url}/_sim/stats`);
    const stats = (await res.body.json()) as SimStats;
    expect(res.statusCode).toBe(200);
    expect(stats).toEqual(sim.stats());
    expect(stats).toMatchObject({
      requests: 5,
      byStatus: { '200': 2, '201': 1, '400': 1, '401': 1 },
      byMethod: { POST: 3, GET: 2 },
      tokensIssued: 1,
      throttled: 0,
      dropped: 0,
    });
    expect(stats.maxInFlight).toBeGreaterThanOrEqual(1);
  });

  it('GET /_sim/objects/{id}/records lists what is stored, as the API shows it', async () => {
    sim = await startTestSim();
    sim.insert(101, vendor('REC-1'));
    const res = await request(`${sim.url}/_sim/objects/101/records`);
    const list = (await res.body.json()) as Array<Record<string, unknown>>;
    expect(list).toEqual(sim.records(101));
    expect(fieldsOf(list[0]!)['vendor-code']).toBe('REC-1');
    const missing = await request(`${sim.url}/_sim/objects/999/records`);
    await missing.body.dump();
    expect(missing.statusCode).toBe(404);
  });

  it('POST /_sim/faults changes faults at run time and refuses unknown ones', async () => {
    sim = await startTestSim();
    const token = await simToken(sim);
    const set = await request(`${sim.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ extra429: 1 }),
    });
    expect(((await set.body.json()) as SimFaults).extra429).toBe(1);
    expect((await call(sim, 'GET', OBJ, { token })).status).toBe(429);
    sim.setFaults({ extra429: 0 });
    expect((await call(sim, 'GET', OBJ, { token })).status).toBe(200);
    const bad = await request(`${sim.url}/_sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ explode: 1 }),
    });
    await bad.body.dump();
    expect(bad.statusCode).toBe(400);
    expect(() => sim!.setFaults({ error5xx: 2 })).toThrow(/error5xx/);
  });
});
