import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_API_USER,
  DEFAULT_CLIENT,
  defaultSimConfigPath,
  isValidTimeZone,
  loadSimConfig,
  validateSimConfig,
} from './config.js';
import { LeakyBucket, ResponseClock, SeededRandom } from './limits.js';
import { renderErrors, renderRecordsXml, renderRecordXml } from './render.js';
import { SimHttpError, SimStore, type ReturnObject } from './store.js';
import type { SimConfig, SimFaults, SimStats, Simulator, SimulatorOptions } from './types.js';

/** The scope a token needs for /api/custom_objects. */
export const CUSTOM_OBJECTS_SCOPE = 'core.custom_objects.read_write';

const MAX_BODY = 1024 * 1024;
const DEFAULT_FAULTS: SimFaults = {
  error5xx: 0,
  extra429: 0,
  dropAfterStore: 0,
  dropBeforeStore: 0,
  seed: 1,
};

interface Token {
  expiresAt: number;
  scopes: Set<string>;
}

/** Query arguments `ignoreFilters` keeps: paging, order, and filters on the standard attributes. */
const KEPT_WHEN_IGNORING =
  /^(id|created[-_]at|updated[-_]at|limit|offset|order[-_]by|dir|return[-_]object|fields)(\[|$)/i;

/**
 * Starts a local Coupa Custom Objects server (node:http) and resolves once it listens.
 * @example
 * const sim = await startSimulator({ rate: 0 });
 * // ... point the client at sim.url with sim.clientId / sim.clientSecret ...
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const config = await resolveConfig(options.config);
  const timezone = options.timezone ?? config.timezone ?? 'America/Los_Angeles';
  if (!isValidTimeZone(timezone)) throw new RangeError(`simulator: "${timezone}" is not an IANA time zone`);
  const rate = options.rate ?? 25;
  const burst = options.burst ?? 20;
  const latencyMs = options.latencyMs ?? 0;
  const tokenLifetimeS = options.tokenLifetimeS ?? 86399;
  checkNumber(rate, 'rate', 0, Infinity);
  checkNumber(burst, 'burst', 0, Infinity);
  checkNumber(latencyMs, 'latencyMs', 0, Infinity);
  const clock = latencyMs > 0 ? new ResponseClock(latencyMs) : undefined;
  if (!(tokenLifetimeS > 0)) throw new RangeError('simulator: tokenLifetimeS must be greater than 0');
  const retryAfter = options.retryAfter ?? true;
  const client = {
    id: options.clientId ?? config.client?.id ?? DEFAULT_CLIENT.id,
    secret: options.clientSecret ?? config.client?.secret ?? DEFAULT_CLIENT.secret,
    scopes: config.client?.scopes ?? DEFAULT_CLIENT.scopes,
  };
  const apiKey = options.apiKey ?? config.apiKey;

  const instanceNow = options.now ?? Date.now;
  const store = new SimStore(config, timezone, config.apiUser ?? DEFAULT_API_USER, instanceNow);
  const bucket = new LeakyBucket(rate, burst);
  let faults: SimFaults = mergeFaults(DEFAULT_FAULTS, options.faults ?? {});
  let random = new SeededRandom(faults.seed);
  const tokens = new Map<string, Token>();
  /** Every token ever issued (expired ones too), so tests can search outputs for them. */
  const issued: string[] = [];
  const stats = {
    requests: 0,
    byStatus: {} as Record<string, number>,
    byMethod: {} as Record<string, number>,
    maxInFlight: 0,
    throttled: 0,
    dropped: 0,
  };
  let inFlight = 0;
  let closed = false;

  const snapshot = (): SimStats => ({
    requests: stats.requests,
    byStatus: { ...stats.byStatus },
    byMethod: { ...stats.byMethod },
    maxInFlight: stats.maxInFlight,
    throttled: stats.throttled,
    queuedMax: bucket.queuedMax,
    dropped: stats.dropped,
    tokensIssued: issued.length,
  });

  const setFaults = (partial: Partial<SimFaults>): void => {
    faults = mergeFaults(faults, partial);
    if (partial.seed !== undefined) random = new SeededRandom(faults.seed);
  };

  function send(
    res: ServerResponse,
    status: number,
    body: string,
    contentType: string,
    headers: Record<string, string> = {},
    counted = true,
  ): void {
    if (res.destroyed || res.headersSent) return;
    if (counted) stats.byStatus[String(status)] = (stats.byStatus[String(status)] ?? 0) + 1;
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      // The instance's clock, as Coupa's answers carry it (the client reads the clock difference from it).
      Date: new Date(instanceNow()).toUTCString(),
      ...headers,
    });
    res.end(body);
  }

  const sendJson = (res: ServerResponse, status: number, value: unknown, counted = true): void =>
    send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', {}, counted);

  function sendError(
    res: ServerResponse,
    json: boolean,
    status: number,
    messages: string[],
    headers: Record<string, string> = {},
  ): void {
    send(res, status, renderErrors(messages, json), json ? JSON_TYPE : XML_TYPE, headers);
  }

  function drop(req: IncomingMessage): void {
    stats.dropped++;
    req.socket.destroy();
  }

  async function handleToken(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      send(res, 405, JSON.stringify({ error: 'invalid_request' }), JSON_TYPE, { Allow: 'POST' });
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    if (form.get('grant_type') !== 'client_credentials') {
      sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'use client_credentials' });
      return;
    }
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        id = safeDecode(decoded.slice(0, colon));
        secret = safeDecode(decoded.slice(colon + 1));
      }
    }
    if (id !== client.id || secret === null || !sameSecret(secret, client.secret)) {
      send(
        res,
        401,
        JSON.stringify({ error: 'invalid_client', error_description: 'Client authentication failed' }),
        JSON_TYPE,
        {
          'WWW-Authenticate': 'Basic realm="coupa"',
        },
      );
      return;
    }
    const requested = (form.get('scope') ?? '').split(/\s+/).filter((s) => s !== '');
    const granted = requested.length > 0 ? requested : client.scopes;
    const unknown = granted.filter((s) => !client.scopes.includes(s));
    if (unknown.length > 0) {
      sendJson(res, 400, {
        error: 'invalid_scope',
        error_description: `scope not granted: ${unknown.join(' ')}`,
      });
      return;
    }
    const now = Date.now();
    for (const [t, info] of tokens) if (info.expiresAt <= now) tokens.delete(t);
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, { expiresAt: now + tokenLifetimeS * 1000, scopes: new Set(granted) });
    issued.push(token);
    send(
      res,
      200,
      JSON.stringify({
        access_token: token,
        token_type: 'bearer',
        expires_in: tokenLifetimeS,
        scope: granted.join(' '),
      }),
      JSON_TYPE,
      { 'Cache-Control': 'no-store' },
    );
  }

  /** undefined when allowed, else the status and message to answer. */
  function authenticate(req: IncomingMessage): { status: 401 | 403; message: string } | undefined {
    const auth = req.headers.authorization;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth ?? '');
    if (bearer?.[1]) {
      const info = tokens.get(bearer[1]);
      if (!info) return { status: 401, message: 'Invalid access token' };
      if (info.expiresAt <= Date.now()) return { status: 401, message: 'Access token expired' };
      if (!info.scopes.has(CUSTOM_OBJECTS_SCOPE)) {
        return { status: 403, message: `The access token lacks the scope ${CUSTOM_OBJECTS_SCOPE}` };
      }
      return undefined;
    }
    const key = req.headers['x-coupa-api-key'];
    if (typeof key === 'string' && key !== '') {
      if (apiKey !== undefined && sameSecret(key, apiKey)) return undefined;
      return { status: 401, message: 'API key not accepted' };
    }
    return { status: 401, message: 'Missing access token' };
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    json: boolean,
  ): Promise<void> {
    inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    res.once('close', () => inFlight--);

    const throttle = (): void => {
      stats.throttled++;
      const withHeader = retryAfter === 'mixed' ? random.next() < 0.5 : retryAfter;
      sendError(res, json, 429, ['Too many requests'], withHeader ? { 'Retry-After': '1' } : {});
    };
    if (!(await bucket.admit())) {
      throttle();
      return;
    }
    if (clock) {
      const due = clock.due();
      res.once('finish', () => clock.answered(due));
      await clock.hold(due);
    }
    if (closed || res.destroyed) return;
    if (random.chance(faults.extra429)) {
      throttle();
      return;
    }
    if (random.chance(faults.error5xx)) {
      const status = [500, 502, 503][Math.floor(random.next() * 3)] ?? 500;
      if (random.next() < 0.5) {
        const title =
          status === 500 ? 'Internal Server Error' : status === 502 ? 'Bad Gateway' : 'Service Unavailable';
        const html = `<!DOCTYPE html>\n<html><head><title>${status} ${title}</title></head><body><h1>${title}</h1></body></html>\n`;
        send(res, status, html, 'text/html; charset=utf-8');
      } else {
        sendError(res, json, status, ['We are sorry, but something went wrong.']);
      }
      return;
    }
    const denied = authenticate(req);
    if (denied) {
      sendError(
        res,
        json,
        denied.status,
        [denied.message],
        denied.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {},
      );
      return;
    }
    const route = /^\/api\/custom_objects\/([^/]+)\/object_instances(?:\/([^/]*))?\/?$/.exec(url.pathname);
    if (!route?.[1] || !/^\d+$/.test(route[1])) {
      sendError(res, json, 404, ['The page you were looking for does not exist']);
      return;
    }
    const objectId = Number(route[1]);
    const memberPart = route[2] ?? '';
    const params = [...url.searchParams.entries()];
    const returnObject = readReturnObject(
      url.searchParams.get('return_object') ?? url.searchParams.get('return-object'),
    );
    try {
      if (memberPart === '') {
        if (req.method === 'GET') {
          const page = store.list(
            objectId,
            options.ignoreFilters === true ? params.filter(([k]) => KEPT_WHEN_IGNORING.test(k)) : params,
          );
          const how = returnObject === 'none' ? 'full' : returnObject;
          const records = page.map((r) => store.present(objectId, r, how));
          if (json) sendJson(res, 200, records);
          else if (records.length === 0)
            sendError(res, false, 404, ['No results match your search criteria.']);
          else send(res, 200, renderRecordsXml(records, dateTimeNames(objectId)), XML_TYPE);
          return;
        }
        if (req.method === 'POST') {
          store.object(objectId);
          const fields = customFieldsOf(await readBody(req), req.headers['content-type']);
          if (random.chance(faults.dropBeforeStore)) return drop(req);
          const rec = store.create(objectId, fields);
          if (random.chance(faults.dropAfterStore)) return drop(req);
          respondRecord(res, json, 201, store.present(objectId, rec, returnObject), returnObject, objectId);
          return;
        }
        sendError(res, json, 405, [`${req.method ?? ''} is not supported here`], { Allow: 'GET, POST' });
        return;
      }
      if (!/^\d+$/.test(memberPart)) {
        sendError(res, json, 404, [`Unable to find record with id ${memberPart}`]);
        return;
      }
      const id = Number(memberPart);
      if (req.method === 'GET') {
        const rec = store.get(objectId, id);
        const how = returnObject === 'none' ? 'full' : returnObject;
        respondRecord(res, json, 200, store.present(objectId, rec, how), how, objectId);
        return;
      }
      if (req.method === 'PUT' || req.method === 'PATCH') {
        store.get(objectId, id);
        const fields = customFieldsOf(await readBody(req), req.headers['content-type']);
        if (random.chance(faults.dropBeforeStore)) return drop(req);
        const rec = store.update(objectId, id, fields);
        if (random.chance(faults.dropAfterStore)) return drop(req);
        respondRecord(res, json, 200, store.present(objectId, rec, returnObject), returnObject, objectId);
        return;
      }
      // Coupa does not support deleting custom object records through the API.
      sendError(res, json, 405, [`${req.method ?? ''} is not supported for object instances`], {
        Allow: 'GET, PUT, PATCH',
      });
    } catch (error) {
      if (error instanceof SimHttpError) sendError(res, json, error.status, error.messages);
      else throw error;
    }
  }

  function respondRecord(
    res: ServerResponse,
    json: boolean,
    status: number,
    record: Record<string, unknown>,
    how: ReturnObject,
    objectId: number,
  ): void {
    if (how === 'none') send(res, status, '', json ? JSON_TYPE : XML_TYPE);
    else if (json) sendJson(res, status, record);
    else send(res, status, renderRecordXml(record, dateTimeNames(objectId)), XML_TYPE);
  }

  /** The names typed `dateTime` in an object's XML: the timestamps and its date and datetime fields. */
  function dateTimeNames(objectId: number): Set<string> {
    const names = new Set(['created-at', 'updated-at']);
    for (const field of store.object(objectId).def.fields) {
      if (field.type === 'date' || field.type === 'datetime') names.add(field.name);
    }
    return names;
  }

  async function handleExtras(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/$/, '');
    if (req.method === 'GET' && path === '/_sim/stats') return sendJson(res, 200, snapshot(), false);
    const records = /^\/_sim\/objects\/(\d+)\/records$/.exec(path);
    if (req.method === 'GET' && records?.[1]) {
      const objectId = Number(records[1]);
      try {
        const list = store.all(objectId).map((r) => store.present(objectId, r));
        return sendJson(res, 200, list, false);
      } catch (error) {
        if (error instanceof SimHttpError) return sendJson(res, 404, { error: error.message }, false);
        throw error;
      }
    }
    if (req.method === 'POST' && path === '/_sim/faults') {
      try {
        const raw: unknown = JSON.parse((await readBody(req)) || '{}');
        setFaults(parseFaults(raw));
        return sendJson(res, 200, faults, false);
      } catch (error) {
        return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) }, false);
      }
    }
    sendJson(
      res,
      404,
      {
        error:
          'unknown simulator endpoint (GET /_sim/stats, GET /_sim/objects/{id}/records, POST /_sim/faults)',
      },
      false,
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim.local');
    if (url.pathname.startsWith('/_sim/')) return handleExtras(req, res, url);
    stats.requests++;
    const method = req.method ?? 'GET';
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    const json = /application\/json/i.test(req.headers.accept ?? '');
    if (url.pathname === '/oauth2/token' || url.pathname === '/oauth2/token/') return handleToken(req, res);
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return handleApi(req, res, url, json);
    sendError(res, json, 404, ['The page you were looking for does not exist']);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof BodyError) {
        const json = /application\/json/i.test(req.headers.accept ?? '');
        sendError(res, json, error.status, [error.message]);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      send(res, 500, renderErrors([`simulator bug: ${message}`], true), JSON_TYPE);
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
    clientId: client.id,
    clientSecret: client.secret,
    scopes: client.scopes.join(' '),
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
    setFaults: (partial) => setFaults(parseFaults(partial)),
    issuedTokens: () => [...issued],
  };
}

const JSON_TYPE = 'application/json; charset=utf-8';
const XML_TYPE = 'application/xml; charset=utf-8';

async function resolveConfig(config: SimConfig | string | undefined): Promise<SimConfig> {
  if (typeof config === 'string') return loadSimConfig(config);
  if (config === undefined) return loadSimConfig(defaultSimConfigPath());
  return validateSimConfig(config);
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new BodyError(413, 'Request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The `custom-fields` (or `custom_fields`) of a JSON body; every other element is read-only and ignored. A body sent
 * with another content type (or none: curl's default is a form) is not read as JSON, as Coupa would not.
 */
function customFieldsOf(body: string, contentType: string | undefined): Record<string, unknown> {
  if (body.trim() === '') return {};
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new SimHttpError(400, [
      `Unable to parse the request body as ${type || 'a body without a content type'}: send JSON with Content-Type: application/json`,
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SimHttpError(400, [
      'Unable to parse the request body: send JSON with Content-Type: application/json',
    ]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SimHttpError(400, ['The request body must be a JSON object']);
  }
  const body2 = parsed as Record<string, unknown>;
  const fields = body2['custom-fields'] ?? body2.custom_fields;
  if (fields === undefined || fields === null) return {};
  if (typeof fields !== 'object' || Array.isArray(fields)) {
    throw new SimHttpError(400, ['custom-fields must be an object']);
  }
  return fields as Record<string, unknown>;
}

function readReturnObject(value: string | null): ReturnObject {
  if (value === 'none' || value === 'limited' || value === 'shallow') return value;
  return 'full';
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

function parseFaults(raw: unknown): Partial<SimFaults> {
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

function checkNumber(value: number, name: string, min: number, max: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    const range =
      max === Infinity
        ? min === -Infinity
          ? 'a number'
          : `a number >= ${min}`
        : `a number from ${min} to ${max}`;
    throw new RangeError(`simulator: ${name} must be ${range}, got ${String(value)}`);
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
