import { defineConfig } from 'vitest/config';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';

/**
 * The integration tier: files that spawn a process (the built CLI in dist/, chromium) or import the built package.
 * A file belongs to it when it uses the CLI helpers (test/helpers/cli.ts: runCli, spawnCli, CLI_PATH),
 * node:child_process, playwright or the package's exports (the built entry): the rule is read from the files themselves, so a new test file cannot land in
 * the wrong tier. Everything else is the unit tier (`npm run test:unit`): in-process, no spawned process, no dist/
 * (test/helpers/unit-setup.ts refuses to spawn there).
 */
const SPAWNS = /\b(runCli|spawnCli|CLI_PATH|SPEC_CLI_PATH)\b|node:child_process|playwright-core|pkg\.exports/;

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path.split('\\').join('/')] : [];
  });
}

const INTEGRATION = testFiles('test').filter((file) => SPAWNS.test(readFileSync(file, 'utf8')));

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core machine. This suite mostly
    // waits (loopback servers with latency, spawned CLI processes, rate limits): one worker more than the cores
    // keeps both cores busy (measured on 2 cores: see bench/NOTES.md, "Test suite time").
    maxWorkers: availableParallelism() + 1,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: INTEGRATION,
          setupFiles: ['test/helpers/unit-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION,
          // Builds dist/ once before the tier when any of its sources is newer: never a stale build under test.
          globalSetup: ['test/helpers/build-dist.ts'],
        },
      },
    ],
  },
});
