import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { simEnv, startResettingServer, startTestSim } from '../helpers/sim.js';
import {
  customFields,
  expectEveryRowOnce,
  makeTempDir,
  readResults,
  vendorCsv,
  VENDOR_MAPPING,
  VENDOR_MAPPING_NO_KEY,
  waitFor,
} from './helpers.js';

const ROWS = 30;

/** Lines the journal says were sent but not finished. */
function inFlightLines(journal: string): number[] {
  const sent = new Set<number>();
  for (const line of fs.readFileSync(journal, 'utf8').split('\n').slice(1)) {
    if (!line.trim()) continue;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (typeof e.s === 'number') sent.add(e.s);
    for (const k of ['d', 'f', 'u']) if (typeof e[k] === 'number') sent.delete(e[k]);
  }
  return [...sent].sort((a, b) => a - b);
}

describe('interruptions and --resume', () => {
  let sim: Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  let env: Record<string, string>;
  beforeEach(async () => {
    sim = await startTestSim({ latencyMs: 40 });
    tmp = makeTempDir('interrupt');
    env = simEnv(sim);
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(ROWS));
    fs.writeFileSync(tmp.file('m.yaml'), VENDOR_MAPPING);
    fs.writeFileSync(tmp.file('nk.yaml'), VENDOR_MAPPING_NO_KEY);
  });
  afterEach(async () => {
    await sim.close();
    tmp.cleanup();
  });

  const codes = (): unknown[] => customFields(sim.records(101)).map((f) => f['vendor-code']);

  it('Ctrl-C: exit 3, every row in the results once, the resume command printed; --resume finishes without duplicates', async () => {
    const args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('nk.yaml'), '--concurrency', '2'];
    const run = spawnCli(args, { env });
    await waitFor(() => sim.records(101).length >= 3);
    run.child.kill('SIGINT');
    const res = await run.result;
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('--resume');
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows.map((r) => Number(r._line))).toEqual(Array.from({ length: ROWS }, (_, i) => i + 2));
    const created = rows.filter((r) => r._status === 'created');
    expect(created.length).toBe(sim.records(101).length);
    expect(created.length).toBeLessThan(ROWS);
    expect(
      rows
        .filter((r) => r._status === 'failed')
        .every((r) => r._error === 'not sent: run interrupted; finish with --resume'),
    ).toBe(true);
    expect(fs.existsSync(tmp.file('in.results.csv.journal'))).toBe(false);

    // The same command again without --resume would create the rows already created a second time.
    const requestsBefore = sim.stats().requests;
    const again = await runCli(args, { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `stopped before it finished (${created.length} rows applied, ${ROWS - created.length} not sent)`,
    );
    expect(again.stderr).toContain('add --resume');
    expect(sim.stats().requests).toBe(requestsBefore);
    expect(readResults(tmp.file('in.results.csv'))).toEqual(rows);

    const resumed = await runCli([...args, '--resume', '--json'], { env });
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      skipped: created.length,
      created: ROWS - created.length,
      failed: 0,
    });
    expect(codes().sort()).toEqual(Array.from({ length: ROWS }, (_, i) => `V-${i + 1}`).sort());
    const final = readResults(tmp.file('in.results.csv'));
    expect(final.every((r) => r._status === 'created' && r._id !== '')).toBe(true);
    expect(new Set(final.map((r) => r._id)).size).toBe(ROWS);
  });

  it('a second Ctrl-C stops at once; --resume still finishes without duplicates', async () => {
    const args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--concurrency', '3'];
    const run = spawnCli(args, { env });
    await waitFor(() => sim.records(101).length >= 3);
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 5));
    run.child.kill('SIGINT');
    const res = await run.result;
    expect(res.code).toBe(3);
    expect(res.stderr).toContain(
      'SIGINT again: stopping now; finish the job with the same command and --resume',
    );
    await new Promise((r) => setTimeout(r, 100));

    const resumed = await runCli([...args, '--resume'], { env });
    expect(resumed.code).toBe(0);
    const all = codes();
    expect(all).toHaveLength(ROWS);
    expect(new Set(all).size).toBe(ROWS);
    expect(readResults(tmp.file('in.results.csv'))).toHaveLength(ROWS);
  });

  it('kill -9 with a key: --resume applies every row exactly once', async () => {
    const args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--concurrency', '3'];
    const run = spawnCli(args, { env });
    await waitFor(() => sim.records(101).length >= 5);
    run.child.kill('SIGKILL');
    await run.result;
    expect(fs.existsSync(tmp.file('in.results.csv.journal'))).toBe(true);
    // Let requests the dead process left in flight land in the simulator.
    await new Promise((r) => setTimeout(r, 150));

    const resumed = await runCli([...args, '--resume'], { env });
    expect(resumed.code).toBe(0);
    const all = codes();
    expect(all).toHaveLength(ROWS);
    expect(new Set(all).size).toBe(ROWS);
    const final = readResults(tmp.file('in.results.csv'));
    expect(final).toHaveLength(ROWS);
    expect(final.every((r) => r._status === 'created')).toBe(true);
    expect(fs.existsSync(tmp.file('in.results.csv.journal'))).toBe(false);
  });

  it('kill -9 without a key: --resume names the rows that were in flight and sends every other row once', async () => {
    const args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('nk.yaml'), '--concurrency', '3'];
    const run = spawnCli(args, { env });
    const journal = tmp.file('in.results.csv.journal');
    // Killed while the journal shows a row sent without an outcome (3 requests of 40 ms are always in flight).
    await waitFor(() => sim.records(101).length >= 5 && inFlightLines(journal).length > 0);
    run.child.kill('SIGKILL');
    await run.result;
    const uncertain = inFlightLines(journal);
    expect(uncertain.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 150));

    const resumed = await runCli([...args, '--resume'], { env });
    expect(resumed.code).toBe(1);
    const final = readResults(tmp.file('in.results.csv'));
    expect(final).toHaveLength(ROWS);
    const failed = final.filter((r) => r._status === 'failed');
    expect(failed.map((r) => Number(r._line))).toEqual(uncertain);
    for (const r of failed) expect(r._error).toMatch(/in flight when the previous run was killed/);
    expect(resumed.stderr).toContain(uncertain.join(', '));
    // Every row that was not uncertain exists exactly once.
    const counts = new Map<unknown, number>();
    for (const c of codes()) counts.set(c, (counts.get(c) ?? 0) + 1);
    for (const r of final) {
      if (r._status === 'created') expect(counts.get(r.Code)).toBe(1);
      else expect(counts.get(r.Code) ?? 0).toBeLessThanOrEqual(1);
    }
  });
  it('SIGTERM behaves like Ctrl-C: exit 3, complete results, resumable', async () => {
    const args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--concurrency', '2'];
    const run = spawnCli(args, { env });
    await waitFor(() => sim.records(101).length >= 3);
    run.child.kill('SIGTERM');
    const res = await run.result;
    expect(res.code).toBe(3);
    expect(res.stderr).toContain('--resume');
    expect(readResults(tmp.file('in.results.csv'))).toHaveLength(ROWS);
    const resumed = await runCli([...args, '--resume'], { env });
    expect(resumed.code).toBe(0);
    expect(codes()).toHaveLength(ROWS);
    expect(new Set(codes()).size).toBe(ROWS);
  });

  // kill -9 at different moments, then again in the middle of the resume: with a key, still every row exactly once.
  for (const killAt of [1, 14, ROWS - 1]) {
    it(`kill -9 after ${killAt} records, kill -9 during --resume, --resume again: every row exactly once`, async () => {
      const args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--concurrency', '4'];
      const first = spawnCli(args, { env });
      await waitFor(() => sim.records(101).length >= killAt);
      first.child.kill('SIGKILL');
      await first.result;
      await new Promise((r) => setTimeout(r, 100));
      if (sim.records(101).length < ROWS - 2) {
        const second = spawnCli([...args, '--resume'], { env });
        const target = sim.records(101).length + 2;
        await waitFor(() => sim.records(101).length >= target);
        second.child.kill('SIGKILL');
        await second.result;
        await new Promise((r) => setTimeout(r, 100));
      }
      const last = await runCli([...args, '--resume', '--json'], { env });
      expect(last.code).toBe(0);
      expectEveryRowOnce(sim.records(101), tmp.file('in.results.csv'), ROWS);
    });
  }
  it('the wait for in-flight requests after Ctrl-C is bounded; --resume then finishes the job', async () => {
    const slow = await startTestSim({ latencyMs: 1000 }); // in flight far longer than the 300 ms grace
    try {
      const slowEnv = { ...simEnv(slow), COUPA_CSV_STOP_GRACE_MS: '300' };
      const args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--concurrency', '2'];
      const run = spawnCli(args, { env: slowEnv });
      // Creates are in flight once the journal records a send.
      const journal = tmp.file('in.results.csv.journal');
      await waitFor(
        () => fs.existsSync(journal) && fs.readFileSync(journal, 'utf8').includes('{"s":'),
        20_000,
      );
      run.child.kill('SIGINT');
      const res = await run.result;
      expect(res.code).toBe(3);
      expect(res.stderr).toContain('still in flight');
      slow.setFaults({});
      const resumeArgs = [
        'import',
        tmp.file('in.csv'),
        '--mapping',
        tmp.file('m.yaml'),
        '--concurrency',
        '32',
      ];
      const resumed = await runCli([...resumeArgs, '--resume', '--rate', '1000'], {
        env: slowEnv,
        timeoutMs: 60_000,
      });
      expect(resumed.code).toBe(0);
      const all = customFields(slow.records(101)).map((f) => f['vendor-code']);
      expect(all).toHaveLength(ROWS);
      expect(new Set(all).size).toBe(ROWS);
    } finally {
      await slow.close();
    }
  });
  it('a second run into the same results file is refused while the first runs; a lock left by a dead process is taken over', async () => {
    const args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--concurrency', '2'];
    // At 5 rows/s the first run lasts about 6 s: the second process starts well within it, even on a loaded machine.
    const first = spawnCli([...args, '--rate', '5'], { env });
    await waitFor(() => sim.records(101).length >= 2);
    const second = await runCli([...args, '--resume'], { env });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/another coupa-csv run \(pid \d+\) is writing this results file/);
    expect((await first.result).code).toBe(0);
    expectEveryRowOnce(sim.records(101), tmp.file('in.results.csv'), ROWS);
    expect(fs.existsSync(tmp.file('in.results.csv.lock'))).toBe(false);

    // A kill -9 leaves the lock behind; its pid is gone, so the next run goes ahead. (Other keys: create mode with a
    // key fails rows whose key is in Coupa already, `exists`.)
    fs.writeFileSync(tmp.file('in2.csv'), vendorCsv(ROWS, 'W'));
    const args2 = ['import', tmp.file('in2.csv'), ...args.slice(2)];
    const third = spawnCli([...args2, '--results', tmp.file('again.csv')], { env });
    await waitFor(() => fs.existsSync(tmp.file('again.csv.lock')));
    third.child.kill('SIGKILL');
    await third.result;
    expect(fs.existsSync(tmp.file('again.csv.lock'))).toBe(true);
    const resumed = await runCli([...args2, '--results', tmp.file('again.csv'), '--resume'], { env });
    expect(resumed.stderr).not.toMatch(/another coupa-csv run/);
    expect(resumed.code).toBe(0);
  });

  it('Ctrl-C while the preflight retries an instance that resets every connection: exit 3 at once, nothing sent', async () => {
    const resetting = await startResettingServer();
    try {
      const run = spawnCli(['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')], {
        env: { ...env, COUPA_INSTANCE: resetting.url },
      });
      await waitFor(() => resetting.connections() >= 1);
      run.child.kill('SIGINT');
      const res = await run.result;
      expect(res.code).toBe(3);
      expect(res.stderr).toContain('interrupted before anything was sent');
      // Without the interruption the retries run out first (about 20 s) and the message says so.
      expect(res.stderr).not.toContain('could not be reached');
    } finally {
      resetting.close();
    }
  });

  it('rows waiting for the rate limiter are not sent after Ctrl-C, and after kill -9 they are not named uncertain', async () => {
    // --rate 4 with 8 rows taken in at once: most of them wait for the limiter, not for the network.
    const base = ['import', tmp.file('in.csv'), '--mapping', tmp.file('nk.yaml'), '--concurrency', '8'];
    const args = [...base, '--rate', '4'];
    const run = spawnCli(args, { env });
    await waitFor(() => sim.records(101).length >= 3);
    const atSignal = sim.records(101).length;
    run.child.kill('SIGINT');
    expect((await run.result).code).toBe(3);
    expect(sim.records(101).length).toBeLessThanOrEqual(atSignal + 1); // at most the one in flight

    const again = spawnCli([...args, '--results', tmp.file('killed.csv')], { env });
    await waitFor(() => sim.records(101).length >= atSignal + 3);
    again.child.kill('SIGKILL');
    await again.result;
    // The resume reads what the killed run left behind; it need not wait for the limiter itself (at --rate 4 the
    // rest of the rows took about 6 s of the test).
    const resumed = await runCli(
      [...base, '--rate', '1000', '--results', tmp.file('killed.csv'), '--resume', '--json'],
      { env },
    );
    const summary = JSON.parse(resumed.stdout) as { unknown: number };
    expect(summary.unknown).toBeLessThanOrEqual(1); // only a request that had left can be uncertain
  });
});
