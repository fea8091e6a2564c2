import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, OutcomeUnknownError } from '../../src/coupa/index.js';
import type { ClientEvent, ClientOptions, CoupaClient } from '../../src/coupa/types.js';
import { AbortedError } from '../../src/shared/errors.js';
import type { SimulatorOptions } from '../../src/sim/index.js';
import { delay, sendJson, startTestServer, type Handler, type TestServer } from './http-server.js';
import { clientFor } from '../export/helpers.js';
import { startResettingServer, startTestSim } from '../helpers/sim.js';

const COLLECTION = '/api/custom_objects/101/object_instances';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recordFor(path: string): Record<string, unknown> {
  const id = Number(/\/(\d+)(\?|$)/.exec(path.replace(COLLECTION, ''))?.[1] ?? 1);
  return { id, 'custom-fields': {} };
}

/** Answers the token endpoint, then hands /api requests to `api`. */
function withToken(api: Handler): Handler {
  return (req, res, hit, index) => {
    if (hit.path === '/oauth2/token') {
      sendJson(res, 200, { access_token: 'tok-http', expires_in: 86399 });
      return;
    }
    return api(req, res, hit, index);
  };
}

async function setup(
  handler: Handler,
  options: Partial<ClientOptions> = {},
): Promise<{ server: TestServer; client: CoupaClient; events: ClientEvent[] }> {
  const server = await startTestServer(handler);
  cleanups.push(() => server.close());
  const events: ClientEvent[] = [];
  const client = createClient({
    instance: server.url,
    credentials: { kind: 'oauth', clientId: 'id', clientSecret: 'secret-http', scopes: 's' },
    rate: 1000,
    concurrency: 4,
    backoffBaseMs: 5,
    onEvent: (e) => events.push(e),
    ...options,
  });
  cleanups.push(() => client.close());
  return { server, client, events };
}

const apiHits = (server: TestServer, method: string) =>
  server.hits.filter((h) => h.method === method && h.path.startsWith('/api/'));

describe('dropped connections (real HTTP)', () => {
  it('gives a POST whose connection drops after sending an unknown outcome, and sends it once', async () => {
    const { server, client } = await setup(
      withToken((req) => {
        req.socket.destroy(); // the request was read (and might have been stored): no answer
      }),
    );
    const error = await client.create(101, { 'vendor-code': 'V-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(apiHits(server, 'POST')).toHaveLength(1);
    expect(apiHits(server, 'POST')[0]?.body).toBe('{"custom-fields":{"vendor-code":"V-1"}}');
  });

  it('retries a GET whose connection drops', async () => {
    const { server, client, events } = await setup(
      withToken((req, res) => {
        if (apiHits(server, 'GET').length === 1) req.socket.destroy();
        else sendJson(res, 200, recordFor(req.url ?? ''));
      }),
    );
    expect((await client.get(101, 12)).id).toBe(12);
    expect(apiHits(server, 'GET')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
  });

  it('retries a GET that times out, but not a POST', async () => {
    const { server, client } = await setup(
      withToken((req, res, hit) => {
        if (hit.method === 'POST' || apiHits(server, 'GET').length === 1) return; // never answer
        sendJson(res, 200, recordFor(req.url ?? ''));
      }),
      { timeoutMs: 150 }, // undici checks timeouts about once a second: this test takes ~2 s
    );
    expect((await client.get(101, 3)).id).toBe(3);
    expect(apiHits(server, 'GET')).toHaveLength(2);
    await expect(client.create(101, {})).rejects.toBeInstanceOf(OutcomeUnknownError);
    expect(apiHits(server, 'POST')).toHaveLength(1);
  });

  it('retries a POST whose connection is refused, then aborts as UNREACHABLE', async () => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');
    const client = createClient({
      instance: `http://127.0.0.1:${port}`,
      credentials: { kind: 'api-key', apiKey: 'key-http' },
      maxRetries: 2,
      backoffBaseMs: 5,
    });
    cleanups.push(() => client.close());
    const error = await client.create(101, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).code).toBe('UNREACHABLE');
    expect((error as AbortedError).message).toContain(`127.0.0.1:${port}`);
    expect(client.stats()).toMatchObject({ requests: 3, retries: 2 });
  });
});

describe('connections', () => {
  it('keeps one connection alive across requests, error answers included (bodies are read)', async () => {
    const { server, client } = await setup(
      withToken((req, res, _hit, index) => {
        if (index % 2 === 0) sendJson(res, 400, { errors: { 'object-instance': ['nope'] } });
        else sendJson(res, 200, recordFor(req.url ?? ''));
      }),
      { concurrency: 1 },
    );
    for (let i = 1; i <= 8; i += 1) await client.get(101, i).catch(() => undefined);
    expect(server.hits).toHaveLength(9);
    expect(server.connections).toBe(1);
  });
});

describe('rate limiter and concurrency (real HTTP)', () => {
  it('spaces the starts at 1/rate: N requests take at least (N-1)/rate', async () => {
    const rate = 20;
    const n = 8;
    const { server, client } = await setup((req, res) => sendJson(res, 200, recordFor(req.url ?? '')), {
      rate,
      credentials: { kind: 'api-key', apiKey: 'key-http' },
    });
    const started = performance.now();
    await Promise.all(Array.from({ length: n }, (_, i) => client.get(101, i + 1)));
    const elapsed = performance.now() - started;
    expect(server.hits).toHaveLength(n);
    expect(elapsed).toBeGreaterThanOrEqual(((n - 1) / rate) * 1000); // a lower bound only
  });

  it('never has more requests in flight than the concurrency', async () => {
    const { server, client } = await setup(
      async (req, res) => {
        await delay(30);
        sendJson(res, 200, recordFor(req.url ?? ''));
      },
      { concurrency: 3, credentials: { kind: 'api-key', apiKey: 'key-http' } },
    );
    await Promise.all(Array.from({ length: 15 }, (_, i) => client.get(101, i + 1)));
    expect(server.hits).toHaveLength(15);
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    expect(server.maxInFlight).toBeGreaterThanOrEqual(2);
  });

  it('pauses every caller after a 429 with Retry-After, not just the throttled one', async () => {
    let throttledAt = 0;
    const { server, client, events } = await setup(
      (req, res, hit, index) => {
        if (index === 0) {
          throttledAt = hit.at;
          sendJson(res, 429, { errors: ['slow down'] }, { 'retry-after': '1' });
          return;
        }
        sendJson(res, 200, recordFor(req.url ?? ''));
      },
      { rate: 5, credentials: { kind: 'api-key', apiKey: 'key-http' } },
    );
    const results = await Promise.all([client.get(101, 1), client.get(101, 2), client.get(101, 3)]);
    expect(results.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(server.hits).toHaveLength(4);
    // Every request after the 429 (the retry and the two other callers) started after the pause.
    for (const hit of server.hits.slice(1)) expect(hit.at - throttledAt).toBeGreaterThanOrEqual(1000);
    expect(client.stats()).toMatchObject({ throttled: 1, retries: 1 });
    expect(events.filter((e) => e.type === 'throttled')).toEqual([
      expect.objectContaining({ delayMs: 1000, retryAfter: true }),
    ]);
  });
});

/** A client of the real simulator (OAuth), its events recorded; both closed after the test. */
async function simClient(
  simOptions: SimulatorOptions,
  options: Partial<ClientOptions>,
): Promise<{ client: CoupaClient; events: ClientEvent[] }> {
  const sim = await startTestSim(simOptions);
  cleanups.push(() => sim.close());
  const events: ClientEvent[] = [];
  const client = createClient({ ...clientFor(sim), onEvent: (e) => events.push(e), ...options });
  cleanups.push(() => client.close());
  return { client, events };
}

describe('OAuth token and the rate limiter (real HTTP)', () => {
  it('takes the token after the wait for the rate: tokens that expire while requests queue are never sent', async () => {
    // 1 s tokens; 20 requests at 8/s queue for up to 2.4 s. A token taken before that wait is stale when sent.
    const { client, events } = await simClient({ tokenLifetimeS: 1 }, { rate: 8, concurrency: 16 });
    const pages = await Promise.all(Array.from({ length: 20 }, () => client.list(101, [['limit', '1']])));
    expect(pages).toHaveLength(20);
    const refused = events.filter((e) => e.type === 'request' && e.status === 401);
    expect(refused).toEqual([]);
    expect(events.filter((e) => e.type === 'token').length).toBeGreaterThanOrEqual(2);
  });

  it('renews the token while the only slot is held (concurrency 1): the token request needs no slot', async () => {
    const { client, events } = await simClient({ tokenLifetimeS: 0.2 }, { rate: 1000, concurrency: 1 });
    for (let i = 0; i < 4; i++) {
      await client.list(101, [['limit', '1']]);
      await delay(120);
    }
    expect(events.filter((e) => e.type === 'token').length).toBeGreaterThanOrEqual(3);
  });

  it('waits out a 429 from the token endpoint (Retry-After), then sends the request', async () => {
    let tokenCalls = 0;
    let throttledAt = 0;
    const { server, client } = await setup((req, res, hit) => {
      if (hit.path === '/oauth2/token') {
        tokenCalls += 1;
        if (tokenCalls === 1) {
          throttledAt = hit.at;
          sendJson(res, 429, { error: 'slow down' }, { 'retry-after': '1' });
          return;
        }
        sendJson(res, 200, { access_token: 'tok-429', expires_in: 86399 });
        return;
      }
      sendJson(res, 200, recordFor(req.url ?? ''));
    });
    const record = await client.get(101, 7);
    expect(record.id).toBe(7);
    expect(tokenCalls).toBe(2);
    const [, retry, api] = server.hits;
    expect(retry?.path).toBe('/oauth2/token');
    expect((retry?.at ?? 0) - throttledAt).toBeGreaterThanOrEqual(1000);
    expect(api?.path).toBe(`${COLLECTION}/7`);
    expect(client.stats()).toMatchObject({ throttled: 1, retries: 1 });
  });
});

describe('many retry waits at once (real HTTP)', () => {
  it('20 requests waiting out a 503 together print no MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.name);
    };
    process.on('warning', onWarning);
    try {
      const seen = new Set<string>();
      const { client } = await setup(
        (req, res) => {
          const url = req.url ?? '';
          if (!seen.has(url)) {
            seen.add(url);
            sendJson(res, 503, { errors: ['busy'] });
            return;
          }
          sendJson(res, 200, recordFor(url));
        },
        { concurrency: 20, backoffBaseMs: 200, credentials: { kind: 'api-key', apiKey: 'key-http' } },
      );
      const records = await Promise.all(Array.from({ length: 20 }, (_, i) => client.get(101, i + 1)));
      expect(records).toHaveLength(20);
      await new Promise((r) => setImmediate(r));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('closing the client', () => {
  // The back-off drawn is up to 30 s; the test's own 10 s limit fails a client that sleeps it out.
  it(
    'ends a retry wait at once: the pending call rejects with CLOSED instead of sleeping on',
    { timeout: 10_000 },
    async () => {
      const resetting = await startResettingServer();
      const client = createClient({
        instance: resetting.url,
        credentials: { kind: 'api-key', apiKey: 'key-12345' },
        backoffBaseMs: 60_000, // a wait far longer than the test may take
        maxRetries: 3,
      });
      try {
        const pending = client.list(101, []).then(
          () => undefined,
          (e: unknown) => e,
        );
        while (resetting.connections() < 1) await new Promise((r) => setTimeout(r, 10));
        await client.close();
        const error = await pending;
        expect(error).toBeInstanceOf(AbortedError);
        expect((error as AbortedError).code).toBe('CLOSED');
      } finally {
        resetting.close();
      }
    },
  );
});
