/** The field types a custom object field can have in the simulator's config. */
export type SimFieldType =
  'text' | 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'lookup' | 'user' | 'supplier';

/** One custom field of a custom object definition. */
export interface SimFieldConfig {
  /** Field name as it appears under `custom-fields`, hyphenated lowercase (`vendor-code`). */
  name: string;
  type: SimFieldType;
  /** Label used in validation messages (`Vendor code can't be blank`). Default: the name, humanised. */
  prompt?: string;
  /** Enforced on create: blank or missing fails with 400. Default false. */
  required?: boolean;
  /** For `lookup` fields: the lookup set (a key of `SimConfig.lookups`) the values come from. */
  lookup?: string;
  /** For `decimal` fields: digits after the point on output. Default 2. */
  scale?: number;
}

/** One custom object definition (made in Coupa's UI; no API lists them). */
export interface SimObjectConfig {
  id: number;
  code: string;
  name: string;
  fields: SimFieldConfig[];
}

export interface SimLookupValue {
  id: number;
  name: string;
  'external-ref-num'?: string | null;
  'external-ref-code'?: string | null;
  /** Default true. */
  active?: boolean;
}

export interface SimUser {
  id: number;
  login: string;
  email: string;
}

export interface SimSupplier {
  id: number;
  name: string;
  number: string;
}

/** The OAuth client the simulator accepts. */
export interface SimClientConfig {
  id: string;
  secret: string;
  /** Every scope this client may request. A token request without `scope` gets all of them. */
  scopes: string[];
}

/**
 * The simulator's config file (JSON). Every key is validated on load; an error names the path of the bad key,
 * e.g. `objects[0].fields[3].type: "strng" is not one of text, integer, ...`.
 *
 * ```json
 * {
 *   "timezone": "America/Los_Angeles",
 *   "client": { "id": "coupa-csv-sim", "secret": "sim-secret",
 *               "scopes": ["core.custom_objects.read_write", "core.common.read"] },
 *   "apiUser": { "id": 900, "login": "integration", "email": "integration@example.com" },
 *   "users": [{ "id": 11, "login": "jdoe", "email": "jdoe@example.com" }],
 *   "suppliers": [{ "id": 21, "name": "Acme Industrial Supply", "number": "S-1001" }],
 *   "lookups": { "cost-centers": [{ "id": 31, "name": "Marketing", "external-ref-num": "100",
 *                                   "external-ref-code": "CC-100", "active": true }] },
 *   "objects": [{ "id": 101, "code": "vendor_onboarding", "name": "Vendor Onboarding",
 *                 "fields": [{ "name": "vendor-code", "type": "text", "required": true, "prompt": "Vendor code" },
 *                            { "name": "cost-center", "type": "lookup", "lookup": "cost-centers" }] }]
 * }
 * ```
 * - `objects` (required, at least one): `id` (positive integer, unique), `code`, `name`, `fields`.
 * - `fields[]`: `name` (lowercase letters, digits and hyphens; unique in the object; not a read-only element name),
 *   `type` (text, integer, decimal, boolean, date, datetime, lookup, user, supplier), `required` (default false),
 *   `prompt` (default: the name with hyphens as spaces, first letter capitalised), `lookup` (required for and only
 *   allowed on `lookup` fields: a key of `lookups`), `scale` (decimal only, 0-10, default 2).
 * - `lookups`: lookup set name -> values `{id, name, external-ref-num?, external-ref-code?, active?}`.
 * - `users`: `{id, login, email}`; `suppliers`: `{id, name, number}`. Ids unique within each list.
 * - `client` (optional): the OAuth client; default id `coupa-csv-sim`, secret `sim-secret`, scopes
 *   `["core.custom_objects.read_write"]`. Simulator options `clientId` / `clientSecret` override it.
 * - `apiUser` (optional): shown as `created-by` / `updated-by` of records written through the API.
 * - `timezone` (optional): the instance's IANA time zone (default America/Los_Angeles; the `timezone` option wins).
 * - `variations` (optional): Coupa's variations this instance shows, keys of {@link SimVariations}.
 */
export interface SimConfig {
  timezone?: string;
  /** How this instance differs from the default behaviour (see {@link SimVariations}); options win key by key. */
  variations?: Partial<SimVariations>;
  client?: SimClientConfig;
  /** The legacy `X-COUPA-API-KEY` the simulator accepts (none: API keys are refused). */
  apiKey?: string;
  apiUser?: SimUser;
  users: SimUser[];
  suppliers: SimSupplier[];
  lookups: Record<string, SimLookupValue[]>;
  objects: SimObjectConfig[];
}

/** Faults injected into `/api` requests, drawn from a PRNG seeded with `seed` so a run can be replayed. */
export interface SimFaults {
  /** Fraction (0-1) of requests answered 500, 502 or 503 (sometimes with an HTML body), nothing stored. */
  error5xx: number;
  /** Fraction of requests answered 429 although under the rate. */
  extra429: number;
  /** Fraction of successful creates/updates whose connection is destroyed after the record was stored. */
  dropAfterStore: number;
  /** Fraction of creates/updates whose connection is destroyed before anything was stored. */
  dropBeforeStore: number;
  /** PRNG seed. Setting it restarts the sequence. Default 1. */
  seed: number;
}

/** The body of a 401, 403, 404 or 429 answer on /api. */
export type SimErrorBody = 'default' | 'empty' | 'xml' | 'json';

/**
 * Ways real Coupa instances differ from one another (or from their documentation), each off by default. A test
 * turns one on to prove the client copes with it.
 */
export interface SimVariations {
  /**
   * Body of 401/403/404/429 answers on /api: in the format the request asked for (`default`), none at all
   * (`empty`), always XML (`xml`) or always JSON (`json`), whatever the Accept header said.
   */
  errorBody: SimErrorBody;
  /** JSON validation errors (400 on a write) carry a `warnings` list beside the resource's errors. */
  warnings: boolean;
  /** XML error messages are wrapped in CDATA sections instead of escaped. */
  cdata: boolean;
  /** Lenient casting: a boolean word it does not know is stored as true instead of refused. */
  lenientBooleans: boolean;
  /**
   * Text filters and ordering compare case-insensitively, as a database with a case-insensitive collation does
   * (equality, `not_eq`, `in`, `not_in`, `contains`, `starts_with`, `ends_with`, `gt`/`lt`, `order_by`).
   */
  caseInsensitiveFilters: boolean;
  /**
   * A datetime without an offset (`2026-03-01T09:00:00`), in a value or a filter, is read in the instance's zone
   * instead of as UTC. A date alone stays midnight UTC.
   */
  localTimes: boolean;
}

export interface SimulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** A config object, or the path of a JSON config file. Default: samples/sim-config.json of this package. */
  config?: SimConfig | string;
  /** Requests per second the leaky bucket lets through on /api. Default 25. 0 or Infinity: no limit. */
  rate?: number;
  /** Requests that may wait in the queue over the rate; beyond it, 429. Default 20. */
  burst?: number;
  /** Send `Retry-After: 1` with 429 answers: always (true, default), never (false) or on about half ('mixed'). */
  retryAfter?: boolean | 'mixed';
  /** Delay added to every /api request, in ms. Default 0. */
  latencyMs?: number;
  /**
   * The instance's clock, in epoch ms: record timestamps and the `Date` header of its answers. Default `Date.now`.
   * Tests give a clock that runs behind or ahead of the machine's, or stands still.
   */
  now?: () => number;
  faults?: Partial<SimFaults>;
  /** Lifetime of issued tokens in seconds (fractions allowed; 0: every token is expired when issued). Default 86399. */
  tokenLifetimeS?: number;
  /** The instance's IANA time zone for datetimes out. Default: the config's, else America/Los_Angeles. */
  timezone?: string;
  /**
   * Ignore index filters on custom fields (filters on id, created-at and updated-at still apply), as an instance may
   * do with a filter it does not know: tests of the export's check of every record against its filters.
   */
  ignoreFilters?: boolean;
  /** Accept the legacy `X-COUPA-API-KEY` header with this key. Default: the header is refused. */
  apiKey?: string;
  /** Override the config's OAuth client id. */
  clientId?: string;
  /** Override the config's OAuth client secret. */
  clientSecret?: string;
  /** Coupa's variations to reproduce (default: none); each key wins over the config's `variations`. */
  variations?: Partial<SimVariations>;
}

/** Counters of what the simulator received (everything except `/_sim` requests). */
export interface SimStats {
  requests: number;
  byStatus: Record<string, number>;
  byMethod: Record<string, number>;
  /** Most `/api` requests being handled at once, queued ones included. */
  maxInFlight: number;
  /** 429 answers (rate limit and extra429). */
  throttled: number;
  /** Most requests waiting in the rate-limit queue at once. */
  queuedMax: number;
  /** Connections destroyed by dropAfterStore / dropBeforeStore. */
  dropped: number;
  tokensIssued: number;
}

/** A running simulator. */
export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:43125` (no trailing slash). */
  url: string;
  clientId: string;
  clientSecret: string;
  /** The scopes the client may request, space-separated. */
  scopes: string;
  close(): Promise<void>;
  stats(): SimStats;
  /** Every record of an object in id order, as the JSON API returns them. Throws for an unknown object. */
  records(objectId: number): Array<Record<string, unknown>>;
  /** Stores a record without HTTP, limits or faults (tests, benchmark preload). Throws on invalid values. */
  insert(objectId: number, customFields: Record<string, unknown>): Record<string, unknown>;
  /** Updates a record without HTTP, limits or faults. Throws on an unknown record or invalid values. */
  update(objectId: number, id: number, customFields: Record<string, unknown>): void;
  setFaults(faults: Partial<SimFaults>): void;
  /** Every access token issued so far, expired ones included (tests search outputs for them). */
  issuedTokens(): string[];
  /** The instance's IANA time zone. */
  timezone: string;
  /** The variations in effect (options over config over defaults). */
  variations: SimVariations;
}
