import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runExport } from '../../src/export/index.js';
import { UsageError } from '../../src/shared/errors.js';
import type { Simulator } from '../../src/sim/index.js';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { clientFor, makeTempDir, readCsv } from './helpers.js';

let sim: Simulator | undefined;
let dir: string;
let removeDir: () => Promise<void>;

beforeAll(() => {
  if (!existsSync(CLI_PATH)) throw new Error(`build first: npm run build (${CLI_PATH} is missing)`);
});
beforeEach(async () => {
  ({ dir, remove: removeDir } = await makeTempDir());
});
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  await removeDir();
});

async function dateMapping(extra = ''): Promise<string> {
  const path = join(dir, 'm.yaml');
  await writeFile(
    path,
    `object: 101\n${extra}fields:\n  Code: vendor-code\n  Since: { field: onboarding-date, type: date }\n`,
  );
  return path;
}

describe("export: dates are the instance's calendar dates", () => {
  it('an instance east of UTC with no zone set: the date comes back as stored, not a day early', async () => {
    sim = await startTestSim({ timezone: 'Asia/Tokyo' });
    sim.insert(101, {
      'vendor-code': 'V-1',
      'vendor-name': 'x',
      'onboarding-date': '2026-02-28T00:00:00+09:00',
    });
    const out = join(dir, 'x.csv');
    await runExport({ mapping: await dateMapping(), out, client: clientFor(sim) });
    expect((await readCsv(out)).rows).toEqual([['V-1', '2026-02-28']]);
  });

  it('a set zone that agrees with the instance now but not on the date stored: the stored calendar date', async () => {
    // Pacific/Pitcairn is -08:00 all year, like Los Angeles in winter; the date was stored in summer (-07:00).
    sim = await startTestSim({
      timezone: 'America/Los_Angeles',
      now: () => Date.parse('2026-12-03T12:00:00Z'),
    });
    sim.insert(101, {
      'vendor-code': 'V-1',
      'vendor-name': 'x',
      'onboarding-date': '2026-07-01T00:00:00-07:00',
    });
    const out = join(dir, 'x.csv');
    await runExport({
      mapping: await dateMapping(),
      out,
      client: clientFor(sim),
      timezone: 'Pacific/Pitcairn',
    });
    expect((await readCsv(out)).rows).toEqual([['V-1', '2026-07-01']]);
  });

  it('a set zone that contradicts the offset the instance reports is refused (exit 2), nothing written', async () => {
    sim = await startTestSim({
      timezone: 'America/Los_Angeles',
      now: () => Date.parse('2026-12-03T12:00:00Z'),
    });
    sim.insert(101, {
      'vendor-code': 'V-1',
      'vendor-name': 'x',
      'onboarding-date': '2026-02-28T00:00:00-08:00',
    });
    const out = join(dir, 'x.csv');
    const error = await runExport({
      mapping: await dateMapping(),
      out,
      client: clientFor(sim),
      timezone: 'Europe/Berlin',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('TIMEZONE');
    expect((error as Error).message).toContain('has UTC offset +01:00, but the instance reports -08:00');
    expect((error as Error).message).toContain('America/Los_Angeles');
    expect(await readdir(dir)).toEqual(['m.yaml']);
  });

  it("the built CLI: the mapping's timezone contradicting the instance exits 2 naming the offset and how to set the zone", async () => {
    sim = await startTestSim({ timezone: 'America/Los_Angeles' });
    sim.insert(101, {
      'vendor-code': 'V-1',
      'vendor-name': 'x',
      'onboarding-date': '2026-02-28T00:00:00-08:00',
    });
    const out = join(dir, 'x.csv');
    const mapping = await dateMapping('timezone: Asia/Tokyo\n');
    const r = await runCli(['export', '--mapping', mapping, '--out', out], { env: simEnv(sim) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /the time zone Asia\/Tokyo \(the timezone: of .*m\.yaml\) has UTC offset \+09:00, but the instance reports -0[78]:00/,
    );
    expect(r.stderr).toContain('Set --timezone (or COUPA_TIMEZONE');
    expect(await readdir(dir)).toEqual(['m.yaml']);
    // With the instance's zone it goes through, and the date is the stored one.
    const ok = await runCli(
      ['export', '--mapping', mapping, '--out', out, '--timezone', 'America/Los_Angeles'],
      {
        env: simEnv(sim),
      },
    );
    expect(ok.code).toBe(0);
    expect(await readFile(out, 'utf8')).toBe('Code,Since\nV-1,2026-02-28\n');
  });
});
