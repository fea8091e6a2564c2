import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What `npm run build` reads: a change to any of them makes dist/ stale. */
const SOURCES = [
  'src',
  'scripts',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];

/** What it writes that the tests run: the bundled bin, the tsc entry SPEC.md names, the library. */
const OUTPUTS = ['dist/coupa-csv.js', 'dist/cli.js', 'dist/index.js'];

/** The newest modification time of a file or of any file below a folder (0 when it does not exist). */
function newestMtime(target: string): number {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its folder
  for (const entry of fs.readdirSync(target))
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** The oldest of the build outputs (0 when one is missing). */
function oldestOutput(): number {
  let oldest = Infinity;
  for (const output of OUTPUTS) {
    try {
      oldest = Math.min(oldest, fs.statSync(path.join(ROOT, output)).mtimeMs);
    } catch {
      return 0;
    }
  }
  return oldest;
}

/** Whether dist/ is missing or older than a source it is built from. */
export function isDistStale(): boolean {
  const sources = Math.max(...SOURCES.map((source) => newestMtime(path.join(ROOT, source))));
  return oldestOutput() < sources;
}

/**
 * vitest globalSetup of the integration tier: runs `npm run build` once when dist/ is stale, so that a bare
 * `npx vitest run` never tests an old build. A fresh dist/ is used as it is (no time spent).
 */
export function setup(): void {
  if (!isDistStale()) return;
  process.stderr.write('integration tests: dist/ is older than its sources: npm run build\n');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
