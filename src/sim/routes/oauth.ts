// POST /oauth2/token (client credentials) and the check of the credentials every /api request carries.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { JSON_TYPE, readBody } from '../http.js';
import type { SimClientConfig } from '../types.js';

/** The scope a token needs for /api/custom_objects. */
export const CUSTOM_OBJECTS_SCOPE = 'core.custom_objects.read_write';

interface Token {
  expiresAt: number;
  scopes: Set<string>;
}

/** A refusal of an /api request's credentials. */
export interface Denial {
  status: 401 | 403;
  message: string;
}

/** The tokens issued and the credentials accepted. */
export class TokenRegistry {
  private readonly tokens = new Map<string, Token>();
  /** Every token ever issued (expired ones too), so tests can search outputs for them. */
  readonly issued: string[] = [];

  constructor(
    readonly client: SimClientConfig,
    private readonly lifetimeS: number,
    private readonly apiKey: string | undefined,
  ) {}

  /** A new token with these scopes; expired tokens are forgotten on the way. */
  issue(scopes: string[]): string {
    const now = Date.now();
    for (const [t, info] of this.tokens) if (info.expiresAt <= now) this.tokens.delete(t);
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { expiresAt: now + this.lifetimeS * 1000, scopes: new Set(scopes) });
    this.issued.push(token);
    return token;
  }

  /** undefined when the request may use /api, else the status and message to answer. */
  authenticate(req: IncomingMessage): Denial | undefined {
    const auth = req.headers.authorization;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(auth ?? '');
    if (bearer?.[1]) {
      const info = this.tokens.get(bearer[1]);
      if (!info) return { status: 401, message: 'Invalid access token' };
      if (info.expiresAt <= Date.now()) return { status: 401, message: 'Access token expired' };
      if (!info.scopes.has(CUSTOM_OBJECTS_SCOPE)) {
        return { status: 403, message: `The access token lacks the scope ${CUSTOM_OBJECTS_SCOPE}` };
      }
      return undefined;
    }
    const key = req.headers['x-coupa-api-key'];
    if (typeof key === 'string' && key !== '') {
      if (this.apiKey !== undefined && sameSecret(key, this.apiKey)) return undefined;
      return { status: 401, message: 'API key not accepted' };
    }
    return { status: 401, message: 'Missing access token' };
  }

  get lifetime(): number {
    return this.lifetimeS;
  }
}

/** POST /oauth2/token: client id and secret in the form or in a Basic header; scopes as asked, or all. */
export async function handleToken(ctx: SimContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { reply, tokens } = ctx;
  const client = tokens.client;
  if (req.method !== 'POST') {
    reply.send(res, 405, JSON.stringify({ error: 'invalid_request' }), JSON_TYPE, { Allow: 'POST' });
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  if (form.get('grant_type') !== 'client_credentials') {
    reply.json(res, 400, { error: 'unsupported_grant_type', error_description: 'use client_credentials' });
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
    reply.send(
      res,
      401,
      JSON.stringify({ error: 'invalid_client', error_description: 'Client authentication failed' }),
      JSON_TYPE,
      { 'WWW-Authenticate': 'Basic realm="coupa"' },
    );
    return;
  }
  const requested = (form.get('scope') ?? '').split(/\s+/).filter((s) => s !== '');
  const granted = requested.length > 0 ? requested : client.scopes;
  const unknown = granted.filter((s) => !client.scopes.includes(s));
  if (unknown.length > 0) {
    reply.json(res, 400, {
      error: 'invalid_scope',
      error_description: `scope not granted: ${unknown.join(' ')}`,
    });
    return;
  }
  const token = tokens.issue(granted);
  reply.send(
    res,
    200,
    JSON.stringify({
      access_token: token,
      token_type: 'bearer',
      expires_in: tokens.lifetime,
      scope: granted.join(' '),
    }),
    JSON_TYPE,
    { 'Cache-Control': 'no-store' },
  );
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
