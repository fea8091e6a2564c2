import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, lstat, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { CLI_PATH, runCli, spawnCli } from '../helpers/cli.js';
import { simEnv, startResettingServer, startTestSim } from '../helpers/sim.js';
import { makeTempDir, parseCsv, seedVendors, sleep } from './helpers.js';

let sim: Simulator;
let dir: string;
let removeDir: () => Promise<void>;

beforeAll(() => {
  if (!existsSync(CLI_PATH))
    throw new Error(`build first: npx tsc -p tsconfig.build.json (${CLI_PATH} is missing)`);
});
beforeEach(async () => {
  sim = await startTestSim();
  ({ dir, remove: removeDir } = await makeTempDir());
});
afterEach(async () => {
  await sim.close();
  await removeDir();
});

describe('coupa-csv export (built CLI against the simulator)', () => {
  it('writes the file, prints a human summary on stderr and exits 0', async () => {
    seedVendors(sim, 1, 120);
    const out = join(dir, 'vendors.csv');
    const r = await runCli(['export', '--object', '101', '--out', out, '--concurrency', '3'], {
      env: simEnv(sim),
    });
    expect(r.stderr).toContain('export done');
    expect(r.stderr).toContain('120 (');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const rows = parseCsv(await readFile(out, 'utf8'));
    expect(rows).toHaveLength(121);
    expect(await readdir(dir)).toEqual(['vendors.csv']);
  });

  it('--json prints one summary object on stdout', async () => {
    seedVendors(sim, 1, 60);
    const out = join(dir, 'v.jsonl.gz');
    const r = await runCli(
      [
        'export',
        '--object',
        '101',
        '--out',
        out,
        '--format',
        'jsonl',
        '--gzip',
        '--json',
        '--filter',
        'active=true',
      ],
      { env: simEnv(sim) },
    );
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      // The keys SPEC lists for import's summary ("as for import"), then the export's own.
      rows: 30,
      created: 0,
      updated: 0,
      failed: 0,
      invalid: 0,
      results: out,
      records: 30,
      out,
      format: 'jsonl',
      retries: 0,
      throttled: 0,
      truncated: false,
    });
    expect(typeof summary.elapsedMs).toBe('number');
    expect(r.stderr).toBe('');
  });

  it('--out - writes the records to stdout and the summary to stderr', async () => {
    seedVendors(sim, 1, 55);
    const r = await runCli(['export', '--object', '101', '--out', '-', '--bom'], { env: simEnv(sim) });
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('\uFEFFid,created-at,updated-at,vendor-code')).toBe(true);
    expect(parseCsv(r.stdout)).toHaveLength(56);
    expect(r.stderr).toContain('export done');
  });

  it('an unknown filter operator exits 2 before any request, naming the filter and the valid operators', async () => {
    seedVendors(sim, 1, 5);
    const out = join(dir, 'x.csv');
    const r = await runCli(['export', '--object', '101', '--out', out, '--filter', 'vendor-code[like]=V-1'], {
      env: simEnv(sim),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('vendor-code[like]=V-1');
    expect(r.stderr).toContain('unknown operator "like"');
    expect(r.stderr).toContain('starts_with');
    expect(sim.stats().requests).toBe(0);
    expect(sim.stats().tokensIssued).toBe(0);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    [['--out', '-', '--json'], /--json/],
    [['--out', 'x.jsonl', '--format', 'jsonl', '--bom'], /--bom applies to CSV only/],
    [['--out', 'x.csv', '--limit', '0'], /--limit/],
    [['--format', 'xml', '--out', 'x.csv'], /format/],
    [['--out', 'a.csv', '--out', 'b.csv'], /--out was given more than once \(a\.csv, b\.csv\)/],
    [['--out', 'x.csv', '--limit'], /--limit needs a value/],
    [['--limit', '--out', 'x.csv'], /--limit needs a value/],
    [['--out', 'x.csv', '--gzip=yes'], /--gzip is a switch/],
    [
      ['--out', 'x.csv', '--timezone', 'UTC', '--timezone', 'Europe/Berlin'],
      /--timezone was given more than once/,
    ],
  ])('usage error %j exits 2', async (args, message) => {
    const r = await runCli(['export', '--object', '101', ...args], { env: simEnv(sim), cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(sim.stats().requests).toBe(0);
  });

  it('a flag repeated with the same value counts once', async () => {
    seedVendors(sim, 1, 3);
    const out = join(dir, 'x.csv');
    const r = await runCli(
      [
        'export',
        '--object',
        '101',
        '--out',
        out,
        // The simulator's zone: a set zone that contradicts the instance's offsets is refused (issue 16).
        '--timezone',
        'America/Los_Angeles',
        '--timezone',
        'America/Los_Angeles',
        '--json',
        '--json',
      ],
      { env: simEnv(sim) },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ records: 3, out });
  });

  it('missing credentials exit 2 and name the variables', async () => {
    const r = await runCli(['export', '--object', '101', '--out', join(dir, 'x.csv')], {
      env: { COUPA_INSTANCE: sim.url },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('COUPA_CLIENT_ID');
  });

  it('a wrong secret exits 3 and leaves no file', async () => {
    const out = join(dir, 'x.csv');
    const r = await runCli(['export', '--object', '101', '--out', out], {
      env: { ...simEnv(sim), COUPA_CLIENT_SECRET: 'wrong-secret-value' },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain('wrong-secret-value');
    expect(await readdir(dir)).toEqual([]);
  });

  it('SIGINT mid-way exits 3 and leaves neither the output nor a temporary file', async () => {
    await sim.close();
    sim = await startTestSim({ latencyMs: 60 });
    seedVendors(sim, 1, 1500);
    const out = join(dir, 'big.csv');
    const run = spawnCli(['export', '--object', '101', '--out', out, '--concurrency', '1'], {
      env: simEnv(sim),
    });
    // Wait until paging is under way (preflight, max id, then pages).
    for (let i = 0; i < 200 && sim.stats().requests < 5; i++) await sleep(20);
    expect(sim.stats().requests).toBeGreaterThanOrEqual(5);
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/interrupted/i);
    expect(await readdir(dir)).toEqual([]);
  });

  it('--excel-safe with --mapping escapes formula cells and notes that the file will not import back unchanged', async () => {
    sim.insert(101, { 'vendor-code': 'V-1', 'vendor-name': '=HYPERLINK("http://x")' });
    const mapping = join(dir, 'm.yaml');
    await writeFile(mapping, 'object: 101\nfields:\n  Code: vendor-code\n  Name: vendor-name\n');
    const out = join(dir, 'x.csv');
    const r = await runCli(['export', '--mapping', mapping, '--out', out, '--excel-safe'], {
      env: simEnv(sim),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('--excel-safe changes values');
    expect(parseCsv(await readFile(out, 'utf8'))).toEqual([
      ['Code', 'Name'],
      ['V-1', '\'=HYPERLINK("http://x")'],
    ]);
  });

  it('a mapping without the instance time zone: a note names the date column whose offsets differ, and how to fix it', async () => {
    seedVendors(sim, 1, 3);
    const mapping = join(dir, 'm.yaml');
    await writeFile(
      mapping,
      'object: 101\nfields:\n  Code: vendor-code\n  Since: { field: onboarding-date, type: date }\n  Extra: no-such-field\n',
    );
    const out = join(dir, 'x.csv');
    const utc = await runCli(['export', '--mapping', mapping, '--out', out], { env: simEnv(sim) });
    expect(utc.code).toBe(0);
    expect(utc.stderr).toMatch(
      /column "Since": 3 records \(first: id \d+, [^)]+\) carry another UTC offset than UTC/,
    );
    expect(utc.stderr).toContain('set --timezone, COUPA_TIMEZONE');
    expect(utc.stderr).toContain('column "Extra": no exported record has the field no-such-field');
    const la = await runCli(
      ['export', '--mapping', mapping, '--out', out, '--timezone', 'America/Los_Angeles'],
      {
        env: simEnv(sim),
      },
    );
    expect(la.code).toBe(0);
    expect(la.stderr).not.toContain('another UTC offset');
  });

  it('a date filter with no time zone given anywhere is read in UTC, and a note says so and how to set the zone', async () => {
    seedVendors(sim, 1, 2);
    const out = join(dir, 'x.csv');
    const args = ['export', '--object', '101', '--out', out, '--filter', 'created-at[gt]=2026-01-05'];
    const bare = await runCli(args, { env: simEnv(sim) });
    expect(bare.code).toBe(0);
    expect(bare.stderr).toContain(
      'no time zone given: the date/time in "created-at[gt]=2026-01-05" is read in UTC',
    );
    const zoned = await runCli(args, { env: { ...simEnv(sim), COUPA_TIMEZONE: 'America/Los_Angeles' } });
    expect(zoned.code).toBe(0);
    expect(zoned.stderr).not.toContain('no time zone given');
  });

  it('--help shows every flag, a filter example and a nightly cron example', async () => {
    const r = await runCli(['export', '--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--object',
      '--mapping',
      '--out',
      '--filter',
      '--state',
      '--format',
      '--gzip',
      '--bom',
      '--excel-safe',
      '--concurrency',
      '--rate',
      '--limit',
      '--json',
      '--quiet',
    ]) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toContain('updated_at[gt_or_eq]=');
    expect(r.stdout).toContain('crontab');
  });

  it('writes through a symbolic link to its target and keeps the link and the file mode', async () => {
    seedVendors(sim, 1, 5);
    const real = join(dir, 'real.csv');
    await writeFile(real, 'old\n');
    await chmod(real, 0o640);
    const link = join(dir, 'link.csv');
    await symlink(real, link);
    const r = await runCli(['export', '--object', '101', '--out', link, '--quiet'], { env: simEnv(sim) });
    expect(r.code).toBe(0);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(parseCsv(await readFile(real, 'utf8'))).toHaveLength(6);
    expect((await stat(real)).mode & 0o777).toBe(0o640);
    expect((await readdir(dir)).sort()).toEqual(['link.csv', 'real.csv']);
  });

  it('writes into a FIFO in place: the reader gets the records and the FIFO stays a FIFO', async () => {
    seedVendors(sim, 1, 5);
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.on('data', (d: Buffer) => (received += d.toString()));
    const readerDone = new Promise<void>((done) => reader.once('exit', () => done()));
    const r = await runCli(['export', '--object', '101', '--out', fifo, '--quiet'], { env: simEnv(sim) });
    // A FIFO replaced by a file would leave cat waiting for a writer forever.
    const stuck = setTimeout(() => reader.kill(), 5000);
    await readerDone;
    clearTimeout(stuck);
    expect(r.code).toBe(0);
    expect((await lstat(fifo)).isFIFO()).toBe(true);
    expect(parseCsv(received)).toHaveLength(6);
  });

  it('refuses --out naming the --state file or the mapping, and a --state that is not a file, before any request', async () => {
    const mapping = join(dir, 'm.yaml');
    const mappingText = 'object: 101\nfields:\n  Code: vendor-code\n';
    await writeFile(mapping, mappingText);
    const state = join(dir, 'state.json');
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const [args, message] of [
      [
        ['--object', '101', '--out', state, '--state', `${dir}/./state.json`],
        '--out and --state name the same file',
      ],
      [['--mapping', mapping, '--out', mapping], '--out and --mapping name the same file'],
      [['--object', '101', '--out', join(dir, 'x.csv'), '--state', fifo], 'is not a regular file'],
    ] as const) {
      const r = await runCli(['export', ...args], { env: simEnv(sim) });
      expect(r.stderr).toContain(message);
      expect(r.code).toBe(2);
    }
    expect(await readFile(mapping, 'utf8')).toBe(mappingText);
    expect((await readdir(dir)).sort()).toEqual(['fifo', 'm.yaml']);
    expect(sim.stats().requests).toBe(0);
  });

  it('a reader that closes the pipe early (| head) stops the export with exit 3, not an uncaught error', async () => {
    seedVendors(sim, 1, 2000); // more than a pipe buffer of CSV
    const script = `"${process.execPath}" "${CLI_PATH}" export --object 101 --out - --rate 1000 2>&1 | head -c 100 >/dev/null; echo "exit \${PIPESTATUS[0]}"`;
    const shell = spawn('bash', ['-c', script], { env: { ...process.env, ...simEnv(sim) } });
    let out = '';
    shell.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((done) => shell.once('exit', done));
    expect(out.trim()).toBe('exit 3');
  });

  it('stdout that cannot be written (a full disk: /dev/full) is exit 3 with one line, for export and mapping init alike', async () => {
    seedVendors(sim, 1, 5);
    const cli = `"${process.execPath}" "${CLI_PATH}"`;
    const script = [
      `${cli} export --object 101 --out - --quiet > /dev/full 2>err1.txt; echo "export \${?}"`,
      `${cli} mapping init "${join(dir, 'in.csv')}" > /dev/full 2>err2.txt; echo "init \${?}"`,
    ].join('; ');
    await writeFile(join(dir, 'in.csv'), 'Code,Name\nV-1,A\n');
    const shell = spawn('bash', ['-c', script], { env: { ...process.env, ...simEnv(sim) }, cwd: dir });
    let out = '';
    shell.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((done) => shell.once('exit', done));
    expect(out.trim().split('\n')).toEqual(['export 3', 'init 3']);
    const err1 = await readFile(join(dir, 'err1.txt'), 'utf8');
    expect(err1).toContain('cannot write the output (ENOSPC');
    expect(err1).not.toMatch(/\n\s+at /); // no stack trace
    expect(await readFile(join(dir, 'err2.txt'), 'utf8')).toBe(
      'coupa-csv: cannot write to stdout (ENOSPC)\n',
    );
  });

  it('Ctrl-C while the preflight retries an instance that resets every connection: exit 3 at once', async () => {
    const resetting = await startResettingServer();
    try {
      const run = spawnCli(['export', '--object', '101', '--out', join(dir, 'x.csv')], {
        env: { ...simEnv(sim), COUPA_INSTANCE: resetting.url },
      });
      while (resetting.connections() < 1) await sleep(20);
      run.child.kill('SIGINT');
      const r = await run.result;
      expect(r.code).toBe(3);
      expect(r.stderr).toContain('export interrupted');
      expect(r.stderr).not.toContain('could not be reached');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      resetting.close();
    }
  });
});
