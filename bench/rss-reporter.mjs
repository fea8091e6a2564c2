// Loaded with `node --import` into a measured child: reports its own peak RSS (KiB) on exit, on fd 3 if open.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const line = JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }) + '\n';
  try {
    writeSync(3, line);
  } catch {
    process.stderr.write(`BENCH_RSS ${line}`);
  }
});
