import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { leanStart } from '../scripts/lean-start.mjs';
import type { Simulator } from '../src/sim/index.js';
import { CLI_PATH, runCli, SPEC_CLI_PATH } from './helpers/cli.js';
import { simEnv, startTestSim } from './helpers/sim.js';
import { makeTempDir, readResults } from './import/helpers.js';

const SAMPLES = path.resolve(import.meta.dirname, '../samples');
const ROOT = path.resolve(import.meta.dirname, '..');

/** The bundle's chunks (dist/chunks/, beside the bin): each file's name and code. */
function bundleChunks(): { name: string; code: string }[] {
  const chunks = path.join(path.dirname(CLI_PATH), 'chunks');
  return fs
    .readdirSync(chunks)
    .map((name) => ({ name, code: fs.readFileSync(path.join(chunks, name), 'utf8') }));
}

// The package's bin is the esbuild bundle (dist/coupa-csv.js and dist/chunks/); SPEC.md promises `node dist/cli.js`
// (the tsc output). Both must be the same program.
describe('the bundled bin and dist/cli.js', () => {
  const sims: Simulator[] = [];
  const tmp = makeTempDir('cli-entry');
  afterEach(async () => {
    await Promise.all(sims.splice(0).map((s) => s.close()));
  });
  afterAll(() => tmp.cleanup());

  it('are different files that import the same sample with the same summary and results', async () => {
    expect(path.basename(CLI_PATH)).toBe('coupa-csv.js');
    const outcomes = [];
    for (const entry of [CLI_PATH, SPEC_CLI_PATH]) {
      const sim = await startTestSim();
      sims.push(sim);
      const results = tmp.file(`${path.basename(entry)}.results.csv`);
      const args = [
        'import',
        path.join(SAMPLES, 'vendors.csv'),
        '--mapping',
        path.join(SAMPLES, 'vendors.mapping.yaml'),
      ];
      const res = await runCli([...args, '--json', '--results', results], { entry, env: simEnv(sim) });
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const summary = JSON.parse(res.stdout) as Record<string, unknown>;
      delete summary.elapsedMs;
      delete summary.rowsPerSecond;
      delete summary.results;
      outcomes.push({
        summary,
        statuses: readResults(results).map((r) => r._status),
        stored: sim.records(101).length,
      });
    }
    expect(outcomes[0]?.stored).toBeGreaterThan(0);
    expect(outcomes[1]).toEqual(outcomes[0]);
  });

  it('a dry run never loads the chunk with the HTTP stack; an import does', async () => {
    // A copy of the bundle without the chunk that holds undici: validate must not notice, import must.
    const copy = tmp.file('bundle');
    fs.mkdirSync(path.join(copy, 'chunks'), { recursive: true });
    fs.copyFileSync(CLI_PATH, path.join(copy, 'coupa-csv.js'));
    const chunks = bundleChunks();
    const withUndici: string[] = [];
    for (const { name, code } of chunks) {
      if (code.includes('node_modules/undici/')) withUndici.push(name);
      else fs.writeFileSync(path.join(copy, 'chunks', name), code);
    }
    expect(withUndici).toHaveLength(1);
    // The lean entry (scripts/lean-start.mjs): the agent and its request API, not undici's whole index.
    const undiciChunk = chunks.find(({ name }) => name === withUndici[0])?.code;
    expect(undiciChunk).toContain('node_modules/undici/lib/dispatcher/agent.js');
    for (const unused of ['lib/web/websocket/', 'lib/mock/', 'lib/cache/', 'lib/interceptor/']) {
      expect(undiciChunk).not.toContain(`node_modules/undici/${unused}`);
    }
    expect(fs.readFileSync(CLI_PATH, 'utf8')).not.toContain('node_modules/undici/');
    const entry = path.join(copy, 'coupa-csv.js');
    const csv = path.join(SAMPLES, 'vendors.csv');
    const mapping = path.join(SAMPLES, 'vendors.mapping.yaml');
    const dry = await runCli(
      ['validate', csv, '--mapping', mapping, '--json', '--results', tmp.file('v.csv')],
      {
        entry,
      },
    );
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    const sim = await startTestSim();
    sims.push(sim);
    const real = await runCli(['import', csv, '--mapping', mapping, '--results', tmp.file('i.csv')], {
      entry,
      env: simEnv(sim),
    });
    expect(real.code).not.toBe(0);
    expect(real.stderr).toContain(withUndici[0]);
    expect(sim.records(101)).toHaveLength(0);
  });

  it('an import through the bundle sends its requests without loading node:http2', async () => {
    // lean-start wraps undici's HTTP/2 client in a function that loads it on first call (an h2 connection only).
    const probe = tmp.file('modules.mjs');
    const report = tmp.file('modules.json');
    fs.writeFileSync(
      probe,
      `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(${JSON.stringify(report)}, JSON.stringify(process.moduleLoadList)));`,
    );
    const sim = await startTestSim();
    sims.push(sim);
    const res = await runCli(
      [
        'import',
        path.join(SAMPLES, 'vendors.csv'),
        '--mapping',
        path.join(SAMPLES, 'vendors.mapping.yaml'),
        '--results',
        tmp.file('h2.results.csv'),
      ],
      { env: { ...simEnv(sim), NODE_OPTIONS: `--import=${pathToFileURL(probe).href}` } },
    );
    expect(res.code).toBe(0);
    expect(sim.records(101).length).toBeGreaterThan(0);
    const loaded = JSON.parse(fs.readFileSync(report, 'utf8')) as string[];
    expect(loaded).toContain('NativeModule net');
    expect(loaded.filter((m) => m.includes('http2'))).toEqual([]);
    const undiciChunk = bundleChunks().find(({ code }) => code.includes('node_modules/undici/'))?.code;
    // The real module is still in the bundle, behind the wrapper.
    expect(undiciChunk).toContain('lazyConnectH2');
    expect(undiciChunk).toContain('node_modules/undici/lib/dispatcher/client-h2.js');
  });

  it('print the same help and version', async () => {
    for (const args of [['--help'], ['import', '--help'], ['--version']]) {
      const bundled = await runCli(args);
      const plain = await runCli(args, { entry: SPEC_CLI_PATH });
      expect(bundled.code).toBe(0);
      expect(plain).toEqual(bundled);
    }
  });
});

describe('the bundle plugin lean-start', () => {
  const tmp = makeTempDir('lean-start');
  afterAll(() => tmp.cleanup());

  // Bundled the way scripts/bundle.mjs bundles each user of `string-width`: resolved from that user's folder.
  async function bundleWidthProbe(userDir: string, name: string): Promise<string> {
    const outfile = tmp.file(`${name}.mjs`);
    await build({
      stdin: {
        resolveDir: userDir,
        loader: 'js',
        contents: `
          import stringWidth from 'string-width';
          let segmenters = 0;
          const Real = Intl.Segmenter;
          Intl.Segmenter = class extends Real { constructor(...a) { super(...a); segmenters++; } };
          const ascii = stringWidth('Usage: coupa-csv import <file> --mapping <file>');
          const segmentersAfterAscii = segmenters;
          const widths = JSON.parse(process.argv[2]).map((text) => stringWidth(text));
          console.log(JSON.stringify({ ascii, segmentersAfterAscii, segmenters, widths }));`,
      },
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      plugins: [leanStart],
      logLevel: 'silent',
    });
    return outfile;
  }
  const samples = ['', 'plain', 'Größe', '日本語', '\u001b[31mred\u001b[39m', 'e\u0301', '👍🏽', 'tab\there'];
  interface Probe {
    ascii: number;
    segmentersAfterAscii: number;
    segmenters: number;
    widths: number[];
  }
  const runProbe = (outfile: string): Probe =>
    JSON.parse(
      execFileSync(process.execPath, [outfile, JSON.stringify(samples)], { encoding: 'utf8' }),
    ) as Probe;
  const realWidth = async (indexJs: string): Promise<(text: string) => number> =>
    ((await import(pathToFileURL(indexJs).href)) as { default: (text: string) => number }).default;

  it('measures printable ASCII by its length and anything else with the real string-width, loaded on first use', async () => {
    // yargs' copy (string-width 8, an ES module that builds an Intl.Segmenter when it loads).
    const yargsDir = path.join(ROOT, 'node_modules', 'yargs');
    const out = runProbe(await bundleWidthProbe(yargsDir, 'width-yargs'));
    const real = await realWidth(path.join(yargsDir, 'node_modules', 'string-width', 'index.js'));
    expect(out.ascii).toBe(47);
    expect(out.widths).toEqual(samples.map((text) => real(text)));
    expect(out.widths.slice(3, 5)).toEqual([6, 3]);
    // The real module is evaluated only once non-ASCII text comes.
    expect(out.segmentersAfterAscii).toBe(0);
    expect(out.segmenters).toBeGreaterThan(0);
  });

  it("wraps cli-progress's string-width 4 (CommonJS) the same way", async () => {
    const probe = await bundleWidthProbe(path.join(ROOT, 'node_modules', 'cli-progress'), 'width-v4');
    // Wrapped (string-width 4 builds no Segmenter to tell by): the fast path is in the bundle.
    expect(fs.readFileSync(probe, 'utf8')).toContain('printableAscii.test(text)');
    const out = runProbe(probe);
    const real = await realWidth(path.join(ROOT, 'node_modules', 'string-width', 'index.js'));
    expect(out.ascii).toBe(47);
    expect(out.widths).toEqual(samples.map((text) => real(text)));
    expect(out.widths.slice(3, 5)).toEqual([6, 3]);
  });
});
