// The HTTP server and its routing: /oauth2/token, /api/..., the /_sim control endpoints, and 404 for the rest.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Counters, SimContext } from './context.js';
import { FaultInjector, parseFaults } from './faults.js';
import { BodyError, JSON_TYPE, Replier, wantsJson } from './http.js';
import { LeakyBucket, ResponseClock } from './limits.js';
import { resolveOptions } from './options.js';
import { renderErrors } from './render.js';
import { handleApi } from './routes/api.js';
import { handleControl } from './routes/control.js';
import { handleToken, TokenRegistry } from './routes/oauth.js';
import { SimStore } from './store.js';
import type { SimStats, Simulator, SimulatorOptions } from './types.js';

export { CUSTOM_OBJECTS_SCOPE } from './routes/oauth.js';

/**
 * Starts a local Coupa Custom Objects server (node:http) and resolves once it listens.
 * @example
 * const sim = await startSimulator({ rate: 0 });
 * // ... point the client at sim.url with sim.clientId / sim.clientSecret ...
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const o = await resolveOptions(options);
  const { variations } = o;
  const localZone = variations.localTimes ? o.timezone : undefined;
  const store = new SimStore(o.config, o.timezone, o.apiUser, o.now, {
    lenientBooleans: variations.lenientBooleans,
    localZone,
  });
  const counters: Counters = {
    requests: 0,
    byStatus: {},
    byMethod: {},
    maxInFlight: 0,
    inFlight: 0,
    throttled: 0,
    dropped: 0,
  };
  const bucket = new LeakyBucket(o.rate, o.burst);
  const tokens = new TokenRegistry(o.client, o.tokenLifetimeS, o.apiKey);
  let closed = false;

  const snapshot = (): SimStats => ({
    requests: counters.requests,
    byStatus: { ...counters.byStatus },
    byMethod: { ...counters.byMethod },
    maxInFlight: counters.maxInFlight,
    throttled: counters.throttled,
    queuedMax: bucket.queuedMax,
    dropped: counters.dropped,
    tokensIssued: tokens.issued.length,
  });

  const ctx: SimContext = {
    store,
    reply: new Replier(counters.byStatus, o.now, variations),
    faults: new FaultInjector(options.faults ?? {}),
    tokens,
    bucket,
    clock: o.latencyMs > 0 ? new ResponseClock(o.latencyMs) : undefined,
    counters,
    retryAfter: o.retryAfter,
    variations,
    query: { caseInsensitive: variations.caseInsensitiveFilters, localZone },
    ignoreFilters: options.ignoreFilters === true,
    isClosed: () => closed,
    snapshot,
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    if (url.pathname.startsWith('/_sim/')) return handleControl(ctx, req, res, url);
    counters.requests++;
    const method = req.method ?? 'GET';
    counters.byMethod[method] = (counters.byMethod[method] ?? 0) + 1;
    const json = wantsJson(req);
    if (url.pathname === '/oauth2/token' || url.pathname === '/oauth2/token/')
      return handleToken(ctx, req, res);
    if (url.pathname === '/api' || url.pathname.startsWith('/api/'))
      return handleApi(ctx, req, res, url, json);
    ctx.reply.error(res, json, 404, ['The page you were looking for does not exist']);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof BodyError) {
        ctx.reply.error(res, wantsJson(req), error.status, [error.message]);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      ctx.reply.send(res, 500, renderErrors([`simulator bug: ${message}`], true), JSON_TYPE);
    });
  });
  server.keepAliveTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    clientId: o.client.id,
    clientSecret: o.client.secret,
    scopes: o.client.scopes.join(' '),
    timezone: o.timezone,
    variations: { ...variations },
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    stats: snapshot,
    records: (objectId) => store.all(objectId).map((r) => store.present(objectId, r)),
    insert: (objectId, customFields) => store.present(objectId, store.create(objectId, customFields)),
    update: (objectId, id, customFields) => {
      store.update(objectId, id, customFields);
    },
    setFaults: (partial) => ctx.faults.set(parseFaults(partial)),
    issuedTokens: () => [...tokens.issued],
  };
}
