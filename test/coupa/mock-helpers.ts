import { MockAgent } from 'undici';
import { createClient } from '../../src/coupa/index.js';
import type { ClientEvent, ClientOptions, CoupaClient, Credentials } from '../../src/coupa/types.js';

export const BASE = 'https://acme.coupahost.com';
export const HOST = 'acme.coupahost.com';
export const SECRET = 'cs-TOPSECRET-123';
export const API_KEY = 'key-TOPSECRET-789';
export const OAUTH: Credentials = {
  kind: 'oauth',
  clientId: 'my-client',
  clientSecret: SECRET,
  scopes: 'core.custom_objects.read_write',
};
export const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };
export const COLLECTION = '/api/custom_objects/101/object_instances';

/** The mock of one origin, as MockAgent.get returns it. */
export type Interceptable = ReturnType<MockAgent['get']>;

export interface MockSetup {
  agent: MockAgent;
  pool: Interceptable;
  events: ClientEvent[];
  client: CoupaClient;
}

/** A client whose requests go to an undici MockAgent (no network). */
export function setupMock(options: Partial<ClientOptions> = {}): MockSetup {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const pool = agent.get(BASE);
  const events: ClientEvent[] = [];
  const client = createClient({
    instance: BASE,
    credentials: OAUTH,
    rate: 1000,
    concurrency: 4,
    backoffBaseMs: 5,
    onEvent: (event) => events.push(event),
    dispatcher: agent,
    ...options,
  });
  return { agent, pool, events, client };
}

/** A header of an intercepted request, whatever form undici hands it in. */
export function headerOf(opts: { headers?: unknown }, name: string): string | undefined {
  const headers = opts.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

/** The body of an intercepted request (the client always sends strings). */
export function bodyOf(opts: { body?: unknown }): string {
  return typeof opts.body === 'string' ? opts.body : '';
}

/** The token endpoint answering with `token` (`times` requests). */
export function replyToken(pool: Interceptable, token: string, expiresIn = 86_399, times = 1): void {
  pool
    .intercept({ path: '/oauth2/token', method: 'POST' })
    .reply(
      200,
      { access_token: token, token_type: 'bearer', expires_in: expiresIn },
      { headers: JSON_HEADERS },
    )
    .times(times);
}

export function record(id: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, 'created-at': '2026-05-01T10:15:30-07:00', 'custom-fields': fields };
}

/** An error with a Node-style code, as net/undici throw them. */
export function codedError(code: string): Error {
  return Object.assign(new Error(`simulated ${code}`), { code });
}
