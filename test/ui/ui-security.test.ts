import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import type { UiServer } from '../../src/ui/index.js';
import { startTestSim } from '../helpers/sim.js';
import { rawRequest, startTestUi, tokenOf } from './helpers.js';

describe('coupa-csv ui: refusals (raw HTTP requests)', () => {
  let sim: Simulator;
  let ui: UiServer;
  let configDir: string;
  let cookie: string;

  beforeAll(async () => {
    sim = await startTestSim();
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coupa-csv-ui-config-'));
    ui = await startTestUi(sim, configDir, { maxUploadBytes: 4096 });
    cookie = `coupa_csv_ui=${tokenOf(ui)}`;
  });
  afterAll(async () => {
    await ui.close();
    await sim.close();
    fs.rmSync(configDir, { recursive: true, force: true });
  });

  it('prints one URL on 127.0.0.1 holding a long random token', () => {
    const url = new URL(ui.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(tokenOf(ui)).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  });

  it('turns the token into an HttpOnly SameSite=Strict cookie and redirects to a clean URL', async () => {
    const res = await rawRequest(ui.port, { path: `/?token=${tokenOf(ui)}` });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toContain(`coupa_csv_ui=${tokenOf(ui)}`);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
  });

  it('refuses requests without the token, or with a wrong one, in words and without the token', async () => {
    for (const p of ['/', '/app.js', '/api/info', `/?token=${'x'.repeat(43)}`]) {
      const res = await rawRequest(ui.port, { path: p });
      expect(res.status, p).toBe(401);
      expect(res.body).not.toContain(tokenOf(ui));
    }
    const page = await rawRequest(ui.port, { path: '/' });
    expect(page.body).toContain('Open the link that coupa-csv ui printed');
    const post = await rawRequest(ui.port, {
      method: 'POST',
      path: '/api/imports',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(401);
  });

  it('answers with the cookie, with a Content-Security-Policy of self', async () => {
    const res = await rawRequest(ui.port, { path: '/', headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<script type="module" src="/app.js">');
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses a foreign Host (DNS rebinding), even with the cookie and the token', async () => {
    for (const host of [`evil.example:${ui.port}`, 'evil.example', `127.0.0.1:${ui.port + 1}`]) {
      const res = await rawRequest(ui.port, { path: '/', headers: { host, cookie } });
      expect(res.status, host).toBe(403);
      const withToken = await rawRequest(ui.port, { path: `/?token=${tokenOf(ui)}`, headers: { host } });
      expect(withToken.status, host).toBe(403);
      expect(withToken.headers['set-cookie']).toBeUndefined();
    }
    const local = await rawRequest(ui.port, {
      path: '/api/info',
      headers: { host: `localhost:${ui.port}`, cookie },
    });
    expect(local.status).toBe(200);
  });

  it('refuses cross-origin writes (Origin or Sec-Fetch-Site of another site)', async () => {
    const body = JSON.stringify({ header: ['A'], mapping: { fields: { A: 'a' } } });
    const foreign = [
      { origin: 'http://evil.example' },
      { origin: `http://127.0.0.1:${ui.port + 1}` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of foreign) {
      const res = await rawRequest(ui.port, {
        method: 'POST',
        path: '/api/remembered',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body,
      });
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
    expect(fs.existsSync(path.join(configDir, 'ui-mappings.json'))).toBe(false);
    const same = await rawRequest(ui.port, {
      method: 'POST',
      path: '/api/remembered',
      headers: {
        cookie,
        'content-type': 'application/json',
        origin: ui.origin,
        'sec-fetch-site': 'same-origin',
      },
      body,
    });
    expect(same.status).toBe(200);
    expect(fs.existsSync(path.join(configDir, 'ui-mappings.json'))).toBe(true);
  });

  it('takes no server-side path from the browser (path traversal attempts find nothing)', async () => {
    const gets = [
      '/../../../../etc/passwd',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/api/imports/..%2F..%2F..%2Fetc%2Fpasswd/results',
      '/api/imports/../../etc/passwd/results',
      '/api/exports/..%2f..%2fetc%2fpasswd/file',
      '/app.js/../../package.json',
    ];
    for (const p of gets) {
      const res = await rawRequest(ui.port, { path: p, headers: { cookie } });
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('root:');
    }
    const post = await rawRequest(ui.port, {
      method: 'POST',
      path: '/api/imports',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        upload: '../../../../etc/passwd',
        mapping: { object: 101, fields: { A: 'a' } },
      }),
    });
    expect(post.status).toBe(404);
    expect(post.body).toContain('choose it again');
    // An upload's name is only a name: it lands in the private folder, not where the name points.
    const upload = await rawRequest(ui.port, {
      method: 'POST',
      path: '/api/uploads',
      headers: { cookie, 'x-file-name': encodeURIComponent('../../../../tmp/evil.csv') },
      body: 'A,B\n1,2\n',
    });
    expect(upload.status).toBe(200);
    const info = JSON.parse(upload.body) as { id: string; name: string; rows: number };
    expect(info.name).toBe('evil.csv');
    expect(info.rows).toBe(1);
    expect(info.id).toMatch(/^[0-9a-f]{16}$/);
    expect(fs.existsSync(path.join(ui.workDir, 'uploads', info.id, 'evil.csv'))).toBe(true);
  });

  it('keeps uploads in a private folder and refuses one over the size limit, removing its part', async () => {
    expect(fs.statSync(ui.workDir).mode & 0o777).toBe(0o700);
    const before = fs.readdirSync(path.join(ui.workDir, 'uploads')).length;
    const res = await rawRequest(ui.port, {
      method: 'POST',
      path: '/api/uploads',
      headers: { cookie, 'x-file-name': 'big.csv' },
      body: `A\n${'1\n'.repeat(5000)}`,
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ error: expect.stringContaining('larger than') as unknown });
    expect(fs.readdirSync(path.join(ui.workDir, 'uploads')).length).toBe(before);
  });

  it('shows the instance host and never a credential', async () => {
    const res = await rawRequest(ui.port, { path: '/api/info', headers: { cookie } });
    const info = JSON.parse(res.body) as { instance: string; features: { plan: boolean; xlsxIn: boolean } };
    expect(info.instance).toBe(new URL(sim.url).host);
    expect(res.body).not.toContain(sim.clientSecret);
    expect(res.body).not.toContain(sim.clientId);
    expect(info.features).toMatchObject({ plan: true, xlsxIn: true });
  });

  it('Plan needs an upload (a plan of nothing is refused); field discovery asks Coupa', async () => {
    const plan = await rawRequest(ui.port, {
      method: 'POST',
      path: '/api/plan',
      headers: { cookie },
      body: '{}',
    });
    expect(plan.status).toBe(400);
    expect(JSON.parse(plan.body)).toEqual({ error: expect.any(String) as unknown });
    const fields = await rawRequest(ui.port, { path: '/api/fields?object=101', headers: { cookie } });
    expect(fields.status).toBe(200);
    const answer = JSON.parse(fields.body) as { records: number; fields: unknown[] };
    expect(answer.records).toBe(sim.records(101).length);
    expect(fields.body).not.toContain(sim.clientSecret);
    const unknown = await rawRequest(ui.port, { path: '/api/fields?object=999', headers: { cookie } });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({
      error: expect.stringContaining('Custom object 999 was not found') as unknown,
    });
  });

  it('removes its private folder when closed', async () => {
    const sim2 = await startTestSim();
    const ui2 = await startTestUi(sim2, configDir);
    const dir = ui2.workDir;
    expect(fs.existsSync(dir)).toBe(true);
    await ui2.close();
    await sim2.close();
    expect(fs.existsSync(dir)).toBe(false);
  });
});
