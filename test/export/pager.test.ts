import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ObjectInstance } from '../../src/coupa/types.js';
import { pageInIdOrder, type PagerOptions } from '../../src/export/pager.js';
import { FakeClient, makeRecord } from './fake-client.js';

async function collect(client: FakeClient, extra: Partial<PagerOptions> = {}): Promise<number[]> {
  const sorted = client.records.map((r) => r.id).sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (first === undefined || last === undefined) return [];
  const ids: number[] = [];
  for await (const page of pageInIdOrder({
    client,
    objectId: 101,
    query: [],
    after: first - 1,
    upTo: last,
    openEnded: true,
    window: 4,
    ...extra,
  })) {
    expect(page.records.length).toBeGreaterThan(0);
    expect(page.askedAt).toBeLessThanOrEqual(Date.now());
    ids.push(...page.records.map((r) => r.id));
  }
  return ids;
}

const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('pageInIdOrder', () => {
  it('yields every record of a dense id range once, in id order, with several requests in flight', async () => {
    const client = FakeClient.withIds(range(1, 1000));
    const ids = await collect(client, { window: 4 });
    expect(ids).toEqual(range(1, 1000));
    expect(client.maxInFlight).toBeGreaterThan(1);
    expect(client.maxInFlight).toBeLessThanOrEqual(4);
    // Dense ranges end at their bound, so about one request per page is enough (no empty pages per range).
    expect(client.queries.length).toBeLessThanOrEqual(25);
  });

  it('handles sparse and clustered ids (empty ranges cost little)', async () => {
    const ids = [...range(1, 30), ...range(100_000, 100_499), 5_000_000, ...range(9_000_000, 9_000_120)];
    const client = FakeClient.withIds(ids);
    expect(await collect(client, { window: 3 })).toEqual(ids);
    expect(client.queries.length).toBeLessThan(120);
  });

  it('never exceeds the window and holds a bounded number of pages for a slow writer', async () => {
    const client = FakeClient.withIds(range(1, 5000));
    const pager = pageInIdOrder({
      client,
      objectId: 1,
      query: [],
      after: 0,
      upTo: 5000,
      openEnded: true,
      window: 3,
    });
    const first = await pager.next();
    expect(first.done).toBe(false);
    // The writer stalls: the pager may fill its buffers but must then stop asking.
    await new Promise((r) => setTimeout(r, 150));
    const asked = client.queries.length;
    // 2 * window ranges, each at most 4 pages ahead, plus the head range.
    expect(asked).toBeLessThanOrEqual(2 * 3 * 4 + 4);
    await new Promise((r) => setTimeout(r, 50));
    expect(client.queries.length).toBe(asked);
    const ids = (first.value?.records ?? []).map((r: ObjectInstance) => r.id);
    for await (const page of pager) ids.push(...page.records.map((r) => r.id));
    expect(ids).toEqual(range(1, 5000));
    expect(client.maxInFlight).toBeLessThanOrEqual(3);
  });

  it('neither skips nor repeats when records are created and updated during paging', async () => {
    const client = FakeClient.withIds(range(1, 600));
    let nextId = 601;
    client.beforeAnswer = (call) => {
      // Every answer: a new record at the end and an update to an existing one (its updated-at changes).
      client.records.push(makeRecord(nextId++));
      const victim = client.records[(call * 37) % 600];
      if (victim) victim['updated-at'] = `2026-05-02T00:00:${String(call % 60).padStart(2, '0')}-07:00`;
    };
    const ids = await collect(client, { upTo: 600, window: 4 });
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 600)).toEqual(range(1, 600));
    // The open last range also picks up records created before it was read.
    expect(ids.length).toBeGreaterThan(600);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('respects a closed upper bound (a user id filter) and leaves later records out', async () => {
    const client = FakeClient.withIds(range(1, 300));
    const ids = await collect(client, { after: 10, upTo: 200, openEnded: false });
    expect(ids).toEqual(range(11, 200));
  });

  it('fails with the client error and stops asking', async () => {
    const client = FakeClient.withIds(range(1, 2000));
    client.failOn = { call: 5, error: new Error('boom') };
    await expect(collect(client)).rejects.toThrow('boom');
    const asked = client.queries.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(client.queries.length).toBe(asked);
  });

  it('stops when the signal aborts', async () => {
    const client = FakeClient.withIds(range(1, 5000));
    const controller = new AbortController();
    let pages = 0;
    const run = async (): Promise<void> => {
      for await (const _page of pageInIdOrder({
        client,
        objectId: 1,
        query: [],
        after: 0,
        upTo: 5000,
        openEnded: true,
        window: 2,
        signal: controller.signal,
      })) {
        if (++pages === 3) controller.abort(new Error('stop now'));
      }
    };
    await expect(run()).rejects.toThrow('stop now');
    expect(pages).toBe(3);
  });

  it('passes the filters on every page request', async () => {
    const client = FakeClient.withIds(range(1, 120));
    await collect(client, { query: [['active', 'true']] });
    for (const q of client.queries) expect(q).toContainEqual(['active', 'true']);
    for (const q of client.queries) expect(q).toContainEqual(['order_by', 'id']);
  });

  it('property: any id set and window gives the ids once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 6 }),
        async (ids, window) => {
          const client = new FakeClient(
            ids.map((id) => makeRecord(id)),
            0,
          );
          const got = await collect(client, { window });
          expect(got).toEqual([...ids].sort((a, b) => a - b));
        },
      ),
      { numRuns: 40 },
    );
  });
});
