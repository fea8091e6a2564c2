import * as fs from 'node:fs';
import { afterEach, beforeEach } from 'vitest';
import type { Simulator, SimulatorOptions } from '../../src/sim/index.js';
import { simEnv, startTestSim } from './sim.js';
import { makeTempDir, type TempDir } from './temp-dir.js';

export interface SimWorkspace {
  /** The simulator of the running test. */
  readonly sim: Simulator;
  /** The temp folder of the running test, with `files` written in it. */
  readonly tmp: TempDir;
  /** The environment that reaches the simulator (COUPA_INSTANCE and the client credentials). */
  readonly env: Record<string, string>;
}

/**
 * The setup most CLI and pipeline tests share: before each test a fresh simulator (no rate limit, no latency
 * unless `options` say otherwise) and a temp folder holding `files`; after it both are gone. Call it in a
 * describe; read `sim`, `tmp` and `env` inside the tests, or have `bind` copy them into the describe's variables
 * before each test.
 *
 * @example
 * const ws = useSimWorkspace('import', { files: { 'm.yaml': VENDOR_MAPPING } });
 * it('...', async () => { await runCli([...], { env: ws.env }); expect(ws.sim.records(101)).toHaveLength(3); });
 */
export function useSimWorkspace(
  prefix: string,
  options: { sim?: SimulatorOptions; files?: Record<string, string> } = {},
  bind?: (workspace: { sim: Simulator; tmp: TempDir; env: Record<string, string> }) => void,
): SimWorkspace {
  let current: { sim: Simulator; tmp: TempDir; env: Record<string, string> } | undefined;
  beforeEach(async () => {
    const sim = await startTestSim(options.sim);
    const tmp = makeTempDir(prefix);
    for (const [name, text] of Object.entries(options.files ?? {})) fs.writeFileSync(tmp.file(name), text);
    current = { sim, tmp, env: simEnv(sim) };
    bind?.(current);
  });
  afterEach(async () => {
    const ending = current;
    current = undefined;
    if (!ending) return;
    await ending.sim.close();
    ending.tmp.cleanup();
  });
  const now = (): { sim: Simulator; tmp: TempDir; env: Record<string, string> } => {
    if (!current) throw new Error('useSimWorkspace: read sim, tmp and env inside a test');
    return current;
  };
  return {
    get sim() {
      return now().sim;
    },
    get tmp() {
      return now().tmp;
    },
    get env() {
      return now().env;
    },
  };
}
