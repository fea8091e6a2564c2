import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import { AbortedError, AuthError, UsageError } from '../shared/errors.js';
import { resolveInstanceUrl } from './config.js';
import { CoupaApiError, OutcomeUnknownError } from './errors.js';
import { RequestLimiter } from './limiter.js';
import { parseCoupaErrors } from './parse-errors.js';
import { classifyNetworkError, computeBackoff, parseRetryAfter } from './retry-policy.js';
import { TokenSource, type IssuedToken } from './token-source.js';
import type {
  ClientEvent,
  ClientOptions,
  ClientStats,
  CoupaClient,
  Credentials,
  IndexQuery,
  ObjectInstance,
  WriteOptions,
} from './types.js';

const TOKEN_PATH = '/oauth2/token';
/** Assumed token lifetime when the token endpoint does not say (Coupa's are 86399 s). */
const DEFAULT_TOKEN_LIFE_S = 3600;

type Method = 'GET' | 'POST' | 'PUT';

interface Outgoing {
  method: Method;
  /** Path and query, relative to the instance base URL. */
  path: string;
  body?: string;
  contentType?: string;
  /**
   * `safe`: may be sent again (GET, PUT, the token request). `create`: a POST that is sent again only when the
   * server surely did not process it (429, or no connection was ever made).
   */
  kind: 'safe' | 'create';
  /** Send the credentials (every /api call; not the token request itself). */
  auth: boolean;
  /** See {@link WriteOptions.beforeSend}. */
  beforeSend?: (() => boolean) | undefined;
}

interface Answer {
  status: number;
  contentType: string | undefined;
  retryAfter: string | undefined;
  location: string | undefined;
  text: string;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new UsageError(`${name} must be a positive integer, got ${value}`);
}

/**
 * Encodes index arguments: values fully percent-encoded (`:` and `+` in datetimes included, or `+01:00` would
 * arrive as ` 01:00`), brackets in names kept readable (`updated-at[gt]`).
 *
 * @example
 * buildQueryString([['updated-at[gt]', '2026-01-01T00:00:00+01:00']]); // '?updated-at[gt]=2026-01-01T00%3A00%3A00%2B01%3A00'
 */
function buildQueryString(query: IndexQuery): string {
  if (query.length === 0) return '';
  const encodeName = (name: string): string =>
    encodeURIComponent(name).replace(/%5B/gi, '[').replace(/%5D/gi, ']');
  return `?${query.map(([name, value]) => `${encodeName(name)}=${encodeURIComponent(value)}`).join('&')}`;
}

function collectionPath(objectId: number): string {
  checkPositiveInteger('the custom object id', objectId);
  return `/api/custom_objects/${objectId}/object_instances`;
}

function describeContentType(answer: Answer): string {
  return answer.contentType
    ? answer.contentType.split(';')[0]?.trim() || answer.contentType
    : 'no content type';
}

function oauthErrorCode(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && 'error' in parsed) {
      const code = parsed.error;
      if (typeof code === 'string') return code;
    }
  } catch {
    // not JSON: no OAuth error code
  }
  return undefined;
}

/**
 * Creates the Coupa client every command uses: undici keep-alive connections, one rate limiter and concurrency cap
 * shared by all callers, OAuth token handling, retries that never repeat a create which may have landed, and
 * Coupa's error answers turned into `CoupaApiError` / `AuthError` / `OutcomeUnknownError` / `AbortedError`.
 *
 * @throws ConfigError `INSTANCE` for a bad instance URL; UsageError for a non-positive rate or concurrency
 * @example
 * const client = createClient({ instance: 'https://acme.coupahost.com', credentials: credentialsFromEnv(process.env) });
 * const page = await client.list(101, [['limit', '50'], ['order_by', 'id']]);
 * await client.close();
 */
export function createClient(options: ClientOptions): CoupaClient {
  const base = resolveInstanceUrl(options.instance);
  const host = base.host;
  const origin = base.origin;
  const prefix = base.pathname === '/' ? '' : base.pathname;
  const credentials: Credentials = options.credentials;
  const rate = options.rate ?? 20;
  const concurrency = options.concurrency ?? 8;
  const maxRetries = options.maxRetries ?? 6;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const backoffBaseMs = options.backoffBaseMs ?? 500;
  if (!(rate > 0) || !Number.isFinite(rate))
    throw new UsageError(`the rate must be a positive number, got ${rate}`);
  checkPositiveInteger('the concurrency', concurrency);
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new UsageError(`maxRetries must be a whole number >= 0, got ${maxRetries}`);
  }
  if (!(timeoutMs > 0)) throw new UsageError(`the timeout must be positive, got ${timeoutMs}`);
  if (!(backoffBaseMs >= 0)) throw new UsageError(`the backoff base must be >= 0, got ${backoffBaseMs}`);

  const ownDispatcher = options.dispatcher === undefined;
  const dispatcher: Dispatcher =
    options.dispatcher ??
    new Agent({
      connections: concurrency,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      connect: { timeout: Math.min(timeoutMs, 30_000) },
    });
  const limiter = new RequestLimiter({ rate, concurrency });
  const counters: ClientStats = { requests: 0, retries: 0, throttled: 0 };
  let closed = false;
  // Retry back-offs end when the client is closed: a stopped run must not wait for them (nor must its process).
  const closing = new AbortController();
  // One listener per retry wait in progress: many at once under a burst of 5xx is normal, not a leak.
  setMaxListeners(0, closing.signal);
  const pause = (ms: number): Promise<void> =>
    sleep(ms, undefined, { signal: closing.signal }).catch(() => {
      throw new AbortedError(
        'the Coupa client was closed during a retry wait; the request was not sent',
        'CLOSED',
      );
    });

  // Everything that must never be shown: the secret or key, and every token issued, also as a server would echo
  // them back encoded (URL, form or JSON escapes) or as a message shows them (white space runs as one space),
  // longest first. However short: a secret is never shown, even if that garbles a message.
  const secrets: string[] = [];
  const addSecret = (secret: string): void => {
    const forms = [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ s: secret }).toString().slice(2),
      JSON.stringify(secret).slice(1, -1),
      secret.replace(/\s+/g, ' ').trim(),
    ];
    for (const form of forms) if (form !== '' && !secrets.includes(form)) secrets.push(form);
    secrets.sort((a, b) => b.length - a.length);
  };
  addSecret(credentials.kind === 'oauth' ? credentials.clientSecret : credentials.apiKey);
  const redact = (text: string): string => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('[redacted]');
    // A message cut at its length limit may end in the start of a secret.
    if (out.endsWith('…')) {
      const body = out.slice(0, -1);
      for (const secret of secrets) {
        for (let n = Math.min(secret.length - 1, body.length); n >= 1; n--) {
          if (body.endsWith(secret.slice(0, n))) return `${body.slice(0, -n)}[redacted]…`;
        }
      }
    }
    return out;
  };
  // Redacted before the messages are parsed (where white space is folded and long ones are cut) and after (a
  // secret written as HTML or XML entities is only readable then).
  const serverMessages = (answer: Answer): string[] =>
    parseCoupaErrors(answer.status, answer.contentType, redact(answer.text)).map(redact);
  const detailOf = (answer: Answer): string => {
    const messages = serverMessages(answer).filter((m) => m !== 'no message');
    return messages.length > 0 ? `: ${messages.join('; ')}` : '';
  };

  const emit = (event: ClientEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's bug must not break a request half-way (the slot would never be released).
    }
  };

  /** The `request` event; built (headers copied and redacted) only when someone listens. */
  const emitRequest = (
    req: Outgoing,
    status: number,
    started: number,
    attempt: number,
    headers: Record<string, string>,
  ): void => {
    if (!options.onEvent) return;
    const ms = Math.round(performance.now() - started);
    emit({
      type: 'request',
      method: req.method,
      path: req.path,
      status,
      ms,
      attempt,
      headers: redactHeaders(headers),
    });
  };

  /**
   * Books one more attempt at `req` after `attempt` failed: counted in the stats and announced as a `retry` event.
   * Checking the budget and waiting (or not) are the caller's.
   */
  const noteRetry = (req: Outgoing, attempt: number, reason: string, delayMs: number): void => {
    counters.retries += 1;
    emit({ type: 'retry', method: req.method, path: req.path, attempt, reason, delayMs });
  };

  const tokens = new TokenSource(fetchToken);

  async function send(req: Outgoing): Promise<Answer> {
    let renewed = false;
    for (let attempt = 1; ; attempt += 1) {
      // Every attempt after the first is a retry; all but the one token renewal count against the budget.
      const retries = attempt - 1 - (renewed ? 1 : 0);
      const headers: Record<string, string> = { accept: 'application/json' };
      if (req.contentType !== undefined) headers['content-type'] = req.contentType;
      // The token request is made by a caller that already holds a slot: it passes outside the limiter (one
      // request in many hours against a real instance), so that no caller can wait for a slot it holds itself.
      const ticket = req.auth ? await limiter.acquire() : undefined;
      let token: string | undefined;
      if (req.auth) {
        if (credentials.kind === 'oauth') {
          // After the slot, not before: a token taken before a long wait for the rate could expire during it.
          try {
            token = await tokens.get();
          } catch (error) {
            ticket?.release();
            throw error;
          }
          headers.authorization = `Bearer ${token}`;
        } else {
          headers['x-coupa-api-key'] = credentials.apiKey;
        }
      }
      if (req.beforeSend && !req.beforeSend()) {
        ticket?.release();
        throw new AbortedError('the request was not sent: the run is stopping', 'NOT_SENT');
      }
      const started = performance.now();
      let answer: Answer;
      try {
        counters.requests += 1;
        const response = await dispatcher.request({
          origin,
          path: prefix + req.path,
          method: req.method,
          headers,
          body: req.body ?? null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        // Always read the body to the end: an unread body keeps the connection from being reused.
        const text = await response.body.text();
        const serverDate = Date.parse(headerValue(response.headers.date) ?? '');
        if (Number.isFinite(serverDate)) {
          const offset = serverDate - Date.now();
          if (counters.clockOffsetMs === undefined || offset > counters.clockOffsetMs)
            counters.clockOffsetMs = offset;
        }
        answer = {
          status: response.statusCode,
          contentType: headerValue(response.headers['content-type']),
          retryAfter: headerValue(response.headers['retry-after']),
          location: headerValue(response.headers.location),
          text,
        };
      } catch (error) {
        ticket?.release();
        const failure = classifyNetworkError(error);
        if (!failure) throw error;
        emitRequest(req, 0, started, attempt, headers);
        if (req.kind === 'create' && !failure.neverSent) {
          throw new OutcomeUnknownError(
            `${failure.description} (${failure.code}) after the request was sent to ${host}: ` +
              'the record may or may not have been created',
            req.path,
          );
        }
        if (!failure.retryable || retries >= maxRetries) {
          const tries = attempt > 1 ? ` (${attempt} attempts)` : '';
          throw new AbortedError(
            `${host} could not be reached: ${failure.description} (${failure.code})${tries}`,
            'UNREACHABLE',
          );
        }
        const delayMs = computeBackoff(backoffBaseMs, retries);
        noteRetry(req, attempt, failure.code, delayMs);
        await pause(delayMs);
        continue;
      }
      ticket?.release();
      const { status } = answer;
      emitRequest(req, status, started, attempt, headers);

      if (status === 429) {
        counters.throttled += 1;
        const fromHeader = parseRetryAfter(answer.retryAfter);
        const delayMs = fromHeader ?? computeBackoff(backoffBaseMs, retries);
        // Every caller waits, not just this one: the limiter holds all starts until the pause is over.
        limiter.throttle(delayMs, ticket?.startedAt ?? started);
        emit({
          type: 'throttled',
          method: req.method,
          path: req.path,
          delayMs,
          retryAfter: fromHeader !== undefined,
        });
        if (retries >= maxRetries) return answer;
        noteRetry(req, attempt, 'HTTP 429', delayMs);
        // The limiter holds this start too; the token request, outside it, waits by itself.
        if (!ticket) await pause(delayMs);
        continue;
      }
      limiter.recordSuccess();
      if (status >= 500 && status <= 599) {
        if (req.kind === 'create') {
          throw new OutcomeUnknownError(
            `HTTP ${status} from ${host}${detailOf(answer)}; the record may or may not have been created`,
            req.path,
          );
        }
        if (retries >= maxRetries) return answer;
        const delayMs = computeBackoff(backoffBaseMs, retries);
        noteRetry(req, attempt, `HTTP ${status}`, delayMs);
        await pause(delayMs);
        continue;
      }
      if (status === 401 && token !== undefined && !renewed) {
        // The token may have expired or been revoked early: get a new one and try once more, at once and
        // outside the retry budget.
        renewed = true;
        tokens.invalidate(token);
        noteRetry(req, attempt, 'HTTP 401', 0);
        continue;
      }
      return answer;
    }
  }

  async function fetchToken(): Promise<IssuedToken> {
    if (credentials.kind !== 'oauth') throw new Error('fetchToken needs OAuth credentials');
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      scope: credentials.scopes,
    });
    const answer = await send({
      method: 'POST',
      path: TOKEN_PATH,
      body: form.toString(),
      contentType: 'application/x-www-form-urlencoded',
      kind: 'safe',
      auth: false,
    });
    const { status } = answer;
    if (status >= 200 && status < 300) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(answer.text);
      } catch {
        parsed = undefined;
      }
      const body = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
      const accessToken = body.access_token;
      // A token that cannot go in a header (a line break) would fail every request with an exception.
      if (typeof accessToken !== 'string' || !/^[\x21-\x7e]+$/.test(accessToken)) {
        throw new AbortedError(
          `the token endpoint of ${host} answered HTTP ${status} without a usable access token ` +
            `(${describeContentType(answer)}): check the instance URL (--instance / COUPA_INSTANCE)`,
          'TOKEN_ENDPOINT',
        );
      }
      addSecret(accessToken);
      const rawLife = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
      const expiresInS = typeof rawLife === 'number' && rawLife > 0 ? rawLife : DEFAULT_TOKEN_LIFE_S;
      emit({ type: 'token', expiresInS });
      return { accessToken, expiresInS };
    }
    const detail = detailOf(answer);
    const oauthCode = oauthErrorCode(answer.text);
    const scopeAdvice =
      `the OAuth client in Coupa needs ${credentials.scopes.includes(' ') ? 'them' : 'it'} ` +
      '(Setup > OAuth2/OpenID Connect Clients), or set COUPA_SCOPES / --scopes to scopes it has';
    if (status === 403 || oauthCode === 'invalid_scope') {
      throw new AuthError(
        `${host} refused the scope(s) "${credentials.scopes}" (HTTP ${status}${detail}): ${scopeAdvice}`,
        403,
      );
    }
    if (status === 401 || oauthCode === 'invalid_client') {
      throw new AuthError(
        `COUPA_CLIENT_ID / COUPA_CLIENT_SECRET were refused by ${host} (HTTP ${status}${detail})`,
        401,
      );
    }
    if (
      oauthCode === 'unauthorized_client' ||
      oauthCode === 'unsupported_grant_type' ||
      oauthCode === 'invalid_grant'
    ) {
      throw new AuthError(
        `${host} refused the client-credentials grant for COUPA_CLIENT_ID (HTTP ${status}${detail}): the OAuth ` +
          'client in Coupa must use the grant type "client credentials"',
        401,
      );
    }
    if (status === 400) {
      throw new AuthError(`${host} refused the token request for COUPA_CLIENT_ID (HTTP 400${detail})`, 401);
    }
    if (status === 404) {
      throw new AbortedError(
        `${host} has no OAuth token endpoint (POST ${TOKEN_PATH} answered HTTP 404): check the instance URL ` +
          '(--instance / COUPA_INSTANCE)',
        'TOKEN_ENDPOINT',
      );
    }
    throw new AbortedError(`the token endpoint of ${host} failed: HTTP ${status}${detail}`, 'TOKEN_ENDPOINT');
  }

  function failureOf(req: Outgoing, answer: Answer): Error {
    const { status } = answer;
    const where = `${req.method} ${req.path}`;
    if (status === 401) {
      if (credentials.kind === 'api-key') {
        return new AuthError(
          `COUPA_API_KEY was refused by ${host} (HTTP 401 on ${where}): check the key; Coupa stopped accepting API ` +
            'keys in release R35 (2023), newer instances need an OAuth client (COUPA_CLIENT_ID / COUPA_CLIENT_SECRET)',
          401,
        );
      }
      return new AuthError(
        `${host} refused the access token issued to COUPA_CLIENT_ID (HTTP 401 on ${where}), even a freshly renewed ` +
          'one: check that the OAuth client is active and allowed to call the API',
        401,
      );
    }
    if (status === 403) {
      if (credentials.kind === 'api-key') {
        return new AuthError(
          `${host} refused ${where} with HTTP 403: the API key in COUPA_API_KEY has no permission for custom objects`,
          403,
        );
      }
      const plural = credentials.scopes.includes(' ');
      return new AuthError(
        `${host} refused ${where} with HTTP 403${detailOf(answer)}: the access token lacks the scope for custom ` +
          `objects. Requested scope${plural ? 's' : ''}: ${credentials.scopes}; the OAuth client in Coupa needs ` +
          `${plural ? 'them' : 'it'} (Setup > OAuth2/OpenID Connect Clients), or set COUPA_SCOPES / --scopes to a ` +
          'scope it has (core.custom_objects.read_write)',
        403,
      );
    }
    if (status === 429) {
      const messages = serverMessages(answer).filter((m) => m !== 'no message');
      return new CoupaApiError(
        429,
        [...messages, `still rate limited after ${maxRetries} retries`],
        req.method,
        req.path,
      );
    }
    if (status >= 300 && status < 400) {
      const target = answer.location ? redact(answer.location.split('?')[0] ?? '') : 'elsewhere';
      return new CoupaApiError(
        status,
        [`redirected to ${target}: check the instance URL (--instance / COUPA_INSTANCE)`],
        req.method,
        req.path,
      );
    }
    return new CoupaApiError(status, serverMessages(answer), req.method, req.path);
  }

  function readJson(req: Outgoing, answer: Answer): unknown {
    const type = (answer.contentType ?? '').toLowerCase();
    const text = answer.text.trim();
    const fail = (why: string): CoupaApiError =>
      new CoupaApiError(answer.status, [why], req.method, req.path);
    if (text === '') throw fail('the answer was empty; a JSON record was expected');
    if (!type.includes('json') && !(type === '' && /^[[{]/.test(text))) {
      if (type.includes('html') || /^(<!doctype html|<html)/i.test(text)) {
        throw fail(
          'the answer was an HTML page, not JSON: check the instance URL (--instance / COUPA_INSTANCE)',
        );
      }
      throw fail(
        `the answer was not JSON (${describeContentType(answer)}): a proxy may have dropped the ` +
          '"Accept: application/json" header, or the instance URL does not point at Coupa',
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw fail(`the answer was not valid JSON (${describeContentType(answer)})`);
    }
  }

  function toInstance(req: Outgoing, answer: Answer, value: unknown): ObjectInstance {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new CoupaApiError(
        answer.status,
        ['the answer was not a record (a JSON object)'],
        req.method,
        req.path,
      );
    }
    const record = value as Record<string, unknown>;
    const rawId = record.id;
    const id = typeof rawId === 'string' && /^\d+$/.test(rawId) ? Number(rawId) : rawId;
    if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
      throw new CoupaApiError(
        answer.status,
        ['the record in the answer has no numeric id'],
        req.method,
        req.path,
      );
    }
    const fields = record['custom-fields'];
    const customFields =
      fields && typeof fields === 'object' && !Array.isArray(fields)
        ? (fields as Record<string, unknown>)
        : {};
    return { ...record, id, 'custom-fields': customFields };
  }

  async function call(req: Outgoing): Promise<{ answer: Answer; value: unknown }> {
    const answer = await send(req);
    if (answer.status < 200 || answer.status >= 300) throw failureOf(req, answer);
    return { answer, value: readJson(req, answer) };
  }

  async function callForRecord(req: Outgoing): Promise<ObjectInstance> {
    const { answer, value } = await call(req);
    return toInstance(req, answer, value);
  }

  return {
    async list(objectId: number, query: IndexQuery): Promise<ObjectInstance[]> {
      const req: Outgoing = {
        method: 'GET',
        path: collectionPath(objectId) + buildQueryString(query),
        kind: 'safe',
        auth: true,
      };
      const { answer, value } = await call(req);
      if (!Array.isArray(value)) {
        throw new CoupaApiError(
          answer.status,
          ['the answer was not a list of records'],
          req.method,
          req.path,
        );
      }
      return value.map((item) => toInstance(req, answer, item));
    },

    async get(objectId: number, id: number): Promise<ObjectInstance> {
      checkPositiveInteger('the instance id', id);
      return callForRecord({
        method: 'GET',
        path: `${collectionPath(objectId)}/${id}`,
        kind: 'safe',
        auth: true,
      });
    },

    async create(
      objectId: number,
      fields: Record<string, unknown>,
      options: WriteOptions = {},
    ): Promise<ObjectInstance> {
      return callForRecord({
        method: 'POST',
        path: collectionPath(objectId),
        body: JSON.stringify({ 'custom-fields': fields }),
        contentType: 'application/json',
        kind: 'create',
        auth: true,
        beforeSend: options.beforeSend,
      });
    },

    async update(
      objectId: number,
      id: number,
      fields: Record<string, unknown>,
      options: WriteOptions = {},
    ): Promise<ObjectInstance> {
      checkPositiveInteger('the instance id', id);
      return callForRecord({
        method: 'PUT',
        path: `${collectionPath(objectId)}/${id}`,
        body: JSON.stringify({ 'custom-fields': fields }),
        contentType: 'application/json',
        kind: 'safe',
        auth: true,
        beforeSend: options.beforeSend,
      });
    },

    stats(): ClientStats {
      return { ...counters };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      closing.abort();
      limiter.close();
      // A dispatcher passed in (tests) belongs to its creator.
      if (ownDispatcher) await dispatcher.close();
    },
  };
}

/** Request headers safe to show: the values of the credential headers are replaced (the scheme is kept). */
function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'authorization') shown[name] = `${value.split(' ')[0] ?? ''} [redacted]`;
    else if (name === 'x-coupa-api-key') shown[name] = '[redacted]';
    else shown[name] = value;
  }
  return shown;
}
