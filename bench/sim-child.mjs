// Runs the simulator in its own process (so it does not share a core's event loop with the client being measured),
// optionally preloaded with records, and prints one JSON line with its URL and credentials.
import { startSimulator } from '../dist/sim/index.js';

const opts = JSON.parse(process.argv[2] ?? '{}');
const sim = await startSimulator({
  port: 0,
  rate: opts.rate ?? 0,
  burst: opts.burst ?? 20,
  latencyMs: opts.latencyMs ?? 0,
});
const preload = opts.preload ?? 0;
for (let i = 1; i <= preload; i++) {
  sim.insert(101, {
    'vendor-code': `P-${String(i).padStart(6, '0')}`,
    'vendor-name': `Preloaded vendor ${i}`,
    'credit-limit': `${(i * 13.37).toFixed(2)}`,
    'payment-terms': 30,
    active: i % 2 === 0,
    'onboarding-date': '2026-03-01T00:00:00-08:00',
  });
}
// Issue #17's reloads: records exactly as an import of writeRows(file, n, prefix) (bench/run.mjs) stores them, so
// that importing that file again finds every row unchanged. Dates are midnight in the simulator's zone.
const seed = opts.seedRows ?? 0;
if (seed > 0) {
  const { zonedMidnight, wallClockToIso } = await import('../dist/shared/time.js');
  const users = ['jdoe', 'asmith', 'mchen', 'lgarcia', 'pnovak'];
  const zone = sim.timezone;
  for (let i = 1; i <= seed; i++) {
    const date = `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    sim.insert(101, {
      'vendor-code': `${opts.seedPrefix}-${i}`,
      'vendor-name': `Vendor ${i}, Inc.`,
      'tax-id': `TX-${i % 997}`,
      'onboarding-date': zonedMidnight(date, zone),
      'approved-at': wallClockToIso(Date.UTC(2026, 4, 1, 10, 15, 30), zone),
      'credit-limit': (i * 7.31).toFixed(2),
      'payment-terms': (i % 4) * 15 + 15,
      active: i % 2 === 1,
      owner: { login: users[i % 5] },
      supplier: { number: `S-100${(i % 4) + 1}` },
      notes: `Note ${i}`,
    });
  }
}
process.stdout.write(
  JSON.stringify({ url: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret }) + '\n',
);
process.on('message', (msg) => {
  if (msg === 'stats') process.send?.(sim.stats());
});
const stop = () => void sim.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
