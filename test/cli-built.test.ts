import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from './helpers/cli.js';
import { startResettingServer } from './helpers/sim.js';
import { makeTempDir } from './helpers/temp-dir.js';
import { useSimWorkspace } from './helpers/workspace.js';
import { customFields, vendorCsv, VENDOR_MAPPING, waitFor } from './import/helpers.js';

/** The messages of issue 16 through the built CLI, as a user's shell runs it (stderr a pipe, not a TTY). */
describe('the built CLI: messages a person can act on', () => {
  const tmp = makeTempDir('cli-built');
  fs.writeFileSync(tmp.file('in.csv'), vendorCsv(3));
  fs.writeFileSync(tmp.file('m.yaml'), VENDOR_MAPPING);
  afterAll(() => tmp.cleanup());

  it('--maping: the flag as typed, the flag meant, and the command help', async () => {
    const res = await runCli(['import', tmp.file('in.csv'), '--maping', tmp.file('m.yaml')]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      'coupa-csv: Unknown flag --maping; did you mean --mapping?\nFor usage, run: coupa-csv import --help\n',
    );
  });

  it('retries of an unreachable instance show on stderr as they happen; Ctrl-C then stops', async () => {
    const resetting = await startResettingServer();
    try {
      const run = spawnCli(['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')], {
        env: { COUPA_INSTANCE: resetting.url, COUPA_CLIENT_ID: 'id', COUPA_CLIENT_SECRET: 'secret' },
      });
      await waitFor(() => run.output().stderr.includes('attempt 1 of 7 failed'));
      run.child.kill('SIGINT');
      const res = await run.result;
      expect(res.code).toBe(3);
      expect(res.stderr).toMatch(
        /^coupa-csv: POST \/oauth2\/token: attempt 1 of 7 failed \([A-Z_]+\); trying again in \d+ ms$/m,
      );
    } finally {
      resetting.close();
    }
  });

  describe('against the simulator', () => {
    const ws = useSimWorkspace('cli-built-sim');
    it('COUPA_INSTANCE ending in /api/ is the instance', async () => {
      const res = await runCli(['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--json'], {
        env: { ...ws.env, COUPA_INSTANCE: `${ws.sim.url}/api/` },
      });
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(customFields(ws.sim.records(101))).toHaveLength(3);
    });
  });
});
