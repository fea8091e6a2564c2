import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { Simulator } from '../../src/sim/index.js';
import { simToken, startTestSim } from '../helpers/sim.js';
import { call, OBJ } from './http.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function tokenRequest(s: Simulator, form: Record<string, string>, basic?: string) {
  const res = await request(`${s.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(basic ? { authorization: `Basic ${Buffer.from(basic).toString('base64')}` } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe('OAuth token endpoint', () => {
  it('issues a bearer token for client id and secret in form fields', async () => {
    sim = await startTestSim();
    const r = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: 'coupa-csv-sim',
      client_secret: 'sim-secret',
      scope: 'core.custom_objects.read_write',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      token_type: 'bearer',
      expires_in: 86399,
      scope: 'core.custom_objects.read_write',
    });
    expect(typeof r.body.access_token).toBe('string');
    const list = await call(sim, 'GET', OBJ, { token: r.body.access_token as string });
    expect(list.status).toBe(200);
    expect(sim.stats().tokensIssued).toBe(1);
  });

  it('accepts the client id and secret in an HTTP Basic header', async () => {
    sim = await startTestSim();
    const r = await tokenRequest(sim, { grant_type: 'client_credentials' }, 'coupa-csv-sim:sim-secret');
    expect(r.status).toBe(200);
    // No scope asked: every scope of the client is granted.
    expect(String(r.body.scope).split(' ')).toContain('core.custom_objects.read_write');
  });

  it('refuses a wrong secret, an unknown client id, and a Basic header with a wrong secret (401)', async () => {
    sim = await startTestSim();
    const wrong = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: 'coupa-csv-sim',
      client_secret: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    expect(JSON.stringify(wrong.body)).not.toContain('sim-secret');
    const unknown = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: 'someone',
      client_secret: 'sim-secret',
    });
    expect(unknown.status).toBe(401);
    const basic = await tokenRequest(sim, { grant_type: 'client_credentials' }, 'coupa-csv-sim:bad');
    expect(basic.status).toBe(401);
  });

  it('refuses another grant type and a scope the client does not have (400)', async () => {
    sim = await startTestSim();
    const grant = await tokenRequest(sim, {
      grant_type: 'password',
      client_id: 'coupa-csv-sim',
      client_secret: 'sim-secret',
    });
    expect(grant.status).toBe(400);
    expect(grant.body.error).toBe('unsupported_grant_type');
    const scope = await tokenRequest(sim, {
      grant_type: 'client_credentials',
      client_id: 'coupa-csv-sim',
      client_secret: 'sim-secret',
      scope: 'core.custom_objects.read_write core.invoice.write',
    });
    expect(scope.status).toBe(400);
    expect(scope.body.error).toBe('invalid_scope');
  });

  it('uses the client id and secret given as options', async () => {
    sim = await startTestSim({ clientId: 'other', clientSecret: 's3cr3t' });
    expect(sim.clientId).toBe('other');
    const ok = await tokenRequest(sim, { grant_type: 'client_credentials' }, 'other:s3cr3t');
    expect(ok.status).toBe(200);
    const old = await tokenRequest(sim, { grant_type: 'client_credentials' }, 'coupa-csv-sim:sim-secret');
    expect(old.status).toBe(401);
  });
});

describe('API authentication', () => {
  it('answers 401 without a token and with an unknown token', async () => {
    sim = await startTestSim();
    const none = await call(sim, 'GET', OBJ);
    expect(none.status).toBe(401);
    const bad = await call(sim, 'GET', OBJ, { token: 'not-a-token' });
    expect(bad.status).toBe(401);
    expect(bad.json().errors['object-instance'][0]).toMatch(/token/i);
  });

  it('answers 401 once a token has expired (configurable lifetime)', async () => {
    sim = await startTestSim({ tokenLifetimeS: 0.3 });
    const token = await simToken(sim);
    expect((await call(sim, 'GET', OBJ, { token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 450));
    const expired = await call(sim, 'GET', OBJ, { token });
    expect(expired.status).toBe(401);
    expect(expired.json().errors['object-instance'][0]).toMatch(/expired/);
    // A fresh token works again (what a client does to renew).
    expect((await call(sim, 'GET', OBJ, { token: await simToken(sim) })).status).toBe(200);
  });

  it('reports expires_in as the configured lifetime', async () => {
    sim = await startTestSim({ tokenLifetimeS: 120 });
    const r = await tokenRequest(sim, { grant_type: 'client_credentials' }, 'coupa-csv-sim:sim-secret');
    expect(r.body.expires_in).toBe(120);
  });

  it('answers 403 for a valid token without the custom objects scope', async () => {
    sim = await startTestSim();
    const token = await simToken(sim, 'core.common.read');
    const r = await call(sim, 'GET', OBJ, { token });
    expect(r.status).toBe(403);
    expect(r.json().errors['object-instance'][0]).toContain('core.custom_objects.read_write');
  });

  it('accepts X-COUPA-API-KEY only when a key is configured', async () => {
    sim = await startTestSim();
    const refused = await call(sim, 'GET', OBJ, { headers: { 'x-coupa-api-key': 'legacy-key' } });
    expect(refused.status).toBe(401);
    await sim.close();
    sim = await startTestSim({ apiKey: 'legacy-key' });
    expect((await call(sim, 'GET', OBJ, { headers: { 'x-coupa-api-key': 'legacy-key' } })).status).toBe(200);
    expect((await call(sim, 'GET', OBJ, { headers: { 'x-coupa-api-key': 'other-key' } })).status).toBe(401);
  });
});
