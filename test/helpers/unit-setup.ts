import { vi } from 'vitest';

// The unit tier runs in-process only: a test that starts a process (the built CLI, a build) belongs to the
// integration tier (vitest.config.ts). Starting one here fails at once and says so, instead of making the tier slow.
const { guarded } = vi.hoisted(() => {
  const refuse = (): never => {
    throw new Error(
      'the unit tier starts no process: list this test file in INTEGRATION (vitest.config.ts), or run main() ' +
        'in-process (test/helpers/cli-io.ts)',
    );
  };
  return {
    guarded: async <T extends object>(importOriginal: () => Promise<T>): Promise<T> => ({
      ...(await importOriginal()),
      spawn: refuse,
      spawnSync: refuse,
      exec: refuse,
      execSync: refuse,
      execFile: refuse,
      execFileSync: refuse,
      fork: refuse,
    }),
  };
});

vi.mock('node:child_process', guarded);
vi.mock('child_process', guarded);
