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
process.stdout.write(
  JSON.stringify({ url: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret }) + '\n',
);
process.on('message', (msg) => {
  if (msg === 'stats') process.send?.(sim.stats());
});
const stop = () => void sim.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
