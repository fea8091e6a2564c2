import { defineConfig } from 'vitest/config';

/**
 * The integration tier: files that spawn the built CLI (dist/) or import the built package. Everything else is the
 * unit tier (`npm run test:unit`): in-process, no spawned process, no dist/. A new test file that spawns the CLI
 * goes here (the unit tier refuses to spawn: test/helpers/unit-setup.ts).
 */
const INTEGRATION = [
  'test/cli-entry.test.ts',
  'test/cli-built.test.ts',
  'test/samples.test.ts',
  'test/library/package-api.test.ts',
  'test/export/export-cli.test.ts',
  'test/import/faults.test.ts',
  'test/import/excel-cli.test.ts',
  'test/import/fixtures-cli.test.ts',
  'test/import/import-cli.test.ts',
  'test/import/interrupt.test.ts',
  'test/import/preflight.test.ts',
  'test/import/quirks.test.ts',
  'test/import/resume-edge.test.ts',
  'test/reliability/bad-input.test.ts',
  'test/reliability/secrets.test.ts',
  'test/reliability/variations.test.ts',
  'test/sim/cli.test.ts',
  'test/ui/ui-browser.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
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
