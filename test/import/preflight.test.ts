import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { makeTempDir, vendorCsv, VENDOR_MAPPING } from './helpers.js';

describe('import preflight: one read before the first write', () => {
  let sim: Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  let args: string[];
  beforeAll(async () => {
    sim = await startTestSim();
    tmp = makeTempDir('preflight');
    fs.writeFileSync(tmp.file('m.yaml'), VENDOR_MAPPING);
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(3));
    args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')];
  });
  afterAll(async () => {
    await sim.close();
    tmp.cleanup();
  });

  it('a wrong client secret stops with exit 3 and names the credential, without printing it', async () => {
    const res = await runCli(args, { env: { ...simEnv(sim), COUPA_CLIENT_SECRET: 'wrong-secret-value' } });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/COUPA_CLIENT_SECRET|secret/i);
    expect(res.stderr + res.stdout).not.toContain('wrong-secret-value');
    expect(sim.records(101)).toHaveLength(0);
  });

  it('a token without the custom objects scope stops with exit 3 and names the scope', async () => {
    const res = await runCli(args, { env: { ...simEnv(sim), COUPA_SCOPES: 'core.common.read' } });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('core.custom_objects.read_write');
    expect(sim.records(101)).toHaveLength(0);
  });

  it('a wrong object id is reported as such before any write (exit 2)', async () => {
    const res = await runCli([...args, '--object', '999'], { env: simEnv(sim) });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/custom object 999 was not found/);
    expect(sim.records(101)).toHaveLength(0);
  });
});
