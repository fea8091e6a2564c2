/**
 * OAuth client credentials: the token request, the token endpoint's refusals as errors that say what to fix, and
 * the bearer auth the transport uses (a TokenSource that fetches, shares and renews tokens).
 */
import { AbortedError, AuthError } from '../shared/index.js';
import { describeContentType, describeDetail, type Answer } from './answers.js';
import { TokenSource, type IssuedToken } from './token-source.js';
import type { RequestAuth, Send } from './transport.js';
import type { ClientEvent, Credentials } from './types.js';

export const TOKEN_PATH = '/oauth2/token';
/** Assumed token lifetime when the token endpoint does not say (Coupa's are 86399 s). */
const DEFAULT_TOKEN_LIFE_S = 3600;

type OAuthCredentials = Extract<Credentials, { kind: 'oauth' }>;

export interface OAuthOptions {
  credentials: OAuthCredentials;
  /** The instance's host, as messages name it. */
  host: string;
  /** The transport's send (the token request passes outside the limiter: `auth: false`). */
  send: Send;
  /** Called with every token issued, before it is used: from then on it is a secret. */
  addSecret: (secret: string) => void;
  redact: (text: string) => string;
  emit: (event: ClientEvent) => void;
}

/**
 * Bearer auth for the transport: tokens fetched on first use, shared, renewed ahead of expiry and after a 401.
 *
 * @example
 * createTransport(settings, (send) => createOAuthAuth({ credentials, host, send, addSecret, redact, emit }));
 */
export function createOAuthAuth(options: OAuthOptions): RequestAuth {
  const tokens = new TokenSource(() => fetchToken(options));
  return {
    kind: 'bearer',
    getToken: () => tokens.get(),
    refuseToken: (token) => tokens.invalidate(token),
  };
}

/** Asks the token endpoint for a token; throws AuthError or AbortedError (`TOKEN_ENDPOINT`) saying what to fix. */
export async function fetchToken(options: OAuthOptions): Promise<IssuedToken> {
  const { credentials, host } = options;
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    scope: credentials.scopes,
  });
  const answer = await options.send({
    method: 'POST',
    path: TOKEN_PATH,
    body: form.toString(),
    contentType: 'application/x-www-form-urlencoded',
    kind: 'safe',
    auth: false,
  });
  const { status } = answer;
  if (status >= 200 && status < 300) {
    const issued = readIssuedToken(answer, host);
    options.addSecret(issued.accessToken);
    options.emit({ type: 'token', expiresInS: issued.expiresInS });
    return issued;
  }
  throw tokenFailure(answer, credentials, host, options.redact);
}

/** The token in a 2xx answer of the token endpoint; AbortedError `TOKEN_ENDPOINT` when there is none usable. */
export function readIssuedToken(answer: Answer, host: string): IssuedToken {
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
      `the token endpoint of ${host} answered HTTP ${answer.status} without a usable access token ` +
        `(${describeContentType(answer)}): check the instance URL (--instance / COUPA_INSTANCE)`,
      'TOKEN_ENDPOINT',
    );
  }
  const rawLife = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
  const expiresInS = typeof rawLife === 'number' && rawLife > 0 ? rawLife : DEFAULT_TOKEN_LIFE_S;
  return { accessToken, expiresInS };
}

/** The `error` of an OAuth error answer (RFC 6749 5.2), if the body is one. */
export function readOAuthErrorCode(text: string): string | undefined {
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

/** The error for a token endpoint's answer outside 2xx. */
export function tokenFailure(
  answer: Answer,
  credentials: OAuthCredentials,
  host: string,
  redact: (text: string) => string,
): Error {
  const { status } = answer;
  const detail = describeDetail(answer, redact);
  const oauthCode = readOAuthErrorCode(answer.text);
  const scopeAdvice =
    `the OAuth client in Coupa needs ${credentials.scopes.includes(' ') ? 'them' : 'it'} ` +
    '(Setup > OAuth2/OpenID Connect Clients), or set COUPA_SCOPES / --scopes to scopes it has';
  if (status === 403 || oauthCode === 'invalid_scope') {
    return new AuthError(
      `${host} refused the scope(s) "${credentials.scopes}" (HTTP ${status}${detail}): ${scopeAdvice}`,
      403,
    );
  }
  if (status === 401 || oauthCode === 'invalid_client') {
    return new AuthError(
      `COUPA_CLIENT_ID / COUPA_CLIENT_SECRET were refused by ${host} (HTTP ${status}${detail})`,
      401,
    );
  }
  if (
    oauthCode === 'unauthorized_client' ||
    oauthCode === 'unsupported_grant_type' ||
    oauthCode === 'invalid_grant'
  ) {
    return new AuthError(
      `${host} refused the client-credentials grant for COUPA_CLIENT_ID (HTTP ${status}${detail}): the OAuth ` +
        'client in Coupa must use the grant type "client credentials"',
      401,
    );
  }
  if (status === 400) {
    return new AuthError(`${host} refused the token request for COUPA_CLIENT_ID (HTTP 400${detail})`, 401);
  }
  if (status === 404) {
    return new AbortedError(
      `${host} has no OAuth token endpoint (POST ${TOKEN_PATH} answered HTTP 404): check the instance URL ` +
        '(--instance / COUPA_INSTANCE)',
      'TOKEN_ENDPOINT',
    );
  }
  return new AbortedError(`the token endpoint of ${host} failed: HTTP ${status}${detail}`, 'TOKEN_ENDPOINT');
}
