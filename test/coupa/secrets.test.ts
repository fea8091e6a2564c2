import { afterEach, describe, expect, it } from 'vitest';
import type { CoupaClient, Credentials } from '../../src/coupa/types.js';
import {
  API_KEY,
  codedError,
  COLLECTION,
  JSON_HEADERS,
  OAUTH,
  SECRET,
  setupMock,
  type Interceptable,
  type MockSetup,
} from './mock-helpers.js';

const TOKEN = 'tok-TOPSECRET-456';
const SECRETS = [SECRET, TOKEN, API_KEY];
const API_KEY_CREDENTIALS: Credentials = { kind: 'api-key', apiKey: API_KEY };

/**
 * The server quotes back every secret the client holds (the client secret and the token it was issued, or the
 * API key) in its error bodies: the worst case for leaks. Set per scenario before `arrange` runs.
 */
let ECHO = '';
let echoJson: object = {};

function token(pool: Interceptable, times = 1): void {
  pool
    .intercept({ path: '/oauth2/token', method: 'POST' })
    .reply(200, { access_token: TOKEN, expires_in: 86399 }, { headers: JSON_HEADERS })
    .times(times);
}

interface Scenario {
  name: string;
  credentials?: Credentials;
  /** The token endpoint fails: no token exists to be echoed. */
  noToken?: boolean;
  arrange: (pool: Interceptable) => void;
  act: (client: CoupaClient) => Promise<unknown>;
}

const any = (p: string): boolean => p.startsWith(COLLECTION);

const scenarios: Scenario[] = [
  {
    name: 'token endpoint 401',
    noToken: true,
    arrange: (pool) =>
      pool
        .intercept({ path: '/oauth2/token', method: 'POST' })
        .reply(401, echoJson, { headers: JSON_HEADERS }),
    act: (c) => c.list(101, []),
  },
  {
    name: 'token endpoint invalid_scope',
    noToken: true,
    arrange: (pool) =>
      pool
        .intercept({ path: '/oauth2/token', method: 'POST' })
        .reply(400, { error: 'invalid_scope', error_description: ECHO }, { headers: JSON_HEADERS }),
    act: (c) => c.list(101, []),
  },
  {
    name: 'token endpoint 500 until retries run out',
    noToken: true,
    arrange: (pool) => pool.intercept({ path: '/oauth2/token', method: 'POST' }).reply(500, ECHO).times(2),
    act: (c) => c.list(101, []),
  },
  {
    name: 'token endpoint 200 without a token',
    noToken: true,
    arrange: (pool) =>
      pool
        .intercept({ path: '/oauth2/token', method: 'POST' })
        .reply(200, `<p>${ECHO}</p>`, { headers: { 'content-type': 'text/html' } }),
    act: (c) => c.list(101, []),
  },
  {
    name: 'token endpoint unreachable',
    noToken: true,
    arrange: (pool) =>
      pool
        .intercept({ path: '/oauth2/token', method: 'POST' })
        .replyWithError(codedError('ECONNREFUSED'))
        .times(2),
    act: (c) => c.list(101, []),
  },
  {
    name: 'API 401 twice',
    arrange: (pool) => {
      token(pool, 2);
      pool.intercept({ path: any, method: 'GET' }).reply(401, echoJson, { headers: JSON_HEADERS }).times(2);
    },
    act: (c) => c.list(101, []),
  },
  {
    name: 'API 403',
    arrange: (pool) => {
      token(pool);
      pool.intercept({ path: any, method: 'GET' }).reply(403, `<errors><error>${ECHO}</error></errors>`);
    },
    act: (c) => c.list(101, []),
  },
  {
    name: 'API 400 on create',
    arrange: (pool) => {
      token(pool);
      pool.intercept({ path: COLLECTION, method: 'POST' }).reply(400, echoJson, { headers: JSON_HEADERS });
    },
    act: (c) => c.create(101, { a: 1 }),
  },
  {
    name: 'API 500 on create (outcome unknown)',
    arrange: (pool) => {
      token(pool);
      pool.intercept({ path: COLLECTION, method: 'POST' }).reply(500, `<html><title>${ECHO}</title></html>`);
    },
    act: (c) => c.create(101, {}),
  },
  {
    name: 'API dropped connection on create',
    arrange: (pool) => {
      token(pool);
      pool.intercept({ path: COLLECTION, method: 'POST' }).replyWithError(codedError('UND_ERR_SOCKET'));
    },
    act: (c) => c.create(101, {}),
  },
  {
    name: 'API 503 on GET until retries run out',
    arrange: (pool) => {
      token(pool);
      pool.intercept({ path: any, method: 'GET' }).reply(503, ECHO).times(2);
    },
    act: (c) => c.list(101, []),
  },
  {
    name: 'API 429 until retries run out',
    arrange: (pool) => {
      token(pool);
      pool.intercept({ path: any, method: 'PUT' }).reply(429, echoJson, { headers: JSON_HEADERS }).times(2);
    },
    act: (c) => c.update(101, 1, {}),
  },
  {
    name: 'API network failure on GET',
    arrange: (pool) => {
      token(pool);
      pool.intercept({ path: any, method: 'GET' }).replyWithError(codedError('ECONNRESET')).times(2);
    },
    act: (c) => c.list(101, []),
  },
  {
    name: 'API redirect',
    arrange: (pool) => {
      token(pool);
      pool
        .intercept({ path: any, method: 'GET' })
        .reply(302, '', { headers: { location: `https://x/${TOKEN}?t=${TOKEN}` } });
    },
    act: (c) => c.list(101, []),
  },
  {
    name: 'API success that is not JSON',
    arrange: (pool) => {
      token(pool);
      pool
        .intercept({ path: any, method: 'GET' })
        .reply(200, `<x>${ECHO}</x>`, { headers: { 'content-type': 'text/xml' } });
    },
    act: (c) => c.list(101, []),
  },
  {
    name: 'API key 401',
    credentials: API_KEY_CREDENTIALS,
    arrange: (pool) =>
      pool.intercept({ path: any, method: 'GET' }).reply(401, echoJson, { headers: JSON_HEADERS }),
    act: (c) => c.list(101, []),
  },
  {
    name: 'API key 403',
    credentials: API_KEY_CREDENTIALS,
    arrange: (pool) =>
      pool.intercept({ path: any, method: 'GET' }).reply(403, echoJson, { headers: JSON_HEADERS }),
    act: (c) => c.list(101, []),
  },
  {
    name: 'API key 400',
    credentials: API_KEY_CREDENTIALS,
    arrange: (pool) =>
      pool.intercept({ path: COLLECTION, method: 'POST' }).reply(400, echoJson, { headers: JSON_HEADERS }),
    act: (c) => c.create(101, {}),
  },
];

let setup: MockSetup | undefined;
afterEach(async () => {
  await setup?.client.close();
  await setup?.agent.close();
  setup = undefined;
});

describe('secrets never appear in errors or events', () => {
  it.each(scenarios)('$name', async (scenario) => {
    const credentials = scenario.credentials ?? OAUTH;
    ECHO =
      credentials.kind === 'api-key'
        ? `bad key ${API_KEY}`
        : `bad secret ${SECRET}${scenario.noToken ? '' : ` / token ${TOKEN}`}`;
    echoJson = { errors: { 'object-instance': [ECHO] } };
    setup = setupMock({ credentials, maxRetries: 1 });
    scenario.arrange(setup.pool);
    let caught: unknown;
    try {
      await scenario.act(setup.client);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    const error = caught as Error;
    const shown = [
      error.message,
      error.stack ?? '',
      JSON.stringify(error),
      String(error),
      JSON.stringify(setup.events),
      JSON.stringify(setup.client.stats()),
    ].join('\n');
    for (const secret of SECRETS) expect(shown).not.toContain(secret);
    // The server's own words still come through, redacted.
    if (scenario.name.includes('400')) expect(error.message).toContain('[redacted]');
  });
});

/** A client holding `secret` whose token request the server refuses with `body`; returns the error it threw. */
async function tokenRefused(
  secret: string,
  status: number,
  body: object | string,
): Promise<Error | undefined> {
  setup = setupMock({
    credentials: {
      kind: 'oauth',
      clientId: 'my-client',
      clientSecret: secret,
      scopes: 'core.custom_objects.read_write',
    },
    maxRetries: 1,
  });
  setup.pool
    .intercept({ path: '/oauth2/token', method: 'POST' })
    .reply(status, body, { headers: JSON_HEADERS });
  const error = await setup.client.list(101, []).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(Error);
  return error;
}

describe('secrets echoed back encoded', () => {
  it('a secret with special characters is redacted as sent (form-encoded), URL-encoded and JSON-escaped', async () => {
    const secret = 'p@ss w+rd/=&x"\\';
    const forms = [
      new URLSearchParams({ s: secret }).toString().slice(2),
      encodeURIComponent(secret),
      JSON.stringify(secret).slice(1, -1),
    ];
    expect(new Set(forms).size).toBe(3);
    const error = await tokenRefused(secret, 400, {
      error: 'invalid_client',
      error_description: `client_secret=${forms[0]} (${forms[1]}; ${forms[2]})`,
    });
    const shown = `${error?.message ?? ''}\n${JSON.stringify(setup?.events)}`;
    for (const form of [secret, ...forms]) expect(shown).not.toContain(form);
    expect(error?.message).toContain('client_secret=[redacted]');
  });
});

describe('secrets in the shapes a message takes', () => {
  async function tokenError(secret: string, description: string): Promise<string> {
    const error = await tokenRefused(secret, 401, {
      error: 'invalid_client',
      error_description: description,
    });
    return `${error?.message ?? ''}\n${JSON.stringify(setup?.events)}`;
  }

  it('a secret holding a line break or a run of spaces is redacted although messages fold white space', async () => {
    for (const secret of ['line1-abc\nline2-def', 'two  spaces-xyz', 'tab\there-123']) {
      const shown = await tokenError(secret, `bad secret ${secret} (again: ${secret.replace(/\s+/g, ' ')})`);
      expect(shown).toContain('bad secret [redacted]');
      for (const part of secret.split(/\s+/)) expect(shown).not.toContain(part);
      await setup?.client.close();
      await setup?.agent.close();
      setup = undefined;
    }
  });

  it('a message cut at its length limit does not end in the start of a secret', async () => {
    const secret = 'TRUNC-SECRET-ABCDEFGH';
    // As sent: redacted before the message is cut.
    expect(await tokenError(secret, `${'x'.repeat(475)} ${secret} tail`)).not.toContain('TRUNC');
    await setup?.client.close();
    await setup?.agent.close();
    // Readable only once parsed (a JSON \u escape), then cut in the middle of the secret.
    const body = `{"error":"invalid_client","error_description":"${'x'.repeat(475)} \\u0054RUNC-SECRET-ABCDEFGH tail"}`;
    const error = await tokenRefused(secret, 401, body);
    expect(error?.message).toContain('[redacted]…');
    expect(error?.message).not.toContain('TRUNC');
  });

  it('a secret of three characters is redacted too', async () => {
    const shown = await tokenError('Q7z', 'bad secret Q7z');
    expect(shown).toContain('bad secret [redacted]');
    expect(shown).not.toContain('Q7z');
  });

  it('a token with a line break is refused as unusable, not thrown from the header code', async () => {
    setup = setupMock({ maxRetries: 1 });
    setup.pool
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(200, { access_token: 'tok\nen-1234', expires_in: 3600 }, { headers: JSON_HEADERS });
    const error = await setup.client.list(101, []).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT', message: /without a usable access token/ });
    expect(error?.message).not.toContain('en-1234');
  });
});
