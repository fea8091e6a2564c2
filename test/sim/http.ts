import { request } from 'undici';
import type { Simulator } from '../../src/sim/index.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body parsed as JSON, read loosely by tests. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form JSON in test assertions
  json: () => any;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Default application/json; null sends no Accept header. */
  accept?: string | null;
  headers?: Record<string, string>;
}

/** One HTTP request to the simulator over 127.0.0.1. */
export async function call(
  sim: Simulator,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const accept = options.accept === undefined ? 'application/json' : options.accept;
  if (accept !== null) headers.accept = accept;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await request(`${sim.url}${path}`, {
    method: method as 'GET',
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
}

/** A record as the JSON API returns it. */
export interface Rec {
  id: number;
  'created-at': string;
  'updated-at': string;
  'custom-fields': Record<string, unknown>;
  [key: string]: unknown;
}

/** The custom fields of a record from `Simulator.records()`. */
export function fieldsOf(record: Record<string, unknown>): Record<string, unknown> {
  return record['custom-fields'] as Record<string, unknown>;
}

export const OBJ = '/api/custom_objects/101/object_instances';
export const BUDGET = '/api/custom_objects/102/object_instances';

/** A JSON API caller bound to a token. */
export function api(sim: Simulator, token: string) {
  return {
    get: (path: string) => call(sim, 'GET', path, { token }),
    post: (path: string, fields: Record<string, unknown>) =>
      call(sim, 'POST', path, { token, body: { 'custom-fields': fields } }),
    put: (path: string, fields: Record<string, unknown>) =>
      call(sim, 'PUT', path, { token, body: { 'custom-fields': fields } }),
  };
}
