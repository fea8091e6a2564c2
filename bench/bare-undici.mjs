// Baseline: what a hand-written loader does. Gets a token, then POSTs pre-built bodies with a fixed number of
// workers over one undici Pool. No CSV, no mapping, no rate limiting, no retries, no results file.
import { Pool, request } from 'undici';

const { url, clientId, clientSecret, rows, concurrency } = JSON.parse(process.argv[2]);
const USERS = ['jdoe', 'asmith', 'mchen', 'lgarcia', 'pnovak'];
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
    // The same fields and values the tool sends for row i of the generated file (see writeRows in run.mjs):
    // the simulator does the same work (references resolved, dates parsed) for both.
    const body = JSON.stringify({
      'custom-fields': {
        'vendor-code': `B-${i}`,
        'vendor-name': `Vendor ${i}, Inc.`,
        'tax-id': `TX-${i % 997}`,
        'onboarding-date': `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}T00:00:00-08:00`,
        'approved-at': '2026-05-01T10:15:30-07:00',
        'credit-limit': (i * 7.31).toFixed(2),
        'payment-terms': (i % 4) * 15 + 15,
        active: i % 2 === 1,
        owner: { login: USERS[i % 5] },
        supplier: { number: `S-100${(i % 4) + 1}` },
        notes: `Note ${i}`,
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
