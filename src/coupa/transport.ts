/**
 * Sends requests to the instance: undici keep-alive connections, the rate limiter and concurrency cap shared by all
 * callers, the credential headers, and the retry loop (429, 5xx, network errors, one token renewal after a 401) that
 * never repeats a create which may have landed. Answers come back as they are; what they mean is answers.ts's.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import { AbortedError } from '../shared/index.js';
import { describeDetail, type Answer } from './answers.js';
import { OutcomeUnknownError } from './errors.js';
import { RequestLimiter } from './limiter.js';
import { classifyNetworkError, computeBackoff, parseRetryAfter } from './retry-policy.js';
import { redactHeaders } from './redact.js';
import type { ClientEvent, ClientStats } from './types.js';

export type Method = 'GET' | 'POST' | 'PUT';

/** One request to send (and to send again, where that is safe). */
export interface Outgoing {
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

export type Send = (req: Outgoing) => Promise<Answer>;

/** Where the credentials of /api requests come from. */
export type RequestAuth =
  | { kind: 'api-key'; apiKey: string }
  | {
      kind: 'bearer';
      /** A token good for the next request (fetched, reused or renewed). */
      getToken: () => Promise<string>;
      /** The server refused `token` (401): the next getToken must not return it. */
      refuseToken: (token: string) => void;
    };

/** The transport's settings, already checked by the client. */
export interface TransportOptions {
  /** The instance's base URL. */
  base: URL;
  rate: number;
  concurrency: number;
  maxRetries: number;
  timeoutMs: number;
  backoffBaseMs: number;
  onEvent?: ((event: ClientEvent) => void) | undefined;
  /** A dispatcher of the caller's (tests): used, and left open at close. */
  dispatcher?: Dispatcher | undefined;
  /** Messages of 5xx answers to creates go into errors: secrets must come out. */
  redact: (text: string) => string;
}

export interface Transport {
  /** Sends `req` (again where allowed) and returns its final answer; throws for what has no answer. */
  send: Send;
  /** Tells the listener, whose bugs cannot break a request half-way. */
  emit: (event: ClientEvent) => void;
  stats(): ClientStats;
  close(): Promise<void>;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Creates the transport. `authorize` receives the transport's own `send` (the token request goes through it, outside
 * the limiter) and returns how /api requests authenticate.
 */
export function createTransport(
  options: TransportOptions,
  authorize: (send: Send) => RequestAuth,
): Transport {
  const { base, maxRetries, timeoutMs, backoffBaseMs, onEvent } = options;
  const host = base.host;
  const origin = base.origin;
  const prefix = base.pathname === '/' ? '' : base.pathname;
  const ownDispatcher = options.dispatcher === undefined;
  const dispatcher: Dispatcher =
    options.dispatcher ??
    new Agent({
      connections: options.concurrency,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      connect: { timeout: Math.min(timeoutMs, 30_000) },
    });
  const limiter = new RequestLimiter({ rate: options.rate, concurrency: options.concurrency });
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

  const emit = (event: ClientEvent): void => {
    try {
      onEvent?.(event);
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
    if (!onEvent) return;
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
        if (auth.kind === 'bearer') {
          // After the slot, not before: a token taken before a long wait for the rate could expire during it.
          try {
            token = await auth.getToken();
          } catch (error) {
            ticket?.release();
            throw error;
          }
          headers.authorization = `Bearer ${token}`;
        } else {
          headers['x-coupa-api-key'] = auth.apiKey;
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
            `HTTP ${status} from ${host}${describeDetail(answer, options.redact)}; the record may or may not have been created`,
            req.path,
          );
        }
        if (retries >= maxRetries) return answer;
        const delayMs = computeBackoff(backoffBaseMs, retries);
        noteRetry(req, attempt, `HTTP ${status}`, delayMs);
        await pause(delayMs);
        continue;
      }
      if (status === 401 && token !== undefined && !renewed && auth.kind === 'bearer') {
        // The token may have expired or been revoked early: get a new one and try once more, at once and
        // outside the retry budget.
        renewed = true;
        auth.refuseToken(token);
        noteRetry(req, attempt, 'HTTP 401', 0);
        continue;
      }
      return answer;
    }
  }

  const auth = authorize(send);

  return {
    send,
    emit,
    stats: () => ({ ...counters }),
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
