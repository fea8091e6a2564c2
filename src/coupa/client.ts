import { UsageError } from '../shared/index.js';
import {
  buildFailure,
  readJson,
  toInstance,
  toInstanceList,
  type Answer,
  type FailureContext,
} from './answers.js';
import { resolveInstanceUrl } from './config.js';
import { createOAuthAuth } from './oauth.js';
import { SecretRedactor } from './redact.js';
import { createTransport, type Outgoing } from './transport.js';
import type {
  ClientOptions,
  ClientStats,
  CoupaClient,
  IndexQuery,
  ObjectInstance,
  WriteOptions,
} from './types.js';

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

/**
 * Creates the Coupa client every command uses: undici keep-alive connections, one rate limiter and concurrency cap
 * shared by all callers, OAuth token handling, retries that never repeat a create which may have landed, and
 * Coupa's error answers turned into `CoupaApiError` / `AuthError` / `OutcomeUnknownError` / `AbortedError`.
 * It composes transport.ts (sending and retrying), oauth.ts (tokens), redact.ts (secrets) and answers.ts (what an
 * answer means).
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
  const credentials = options.credentials;
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

  const secrets = new SecretRedactor(
    credentials.kind === 'oauth' ? credentials.clientSecret : credentials.apiKey,
  );
  const redact = secrets.redact;
  const transport = createTransport(
    {
      base,
      rate,
      concurrency,
      maxRetries,
      timeoutMs,
      backoffBaseMs,
      onEvent: options.onEvent,
      dispatcher: options.dispatcher,
      redact,
    },
    (send) =>
      credentials.kind === 'oauth'
        ? createOAuthAuth({
            credentials,
            host,
            send,
            addSecret: (secret) => secrets.add(secret),
            redact,
            emit: (event) => transport.emit(event),
          })
        : { kind: 'api-key', apiKey: credentials.apiKey },
  );
  const failure: FailureContext = { host, credentials, maxRetries, redact };

  async function call(req: Outgoing): Promise<{ answer: Answer; value: unknown }> {
    const answer = await transport.send(req);
    if (answer.status < 200 || answer.status >= 300) throw buildFailure(req, answer, failure);
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
      return toInstanceList(req, answer, value);
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
      return transport.stats();
    },

    close(): Promise<void> {
      return transport.close();
    },
  };
}
