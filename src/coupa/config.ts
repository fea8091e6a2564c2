import { ConfigError } from '../shared/index.js';
import type { Credentials } from './types.js';

/** The scope that lets an OAuth client read and write custom object instances. */
export const DEFAULT_SCOPES = 'core.custom_objects.read_write';

const EXAMPLE_INSTANCE = 'https://acme.coupahost.com';

function readSetting(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Coupa scopes are space-separated; people also type commas or several spaces. */
function normalizeScopes(raw: string): string {
  return raw
    .split(/[\s,]+/)
    .filter((scope) => scope !== '')
    .join(' ');
}

/**
 * Picks the credentials from the environment: OAuth client credentials when `COUPA_CLIENT_ID` is set (its secret
 * from `COUPA_CLIENT_SECRET`), else the legacy `COUPA_API_KEY`. Secrets never come from argv.
 *
 * @param env - usually `process.env` (passed in: the core never reads the environment itself)
 * @param scopes - space-separated OAuth scopes (the `--scopes` flag); else `COUPA_SCOPES`, else
 *   `core.custom_objects.read_write`
 * @throws ConfigError `CREDENTIALS_MISSING` naming the variables to set
 * @example
 * const credentials = credentialsFromEnv(process.env, argv.scopes);
 */
export function credentialsFromEnv(env: Record<string, string | undefined>, scopes?: string): Credentials {
  const clientId = readSetting(env, 'COUPA_CLIENT_ID');
  const clientSecret = readSetting(env, 'COUPA_CLIENT_SECRET');
  const apiKey = readSetting(env, 'COUPA_API_KEY');
  if (clientId !== undefined) {
    if (clientSecret === undefined) {
      throw new ConfigError(
        'COUPA_CLIENT_ID is set but COUPA_CLIENT_SECRET is not: set both to the OAuth client of your Coupa instance ' +
          '(Setup > OAuth2/OpenID Connect Clients, grant type "client credentials")',
        'CREDENTIALS_MISSING',
      );
    }
    const chosen = normalizeScopes(scopes ?? '') || normalizeScopes(readSetting(env, 'COUPA_SCOPES') ?? '');
    return { kind: 'oauth', clientId, clientSecret, scopes: chosen || DEFAULT_SCOPES };
  }
  // The API key is used whenever no client id is set (SPEC), also beside a stray COUPA_CLIENT_SECRET.
  if (apiKey !== undefined) {
    // It is sent as a header: a line break or a non-Latin-1 character would fail every request.
    if (!/^[\x20-\x7e\x80-\xff]+$/.test(apiKey)) {
      throw new ConfigError(
        'COUPA_API_KEY holds a line break or another character an HTTP header cannot carry: copy the key again',
        'CREDENTIALS_MALFORMED',
      );
    }
    return { kind: 'api-key', apiKey };
  }
  if (clientSecret !== undefined) {
    throw new ConfigError(
      'COUPA_CLIENT_SECRET is set but COUPA_CLIENT_ID is not: set both to the OAuth client of your Coupa instance',
      'CREDENTIALS_MISSING',
    );
  }
  throw new ConfigError(
    'no Coupa credentials: set COUPA_CLIENT_ID and COUPA_CLIENT_SECRET (an OAuth client with the client-credentials ' +
      `grant and the scope ${DEFAULT_SCOPES}), or COUPA_API_KEY for an old instance that still accepts API keys`,
    'CREDENTIALS_MISSING',
  );
}

function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  // The URL parser normalises IPv4 (127.1 -> 127.0.0.1), so four decimal parts are all there is to check.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * An instance URL as messages may show it: whatever stands before its last `@` (user name and password, which may
 * hold `/`, `@` or spaces) masked, and its query and fragment (a `?token=`) left out.
 */
function shownUrl(text: string): string {
  let shown = text;
  const at = shown.lastIndexOf('@');
  if (at >= 0) {
    const scheme = shown.indexOf('://');
    const start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
    shown = `${shown.slice(0, start)}***${shown.slice(at)}`;
  }
  const cut = shown.search(/[?#]/);
  return cut >= 0 ? shown.slice(0, cut) : shown;
}

/**
 * Validates the Coupa instance base URL (the `--instance` flag or `COUPA_INSTANCE`). Trims spaces, drops a trailing
 * slash and a trailing `/api`, refuses a URL of a page of the instance (`/session`) naming the base to set, requires `https://` (plain `http://` only for localhost, 127.x.x.x and [::1]) and refuses user info, query
 * and fragment, so that nothing is ever sent unencrypted to a remote host.
 *
 * @throws ConfigError `INSTANCE` saying why and giving an example
 * @example
 * resolveInstanceUrl(' https://acme.coupahost.com/ ').href; // 'https://acme.coupahost.com/'
 */
export function resolveInstanceUrl(raw: string | undefined): URL {
  const text = raw?.trim() ?? '';
  const shown = shownUrl(text);
  if (text === '') {
    throw new ConfigError(
      `no Coupa instance given: set --instance or COUPA_INSTANCE to its base URL, e.g. ${EXAMPLE_INSTANCE}`,
      'INSTANCE',
    );
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    throw new ConfigError(
      `the instance "${shown}" is not a URL: it needs https:// in front, e.g. https://${shown.replace(/^\/+/, '')}`,
      'INSTANCE',
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(
      `the instance "${shown}" is not a valid URL; expected e.g. ${EXAMPLE_INSTANCE}`,
      'INSTANCE',
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(
      `the instance URL must not contain a user name or password; give the base URL alone, e.g. ${EXAMPLE_INSTANCE}, ` +
        'and the credentials in COUPA_CLIENT_ID / COUPA_CLIENT_SECRET',
      'INSTANCE',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(
      `the instance "${shown}" uses ${url.protocol.slice(0, -1)}: only https:// is accepted, e.g. ${EXAMPLE_INSTANCE}`,
      'INSTANCE',
    );
  }
  if (url.hostname === '') {
    throw new ConfigError(
      `the instance "${shown}" has no host name; expected e.g. ${EXAMPLE_INSTANCE}`,
      'INSTANCE',
    );
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ConfigError(
      `the instance ${url.host} is given with plain http://, which would send credentials unencrypted: use ` +
        `https://${url.host}${url.pathname === '/' ? '' : url.pathname} (http:// is accepted only for localhost, ` +
        '127.x.x.x and [::1])',
      'INSTANCE',
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError(
      `the instance URL must not contain a query or fragment; give the base URL alone, e.g. ${EXAMPLE_INSTANCE}`,
      'INSTANCE',
    );
  }
  url.pathname = basePath(url, shown);
  return url;
}

/** Path segments that name a page or an endpoint of an instance, never a part of its base URL. */
const PAGE_SEGMENTS = new Set(['api', 'oauth2', 'session', 'sessions', 'login', 'user_home']);

/**
 * The base path of an instance URL: trailing slashes dropped, and a trailing `/api` too (people copy the API's
 * address; every request path starts with /api already). Any other page of the instance (`/session`,
 * `/api/custom_objects/101`) is refused, naming the base URL to set instead. A path before such a page is kept:
 * an instance may be reached through a proxy at `https://proxy.example.com/coupa`.
 */
function basePath(url: URL, shown: string): string {
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const last = segments[segments.length - 1];
  if (last !== undefined && last.toLowerCase() === 'api') segments.pop();
  const page = segments.findIndex((segment) => PAGE_SEGMENTS.has(segment.toLowerCase()));
  if (page >= 0) {
    const base = `${url.protocol}//${url.host}${segments
      .slice(0, page)
      .map((segment) => `/${segment}`)
      .join('')}`;
    throw new ConfigError(
      `the instance URL "${shown}" points at a page of the instance (/${segments.slice(page).join('/')}), not at ` +
        `its base: set --instance or COUPA_INSTANCE to ${base}`,
      'INSTANCE',
    );
  }
  return segments.length === 0 ? '/' : `/${segments.join('/')}`;
}
