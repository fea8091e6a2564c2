import { afterEach, describe, expect, it, vi } from 'vitest';
import { CoupaApiError, OutcomeUnknownError } from '../../src/coupa/index.js';
import { AbortedError, AuthError } from '../../src/shared/errors.js';
import {
  API_KEY,
  BASE,
  bodyOf,
  codedError,
  COLLECTION,
  HOST,
  headerOf,
  JSON_HEADERS,
  record,
  replyToken,
  setupMock,
  type MockSetup,
} from './mock-helpers.js';

let setup: MockSetup | undefined;
function mock(...args: Parameters<typeof setupMock>): MockSetup {
  setup = setupMock(...args);
  return setup;
}
afterEach(async () => {
  await setup?.client.close();
  await setup?.agent.close();
  setup = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('requests', () => {
  it('sends the JSON headers, the bearer token and the custom-fields body; accepts 201', async () => {
    const { pool, client } = mock();
    let tokenForm = '';
    pool.intercept({ path: '/oauth2/token', method: 'POST' }).reply((opts) => {
      tokenForm = bodyOf(opts);
      expect(headerOf(opts, 'content-type')).toBe('application/x-www-form-urlencoded');
      return {
        statusCode: 200,
        data: { access_token: 'tok-1', expires_in: 86399 },
        responseOptions: { headers: JSON_HEADERS },
      };
    });
    let seen: { accept?: string; type?: string; auth?: string; body?: string } = {};
    pool.intercept({ path: COLLECTION, method: 'POST' }).reply((opts) => {
      seen = {
        accept: headerOf(opts, 'accept'),
        type: headerOf(opts, 'content-type'),
        auth: headerOf(opts, 'authorization'),
        body: bodyOf(opts),
      } as typeof seen;
      return {
        statusCode: 201,
        data: record(7, { 'vendor-code': 'V-1' }),
        responseOptions: { headers: JSON_HEADERS },
      };
    });
    const created = await client.create(101, { 'vendor-code': 'V-1' });
    expect(created.id).toBe(7);
    expect(created['custom-fields']).toEqual({ 'vendor-code': 'V-1' });
    expect(seen).toEqual({
      accept: 'application/json',
      type: 'application/json',
      auth: 'Bearer tok-1',
      body: '{"custom-fields":{"vendor-code":"V-1"}}',
    });
    const form = new URLSearchParams(tokenForm);
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'client_credentials',
      client_id: 'my-client',
      client_secret: 'cs-TOPSECRET-123',
      scope: 'core.custom_objects.read_write',
    });
  });

  it('accepts 200 on create, and gets and updates by id with GET and PUT', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    pool.intercept({ path: COLLECTION, method: 'POST' }).reply(200, record(8), { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${COLLECTION}/8`, method: 'GET' })
      .reply(200, record(8, { a: 1 }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${COLLECTION}/8`, method: 'PUT', body: '{"custom-fields":{"a":2}}' })
      .reply(200, record(8, { a: 2 }), { headers: JSON_HEADERS });
    expect((await client.create(101, {})).id).toBe(8);
    expect((await client.get(101, 8))['custom-fields']).toEqual({ a: 1 });
    expect((await client.update(101, 8, { a: 2 }))['custom-fields']).toEqual({ a: 2 });
  });

  it("reads how far the instance's clock is ahead from the Date headers, as a lower bound", async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    expect(client.stats().clockOffsetMs).toBeUndefined();
    const ahead = (ms: number): Record<string, string> => ({
      ...JSON_HEADERS,
      date: new Date(Date.now() + ms).toUTCString(),
    });
    pool
      .intercept({ path: `${COLLECTION}/8`, method: 'GET' })
      .reply(200, record(8), { headers: ahead(-120_000) });
    await client.get(101, 8);
    const behind = client.stats().clockOffsetMs ?? 0;
    expect(behind).toBeGreaterThan(-122_000);
    expect(behind).toBeLessThanOrEqual(-119_000);
    // A later answer whose header says later: the bound only rises (the clock did not jump, the header's second did).
    pool
      .intercept({ path: `${COLLECTION}/8`, method: 'GET' })
      .reply(200, record(8), { headers: ahead(-60_000) });
    await client.get(101, 8);
    expect(client.stats().clockOffsetMs).toBeGreaterThan(-62_000);
    pool
      .intercept({ path: `${COLLECTION}/8`, method: 'GET' })
      .reply(200, record(8), { headers: ahead(-90_000) });
    await client.get(101, 8);
    expect(client.stats().clockOffsetMs).toBeGreaterThan(-62_000);
  });

  it('encodes the index query (: and + in values, brackets kept in names)', async () => {
    const { pool, client, events } = mock();
    replyToken(pool, 'tok-1');
    let path = '';
    pool.intercept({ path: (p) => p.startsWith(COLLECTION), method: 'GET' }).reply((opts) => {
      path = opts.path;
      return { statusCode: 200, data: [record(1), record(2)], responseOptions: { headers: JSON_HEADERS } };
    });
    const page = await client.list(101, [
      ['updated-at[gt_or_eq]', '2026-01-01T00:00:00+01:00'],
      ['vendor_code', 'A&B c'],
      ['limit', '50'],
    ]);
    expect(page.map((r) => r.id)).toEqual([1, 2]);
    expect(path).toBe(
      `${COLLECTION}?updated-at[gt_or_eq]=2026-01-01T00%3A00%3A00%2B01%3A00&vendor_code=A%26B%20c&limit=50`,
    );
    const request = events.find((e) => e.type === 'request' && e.method === 'GET');
    expect(request).toMatchObject({ path, status: 200, attempt: 1 });
  });

  it('fills in missing custom-fields and refuses records without a numeric id', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    pool
      .intercept({ path: `${COLLECTION}/5`, method: 'GET' })
      .reply(200, { id: 5 }, { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${COLLECTION}/6`, method: 'GET' })
      .reply(200, { id: 'x6' }, { headers: JSON_HEADERS });
    pool
      .intercept({ path: (p) => p.startsWith(COLLECTION), method: 'GET' })
      .reply(200, { id: 1 }, { headers: JSON_HEADERS });
    expect(await client.get(101, 5)).toEqual({ id: 5, 'custom-fields': {} });
    const bad = await rejection(client.get(101, 6));
    expect(bad).toBeInstanceOf(CoupaApiError);
    expect(bad.message).toContain('no numeric id');
    const notList = await rejection(client.list(101, []));
    expect(notList.message).toContain('not a list');
  });

  it('says the answer was not JSON when a proxy answers XML or HTML with 200', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(200, '<object-instance><id>1</id></object-instance>', {
        headers: { 'content-type': 'application/xml' },
      });
    pool
      .intercept({ path: `${COLLECTION}/2`, method: 'GET' })
      .reply(200, '<!DOCTYPE html><html><title>Sign in</title></html>', {
        headers: { 'content-type': 'text/html' },
      });
    const xml = await rejection(client.get(101, 1));
    expect(xml).toBeInstanceOf(CoupaApiError);
    expect((xml as CoupaApiError).status).toBe(200);
    expect(xml.message).toContain('not JSON (application/xml)');
    const html = await rejection(client.get(101, 2));
    expect(html.message).toContain('HTML page');
    expect(html.message).toContain('instance URL');
  });

  it('refuses ids that are not positive integers before sending', async () => {
    const { client } = mock();
    await expect(client.get(101, 0)).rejects.toThrow('positive integer');
    await expect(client.list(-1, [])).rejects.toThrow('positive integer');
  });
});

describe('error statuses', () => {
  it('turns a 400 into a CoupaApiError with every message, without retrying', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    const body = { errors: { 'object-instance': ["Vendor code can't be blank", 'Amount is not a number'] } };
    pool.intercept({ path: COLLECTION, method: 'POST' }).reply(400, body, { headers: JSON_HEADERS });
    const error = await rejection(client.create(101, {}));
    expect(error).toBeInstanceOf(CoupaApiError);
    expect((error as CoupaApiError).status).toBe(400);
    expect((error as CoupaApiError).messages).toEqual([
      "Vendor code can't be blank",
      'Amount is not a number',
    ]);
    expect(client.stats()).toEqual({ requests: 2, retries: 0, throttled: 0 });
  });

  it('turns a 404 into a CoupaApiError right away', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    pool.intercept({ path: `${COLLECTION}/9`, method: 'PUT' }).reply(404, '', {});
    const error = await rejection(client.update(101, 9, {}));
    expect(error).toBeInstanceOf(CoupaApiError);
    expect((error as CoupaApiError).status).toBe(404);
    expect(client.stats().retries).toBe(0);
  });

  it('reports a redirect (e.g. to a login page) as a wrong instance URL', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    pool
      .intercept({ path: (p) => p.startsWith(COLLECTION), method: 'GET' })
      .reply(302, '', { headers: { location: 'https://sso.example.com/login?session=abc' } });
    const error = await rejection(client.list(101, []));
    expect(error).toBeInstanceOf(CoupaApiError);
    expect(error.message).toContain('redirected to https://sso.example.com/login:');
  });
});

describe('retry policy', () => {
  it.each([
    ['GET', 503],
    ['GET', 500],
    ['PUT', 502],
  ] as const)('retries %s after %i', async (method, status) => {
    const { pool, client, events } = mock();
    replyToken(pool, 'tok-1');
    const path = `${COLLECTION}/3`;
    pool
      .intercept({ path, method })
      .reply(status, '<html><title>Down</title></html>', { headers: { 'content-type': 'text/html' } });
    pool.intercept({ path, method }).reply(200, record(3), { headers: JSON_HEADERS });
    const result = method === 'GET' ? await client.get(101, 3) : await client.update(101, 3, {});
    expect(result.id).toBe(3);
    expect(client.stats()).toMatchObject({ retries: 1 });
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      expect.objectContaining({ method, reason: `HTTP ${status}`, attempt: 1 }),
    ]);
  });

  it('gives up on GET after maxRetries with a CoupaApiError carrying the status', async () => {
    const { pool, client } = mock({ maxRetries: 2 });
    replyToken(pool, 'tok-1');
    pool
      .intercept({ path: `${COLLECTION}/3`, method: 'GET' })
      .reply(503, 'busy')
      .times(3);
    const error = await rejection(client.get(101, 3));
    expect(error).toBeInstanceOf(CoupaApiError);
    expect((error as CoupaApiError).status).toBe(503);
    expect((error as CoupaApiError).messages).toEqual(['busy']);
    expect(client.stats()).toMatchObject({ requests: 4, retries: 2 });
  });

  it('does not retry a POST after a 5xx: the outcome is unknown', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    let posts = 0;
    pool
      .intercept({ path: COLLECTION, method: 'POST' })
      .reply(() => {
        posts += 1;
        return { statusCode: 502, data: '<html><title>Bad Gateway</title></html>' };
      })
      .persist();
    const error = await rejection(client.create(101, { a: 1 }));
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as OutcomeUnknownError).path).toBe(COLLECTION);
    expect(error.message).toContain('HTTP 502');
    expect(posts).toBe(1);
    expect(client.stats().retries).toBe(0);
  });

  it('retries a POST after a 429 (not processed)', async () => {
    const { pool, client, events } = mock();
    replyToken(pool, 'tok-1');
    pool.intercept({ path: COLLECTION, method: 'POST' }).reply(429, '');
    pool.intercept({ path: COLLECTION, method: 'POST' }).reply(201, record(4), { headers: JSON_HEADERS });
    expect((await client.create(101, {})).id).toBe(4);
    expect(client.stats()).toMatchObject({ retries: 1, throttled: 1 });
    expect(events.filter((e) => e.type === 'throttled')).toEqual([
      expect.objectContaining({ method: 'POST', retryAfter: false }),
    ]);
  });

  it('retries a GET after a dropped socket, and gives a POST an unknown outcome', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    pool.intercept({ path: `${COLLECTION}/1`, method: 'GET' }).replyWithError(codedError('UND_ERR_SOCKET'));
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(200, record(1), { headers: JSON_HEADERS });
    expect((await client.get(101, 1)).id).toBe(1);
    pool.intercept({ path: COLLECTION, method: 'POST' }).replyWithError(codedError('ECONNRESET'));
    const error = await rejection(client.create(101, {}));
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error.message).toContain('ECONNRESET');
  });

  it('treats a timeout on POST as an unknown outcome', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    pool
      .intercept({ path: COLLECTION, method: 'POST' })
      .replyWithError(codedError('UND_ERR_HEADERS_TIMEOUT'));
    expect(await rejection(client.create(101, {}))).toBeInstanceOf(OutcomeUnknownError);
  });

  it('retries a POST whose connection was refused (never sent)', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    pool.intercept({ path: COLLECTION, method: 'POST' }).replyWithError(codedError('ECONNREFUSED'));
    pool.intercept({ path: COLLECTION, method: 'POST' }).reply(201, record(5), { headers: JSON_HEADERS });
    expect((await client.create(101, {})).id).toBe(5);
    expect(client.stats().retries).toBe(1);
  });

  it('aborts as UNREACHABLE naming the host once network retries are used up', async () => {
    const { pool, client, events } = mock({ maxRetries: 3 });
    replyToken(pool, 'tok-1');
    pool
      .intercept({ path: (p) => p.startsWith(COLLECTION), method: 'GET' })
      .replyWithError(codedError('ECONNREFUSED'))
      .times(4);
    const error = await rejection(client.list(101, []));
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).code).toBe('UNREACHABLE');
    expect(error.message).toContain(HOST);
    expect(error.message).toContain('connection refused');
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(3);
  });

  it('does not retry an unknown host name', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    pool.intercept({ path: `${COLLECTION}/1`, method: 'GET' }).replyWithError(codedError('ENOTFOUND'));
    const error = await rejection(client.get(101, 1));
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.message).toContain('not found');
    expect(client.stats().retries).toBe(0);
  });

  it('gives up after maxRetries 429s with a CoupaApiError 429', async () => {
    const { pool, client } = mock({ maxRetries: 1 });
    replyToken(pool, 'tok-1');
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(429, '')
      .times(2);
    const error = await rejection(client.get(101, 1));
    expect(error).toBeInstanceOf(CoupaApiError);
    expect((error as CoupaApiError).status).toBe(429);
    expect(client.stats()).toMatchObject({ throttled: 2, retries: 1 });
  });
});

describe('Retry-After', () => {
  it('waits the seconds the server asks for and says so in the throttled event', async () => {
    const { pool, client, events } = mock();
    replyToken(pool, 'tok-1');
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(429, '', { headers: { 'retry-after': '0.3' } });
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(200, record(1), { headers: JSON_HEADERS });
    const started = performance.now();
    await client.get(101, 1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290); // a lower bound only
    expect(events.filter((e) => e.type === 'throttled')).toEqual([
      { type: 'throttled', method: 'GET', path: `${COLLECTION}/1`, delayMs: 300, retryAfter: true },
    ]);
  });

  it('reads an HTTP date', async () => {
    const { pool, client, events } = mock();
    replyToken(pool, 'tok-1');
    const at = new Date(Date.now() + 1500).toUTCString();
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(429, '', { headers: { 'retry-after': at } });
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(200, record(1), { headers: JSON_HEADERS });
    await client.get(101, 1);
    const throttled = events.find((e) => e.type === 'throttled');
    expect(throttled).toMatchObject({ retryAfter: true });
    // toUTCString drops the milliseconds: between 0.5 and 1.5 s remain
    expect(throttled && throttled.type === 'throttled' ? throttled.delayMs : -1).toBeGreaterThan(400);
  }, 10_000);

  it('backs off with jitter under the base when there is no Retry-After', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { pool, client, events } = mock({ backoffBaseMs: 40 });
    replyToken(pool, 'tok-1');
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(429, '')
      .times(2);
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(200, record(1), { headers: JSON_HEADERS });
    await client.get(101, 1);
    const delays = events.flatMap((e) => (e.type === 'throttled' ? [e.delayMs] : []));
    expect(delays).toHaveLength(2);
    // Half of the ceiling (random 0.5): the base, then twice the base.
    expect(delays).toEqual([20, 40]);
    vi.restoreAllMocks();
  });
});

describe('OAuth token', () => {
  it('is fetched once for concurrent first requests and reused afterwards', async () => {
    const { pool, client, events } = mock();
    pool
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(200, { access_token: 'tok-1', expires_in: 86399 }, { headers: JSON_HEADERS })
      .delay(30);
    // a second token request would find no interceptor and fail the test
    pool
      .intercept({ path: (p) => p.startsWith(COLLECTION), method: 'GET' })
      .reply((opts) => ({
        statusCode: headerOf(opts, 'authorization') === 'Bearer tok-1' ? 200 : 401,
        data: [],
        responseOptions: { headers: JSON_HEADERS },
      }))
      .times(8);
    await Promise.all(Array.from({ length: 5 }, () => client.list(101, [])));
    await client.list(101, []);
    await client.list(101, []);
    expect(events.filter((e) => e.type === 'token')).toEqual([{ type: 'token', expiresInS: 86399 }]);
  });

  it('is renewed before it expires', async () => {
    const { pool, client, events } = mock();
    replyToken(pool, 'tok-short', 0.2);
    replyToken(pool, 'tok-next', 86399);
    const auths: string[] = [];
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply((opts) => {
        auths.push(headerOf(opts, 'authorization') ?? '');
        return { statusCode: 200, data: record(1), responseOptions: { headers: JSON_HEADERS } };
      })
      .times(2);
    await client.get(101, 1);
    await new Promise((resolve) => setTimeout(resolve, 150)); // past half of a 0.2 s life
    await client.get(101, 1);
    expect(auths).toEqual(['Bearer tok-short', 'Bearer tok-next']);
    expect(events.filter((e) => e.type === 'token')).toHaveLength(2);
  });

  it('is renewed once after a 401 and the request retried', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-old');
    replyToken(pool, 'tok-new');
    const auths: string[] = [];
    pool
      .intercept({ path: COLLECTION, method: 'POST' })
      .reply((opts) => {
        const auth = headerOf(opts, 'authorization') ?? '';
        auths.push(auth);
        return auth === 'Bearer tok-new'
          ? { statusCode: 201, data: record(3), responseOptions: { headers: JSON_HEADERS } }
          : { statusCode: 401, data: '' };
      })
      .times(2);
    expect((await client.create(101, {})).id).toBe(3);
    expect(auths).toEqual(['Bearer tok-old', 'Bearer tok-new']);
  });

  it('renews outside the retry budget: the backoff and the count start after it', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const { pool, client, events } = mock({ maxRetries: 1, backoffBaseMs: 40 });
    replyToken(pool, 'tok-1');
    replyToken(pool, 'tok-2');
    pool.intercept({ path: `${COLLECTION}/1`, method: 'GET' }).reply(401, '');
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(503, 'busy')
      .times(2);
    const error = await rejection(client.get(101, 1));
    expect(error).toBeInstanceOf(CoupaApiError);
    expect((error as CoupaApiError).status).toBe(503);
    expect(client.stats()).toEqual({ requests: 5, retries: 2, throttled: 0 });
    expect(events.filter((e) => e.type === 'retry')).toEqual([
      { type: 'retry', method: 'GET', path: `${COLLECTION}/1`, attempt: 1, reason: 'HTTP 401', delayMs: 0 },
      // Half of the base (random 0.5): the first retry of the budget.
      { type: 'retry', method: 'GET', path: `${COLLECTION}/1`, attempt: 2, reason: 'HTTP 503', delayMs: 20 },
    ]);
    vi.restoreAllMocks();
  });

  it('gives an AuthError saying the token was refused after a second 401', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    replyToken(pool, 'tok-2');
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(401, '')
      .times(2);
    const error = await rejection(client.get(101, 1));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).status).toBe(401);
    expect(error.message).toContain('refused the access token');
    expect(error.message).toContain(HOST);
  });

  it('names the client id and secret when the token endpoint answers 401', async () => {
    const { pool, client } = mock();
    pool
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(
        401,
        { error: 'invalid_client', error_description: 'Client authentication failed' },
        { headers: JSON_HEADERS },
      );
    const error = await rejection(client.get(101, 1));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain(`COUPA_CLIENT_ID / COUPA_CLIENT_SECRET were refused by ${HOST}`);
    expect(error.message).toContain('Client authentication failed');
  });

  it('names the scope when the token endpoint refuses it', async () => {
    const { pool, client } = mock();
    pool
      .intercept({ path: '/oauth2/token', method: 'POST' })
      .reply(400, { error: 'invalid_scope' }, { headers: JSON_HEADERS });
    const error = await rejection(client.get(101, 1));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).code).toBe('AUTH_SCOPE');
    expect(error.message).toContain('core.custom_objects.read_write');
    expect(error.message).toContain('OAuth client in Coupa needs it');
  });

  it('names the requested scope and the OAuth client on an API 403', async () => {
    const { pool, client } = mock();
    replyToken(pool, 'tok-1');
    pool.intercept({ path: (p) => p.startsWith(COLLECTION), method: 'GET' }).reply(403, '');
    const error = await rejection(client.list(101, [['limit', '1']]));
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).status).toBe(403);
    expect(error.message).toContain('core.custom_objects.read_write');
    expect(error.message).toContain('the OAuth client in Coupa needs it');
  });

  it('reports a missing token endpoint as a wrong instance', async () => {
    const { pool, client } = mock();
    pool.intercept({ path: '/oauth2/token', method: 'POST' }).reply(404, '<html></html>');
    const error = await rejection(client.get(101, 1));
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.message).toContain('no OAuth token endpoint');
  });
});

describe('legacy API key', () => {
  it('sends X-COUPA-API-KEY and no token request', async () => {
    const { pool, client } = mock({ credentials: { kind: 'api-key', apiKey: API_KEY } });
    let key: string | undefined;
    let auth: string | undefined;
    pool.intercept({ path: `${COLLECTION}/1`, method: 'GET' }).reply((opts) => {
      key = headerOf(opts, 'x-coupa-api-key');
      auth = headerOf(opts, 'authorization');
      return { statusCode: 200, data: record(1), responseOptions: { headers: JSON_HEADERS } };
    });
    await client.get(101, 1);
    expect(key).toBe(API_KEY);
    expect(auth).toBeUndefined();
  });

  it('names COUPA_API_KEY on a 401, without renewing anything', async () => {
    const { pool, client } = mock({ credentials: { kind: 'api-key', apiKey: API_KEY } });
    pool.intercept({ path: `${COLLECTION}/1`, method: 'GET' }).reply(401, '');
    const error = await rejection(client.get(101, 1));
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain('COUPA_API_KEY was refused');
    expect(client.stats()).toMatchObject({ requests: 1, retries: 0 });
  });
});

describe('events, stats and close', () => {
  it('reports requests, retries and throttles, with credential headers redacted', async () => {
    const { pool, client, events } = mock();
    replyToken(pool, 'tok-1');
    pool.intercept({ path: `${COLLECTION}/1`, method: 'GET' }).reply(429, '');
    pool.intercept({ path: `${COLLECTION}/1`, method: 'GET' }).reply(500, '');
    pool
      .intercept({ path: `${COLLECTION}/1`, method: 'GET' })
      .reply(200, record(1), { headers: JSON_HEADERS });
    await client.get(101, 1);
    expect(client.stats()).toEqual({ requests: 4, retries: 2, throttled: 1 });
    expect(events.map((e) => e.type)).toEqual([
      'request',
      'token',
      'request',
      'throttled',
      'retry',
      'request',
      'retry',
      'request',
    ]);
    expect(events[0]).toMatchObject({ type: 'request', method: 'POST', path: '/oauth2/token', status: 200 });
    expect(events[1]).toEqual({ type: 'token', expiresInS: 86399 });
    expect(events[2]).toMatchObject({
      type: 'request',
      headers: { accept: 'application/json', authorization: 'Bearer [redacted]' },
    });
    expect(JSON.stringify(events)).not.toContain('tok-1');
  });

  it('refuses requests after close', async () => {
    const { client } = mock();
    await client.close();
    const error = await rejection(client.get(101, 1));
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).code).toBe('CLOSED');
  });

  it('uses a base path of the instance URL', async () => {
    const { pool, client } = mock({ instance: `${BASE}/coupa/` });
    pool
      .intercept({ path: '/coupa/oauth2/token', method: 'POST' })
      .reply(200, { access_token: 't', expires_in: 100 }, { headers: JSON_HEADERS });
    pool
      .intercept({ path: `/coupa${COLLECTION}/1`, method: 'GET' })
      .reply(200, record(1), { headers: JSON_HEADERS });
    expect((await client.get(101, 1)).id).toBe(1);
  });
});
