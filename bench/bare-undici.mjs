// Baseline: what a hand-written loader does. Gets a token, then POSTs pre-built bodies with a fixed number of
// workers over one undici Pool. No CSV, no mapping, no rate limiting, no retries, no results file.
import { Pool, request } from 'undici';

const { url, clientId, clientSecret, rows, concurrency } = JSON.parse(process.argv[2]);
const started = performance.now();
const tokenRes = await request(`${url}/oauth2/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  body: new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
    scope: 'core.custom_objects.read_write',
  }).toString(),
});
const { access_token: token } = await tokenRes.body.json();
const pool = new Pool(url, { connections: concurrency });
let next = 0;
let failed = 0;
async function worker() {
  while (next < rows) {
    const i = next++;
    const body = JSON.stringify({
      'custom-fields': {
        'vendor-code': `B-${i}`,
        'vendor-name': `Bare vendor ${i}`,
        'credit-limit': '1250.50',
        'payment-terms': 30,
        active: true,
        'onboarding-date': '2026-03-01T00:00:00-08:00',
      },
    });
    const res = await pool.request({
      path: '/api/custom_objects/101/object_instances',
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        'content-type': 'application/json',
      },
      body,
    });
    await res.body.json();
    if (res.statusCode >= 300) failed++;
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
await pool.close();
process.stdout.write(JSON.stringify({ rows, failed, ms: performance.now() - started }) + '\n');
