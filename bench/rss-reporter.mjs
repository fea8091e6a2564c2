// Loaded with `node --import` into a measured child: reports its own peak RSS (KiB) on exit, on fd 3 if open.
import { readFileSync, writeSync } from 'node:fs';

process.on('exit', () => {
  const line =
    JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS, hwmKiB: highWaterMarkKiB() }) + '\n';
  try {
    writeSync(3, line);
  } catch {
    process.stderr.write(`BENCH_RSS ${line}`);
  }
});

/**
 * The process's own peak RSS (Linux: VmHWM). getrusage's maxRSS is not: Linux starts a spawned child's at its parent's
 * peak (exec keeps the larger of the two), so a child smaller than the bench process reports the bench's figure.
 */
function highWaterMarkKiB() {
  try {
    const match = /^VmHWM:\s*(\d+)\s*kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}
