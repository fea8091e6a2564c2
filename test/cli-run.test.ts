import * as fs from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resolveInstanceUrl } from '../src/coupa/index.js';
import { main } from '../src/cli/main.js';
import { ConfigError } from '../src/shared/errors.js';
import { runMain, testIo } from './helpers/cli-io.js';
import { startResettingServer } from './helpers/sim.js';
import { makeTempDir } from './helpers/temp-dir.js';
import { useSimWorkspace } from './helpers/workspace.js';
import { customFields, readResults, vendorCsv, VENDOR_MAPPING, waitFor } from './import/helpers.js';

const SAMPLES = new URL('../samples/', import.meta.url).pathname;

/** Whole commands run in-process through main(argv, io): no spawned process, no dist/. */
describe('commands in-process', () => {
  const ws = useSimWorkspace('cli-run', { files: { 'm.yaml': VENDOR_MAPPING, 'in.csv': vendorCsv(5) } });

  it('import creates the rows and prints the JSON summary on io.stdout', async () => {
    const res = await runMain(
      ['import', ws.tmp.file('in.csv'), '--mapping', ws.tmp.file('m.yaml'), '--json'],
      ws.env,
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ rows: 5, created: 5, failed: 0 });
    expect(customFields(ws.sim.records(101))).toHaveLength(5);
  });

  it('the environment comes from io only: without it, no instance', async () => {
    const res = await runMain(['import', ws.tmp.file('in.csv'), '--mapping', ws.tmp.file('m.yaml')], {});
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('no Coupa instance given');
    expect(ws.sim.records(101)).toHaveLength(0);
  });

  it('a signal sent through io stops an import: exit 3, complete results, the resume command from argv', async () => {
    fs.writeFileSync(ws.tmp.file('many.csv'), vendorCsv(205));
    const io = testIo({ ...ws.env });
    const args = ['import', ws.tmp.file('many.csv'), '--mapping', ws.tmp.file('m.yaml'), '--rate', '50'];
    const run = main(args, io);
    await waitFor(() => ws.sim.records(101).length >= 3);
    io.signal('SIGINT');
    const code = await run;
    expect(code).toBe(3);
    expect(io.exits).toEqual([]);
    expect(io.err()).toContain('SIGINT: stopping');
    expect(io.err()).toContain(`coupa-csv import ${args.slice(1).join(' ')} --resume`);
    const results = readResults(ws.tmp.file('many.results.csv'));
    expect(results).toHaveLength(205);
    // A second signal after the run has ended reaches no handler: the command let go of them.
    io.signal('SIGINT');
    expect(io.exits).toEqual([]);
  });

  it('a second signal stops at once through io.exit(3)', async () => {
    const io = testIo({ ...ws.env, COUPA_CSV_STOP_GRACE_MS: '60000' });
    fs.writeFileSync(ws.tmp.file('many.csv'), vendorCsv(300));
    const run = main(
      ['import', ws.tmp.file('many.csv'), '--mapping', ws.tmp.file('m.yaml'), '--rate', '20'],
      io,
    );
    await waitFor(() => ws.sim.records(101).length >= 2);
    io.signal('SIGINT');
    io.signal('SIGINT');
    expect(io.exits).toEqual([3]);
    expect(io.err()).toContain('SIGINT again: stopping now');
    await run;
  });

  it('validate reads the sample and writes its results without a connection', async () => {
    const res = await runMain([
      'validate',
      `${SAMPLES}vendors.csv`,
      '--mapping',
      `${SAMPLES}vendors.mapping.yaml`,
      '--results',
      ws.tmp.file('v.csv'),
    ]);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/valid:\s+20/);
    expect(readResults(ws.tmp.file('v.csv')).every((r) => r._status === 'valid')).toBe(true);
  });
});

describe('mapping init in-process (the use case in mapping/init-mapping.ts)', () => {
  const tmp = makeTempDir('cli-mapping-init');
  afterEach(() => {
    for (const name of fs.readdirSync(tmp.dir)) fs.rmSync(tmp.file(name), { force: true });
  });
  afterAll(() => tmp.cleanup());

  it('prints the skeleton on stdout, or writes --out (JSON for .json) and says what to do next', async () => {
    const printed = await runMain(['mapping', 'init', `${SAMPLES}vendors.csv`, '--object', '101']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^# coupa-csv mapping/);
    expect(printed.stdout).toContain('object: 101');

    const written = await runMain(['mapping', 'init', `${SAMPLES}vendors.csv`, '--out', tmp.file('m.json')]);
    expect(written.code).toBe(0);
    expect(written.stdout).toBe('');
    expect(written.stderr).toContain('set `object:` in it to the custom object id');
    expect(written.stderr).toContain(
      `then run coupa-csv validate ${SAMPLES}vendors.csv --mapping ${tmp.file('m.json')}`,
    );
    const json = JSON.parse(fs.readFileSync(tmp.file('m.json'), 'utf8')) as {
      fields: Record<string, unknown>;
    };
    expect(Object.keys(json.fields).length).toBeGreaterThan(0);

    const again = await runMain(['mapping', 'init', `${SAMPLES}vendors.csv`, '--out', tmp.file('m.json')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');
  });

  it('refuses a sample or object id that is not a positive whole number', async () => {
    for (const [flag, value] of [
      ['--sample', '0'],
      ['--object', '1.5'],
    ] as const) {
      const res = await runMain(['mapping', 'init', `${SAMPLES}vendors.csv`, flag, value]);
      expect(res.code).toBe(2);
      expect(res.stderr).toBe(`coupa-csv: ${flag} must be a positive whole number, got ${value}\n`);
    }
  });
});

describe('retries of an unreachable instance are shown as they happen (no TTY needed)', () => {
  const tmp = makeTempDir('cli-retries');
  fs.writeFileSync(tmp.file('in.csv'), vendorCsv(2));
  fs.writeFileSync(tmp.file('m.yaml'), VENDOR_MAPPING);
  afterAll(() => tmp.cleanup());
  const env = (url: string): Record<string, string> => ({
    COUPA_INSTANCE: url,
    COUPA_CLIENT_ID: 'id',
    COUPA_CLIENT_SECRET: 'secret',
  });

  it('names the request, the attempt, the reason and the wait, then stops on Ctrl-C', async () => {
    const resetting = await startResettingServer();
    try {
      const io = testIo(env(resetting.url));
      expect(io.isTTY).toBe(false);
      const run = main(['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')], io);
      await waitFor(() => io.err().includes('attempt 1 of 7 failed'));
      expect(io.err()).toMatch(
        /^coupa-csv: POST \/oauth2\/token: attempt 1 of 7 failed \([A-Z_]+\); trying again in \d+ ms\n/,
      );
      io.signal('SIGINT');
      expect(await run).toBe(3);
      expect(io.err()).toContain('interrupted before anything was sent');
    } finally {
      resetting.close();
    }
  });

  it.each([['--quiet'], ['--json']])('%s: no retry lines', async (flag) => {
    const resetting = await startResettingServer();
    try {
      const io = testIo(env(resetting.url));
      const run = main(['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), flag], io);
      // The second connection is the first retry: its line would have been written before it.
      await waitFor(() => resetting.connections() >= 2);
      io.signal('SIGINT');
      expect(await run).toBe(3);
      expect(io.err()).not.toContain('attempt');
    } finally {
      resetting.close();
    }
  });
});

describe('the instance URL: a trailing /api is dropped, a page of the instance is refused naming the base', () => {
  it.each([
    ['https://acme.coupahost.com/api', 'https://acme.coupahost.com/'],
    ['https://acme.coupahost.com/api/', 'https://acme.coupahost.com/'],
    ['https://acme.coupahost.com/API//', 'https://acme.coupahost.com/'],
    ['https://acme.coupahost.com///', 'https://acme.coupahost.com/'],
    ['https://proxy.example.com/coupa/api/', 'https://proxy.example.com/coupa'],
  ])('%s -> %s', (raw, base) => {
    expect(resolveInstanceUrl(raw).href).toBe(base);
  });

  it.each([
    ['https://acme.coupahost.com/session', '/session', 'https://acme.coupahost.com'],
    ['https://acme.coupahost.com/sessions/new', '/sessions/new', 'https://acme.coupahost.com'],
    ['https://acme.coupahost.com/user_home', '/user_home', 'https://acme.coupahost.com'],
    [
      'https://acme.coupahost.com/api/custom_objects/101/object_instances',
      '/api/custom_objects/101/object_instances',
      'https://acme.coupahost.com',
    ],
    ['https://acme.coupahost.com/oauth2/token', '/oauth2/token', 'https://acme.coupahost.com'],
    ['https://proxy.example.com/coupa/session/', '/session', 'https://proxy.example.com/coupa'],
  ])('%s is refused', (raw, page, base) => {
    let caught: unknown;
    try {
      resolveInstanceUrl(raw);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).code).toBe('INSTANCE');
    expect((caught as ConfigError).message).toBe(
      `the instance URL "${raw}" points at a page of the instance (${page}), not at its base: set --instance or COUPA_INSTANCE to ${base}`,
    );
  });

  const ws = useSimWorkspace('cli-instance', { files: { 'm.yaml': VENDOR_MAPPING, 'in.csv': vendorCsv(3) } });

  it('an import with COUPA_INSTANCE ending in /api/ reaches the instance', async () => {
    const res = await runMain(
      ['import', ws.tmp.file('in.csv'), '--mapping', ws.tmp.file('m.yaml'), '--json'],
      { ...ws.env, COUPA_INSTANCE: `${ws.sim.url}/api/` },
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(customFields(ws.sim.records(101))).toHaveLength(3);
  });

  it('--instance with /session is exit 2, nothing sent, saying what to set', async () => {
    const res = await runMain(
      [
        'import',
        ws.tmp.file('in.csv'),
        '--mapping',
        ws.tmp.file('m.yaml'),
        '--instance',
        `${ws.sim.url}/session`,
      ],
      ws.env,
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      `coupa-csv: the instance URL "${ws.sim.url}/session" points at a page of the instance (/session), not at its base: set --instance or COUPA_INSTANCE to ${ws.sim.url}\n`,
    );
    expect(ws.sim.stats().requests).toBe(0);
  });
});
