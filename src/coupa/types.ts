import type { Dispatcher } from 'undici';

/** How the client proves who it is. Secrets come from the environment only, never argv. */
export type Credentials =
  | { kind: 'oauth'; clientId: string; clientSecret: string; scopes: string }
  | { kind: 'api-key'; apiKey: string };

/** Something the client wants the caller to know about (the core never logs; the CLI decides). */
export type ClientEvent =
  | {
      type: 'request';
      method: string;
      path: string;
      status: number;
      ms: number;
      attempt: number;
      /** The request headers as sent, with the credential headers' values replaced by `[redacted]`. */
      headers: Record<string, string>;
    }
  | { type: 'retry'; method: string; path: string; attempt: number; reason: string; delayMs: number }
  | { type: 'throttled'; method: string; path: string; delayMs: number; retryAfter: boolean }
  | { type: 'token'; expiresInS: number };

export interface ClientOptions {
  /** Base URL, e.g. https://acme.coupahost.com (validated: http only for loopback). */
  instance: string;
  credentials: Credentials;
  /** Most requests started per second, shared by all callers of this client. Default 20. */
  rate?: number;
  /** Most requests in flight at once. Default 8. */
  concurrency?: number;
  /** Attempts after the first for retryable failures. Default 6. */
  maxRetries?: number;
  /** Per-request timeout. Default 60 s. */
  timeoutMs?: number;
  /** Backoff base for 429 without Retry-After and for 5xx. Default 500 ms. Tests lower it. */
  backoffBaseMs?: number;
  onEvent?: (event: ClientEvent) => void;
  /** For narrow unit tests only (undici MockAgent). */
  dispatcher?: Dispatcher;
}

/** A custom object instance as Coupa returns it (keys hyphenated). */
export interface ObjectInstance {
  id: number;
  'created-at'?: string;
  'updated-at'?: string;
  'custom-fields': Record<string, unknown>;
  [key: string]: unknown;
}

/** Query arguments for the index: limit, offset, order_by, dir, filters like `updated-at[gt]`. */
export type IndexQuery = ReadonlyArray<readonly [string, string]>;

export interface ClientStats {
  requests: number;
  retries: number;
  throttled: number;
  /**
   * How far the instance's clock is ahead of this machine's, at least (negative: behind), in ms: from the `Date`
   * header of its answers, each a lower bound (the header's second had begun before the answer arrived). Undefined
   * until an answer had one.
   */
  clockOffsetMs?: number;
}

/** Options of one write (create or update). */
export interface WriteOptions {
  /**
   * Called right before each attempt leaves, once the rate limiter and the concurrency cap let it go (a journal
   * records the send here, not while the request waits). Returning false sends nothing: the call rejects with an
   * AbortedError whose code is `NOT_SENT`. runImport's journal relies on it: a CoupaClient of your own passed to
   * runImport must call it before each attempt.
   */
  beforeSend?: () => boolean;
}

export interface CoupaClient {
  /** GET the index (one page). Retries 429/5xx/network errors. */
  list(objectId: number, query: IndexQuery): Promise<ObjectInstance[]>;
  /** GET one instance. */
  get(objectId: number, id: number): Promise<ObjectInstance>;
  /**
   * POST a new instance with `{"custom-fields": fields}`. Retried only when Coupa surely did not process it (429).
   * After a 5xx or a dropped connection it throws OutcomeUnknownError: the record may exist.
   */
  create(objectId: number, fields: Record<string, unknown>, options?: WriteOptions): Promise<ObjectInstance>;
  /** PUT the given fields of an instance (idempotent: retried like GET). */
  update(
    objectId: number,
    id: number,
    fields: Record<string, unknown>,
    options?: WriteOptions,
  ): Promise<ObjectInstance>;
  stats(): ClientStats;
  close(): Promise<void>;
}
