import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { runCli, spawnCli, type CliResult } from '../helpers/cli.js';
import { startTestSim } from '../helpers/sim.js';
import {
  customFields,
  makeTempDir,
  readResults,
  vendorCsv,
  VENDOR_MAPPING,
  VENDOR_MAPPING_NO_KEY,
  waitFor,
} from '../import/helpers.js';

const CLIENT_ID = 'known-client-id';
const SECRET = 'Kn0wn-Client-Secret-4c1d';
const API_KEY = 'Kn0wn-Api-Key-9f2e7a';

/** Every file under `dir`, recursively (results, journals, exports, state files, temporaries). */
function allFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).flatMap((entry) => {
    const full = path.join(entry.parentPath, entry.name);
    return entry.isFile() ? [full] : [];
  });
}

describe('secrets never leak: the CLI run with known credentials, every output searched', () => {
  let sim: Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  const outputs: Array<{ what: string; text: string }> = [];
  const collect = (what: string, res: CliResult): CliResult => {
    outputs.push({ what: `${what} stdout`, text: res.stdout }, { what: `${what} stderr`, text: res.stderr });
    return res;
  };

  beforeEach(async () => {
    // Short-lived tokens (several are issued), faults (error paths print messages), the legacy key accepted.
    sim = await startTestSim({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      apiKey: API_KEY,
      tokenLifetimeS: 1,
      latencyMs: 5,
      faults: { error5xx: 0.05, dropAfterStore: 0.05, dropBeforeStore: 0.03, seed: 3 },
      retryAfter: 'mixed',
    });
    tmp = makeTempDir('secrets');
    outputs.length = 0;
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(60));
    fs.writeFileSync(tmp.file('m.yaml'), VENDOR_MAPPING);
    fs.writeFileSync(tmp.file('nk.yaml'), VENDOR_MAPPING_NO_KEY);
    fs.writeFileSync(tmp.file('k.csv'), vendorCsv(20, 'K'));
  });
  afterEach(async () => {
    await sim.close();
    tmp.cleanup();
  });

  it('import, export, resume, failures and --verbose show no secret, token or key anywhere', async () => {
    const oauth = { COUPA_INSTANCE: sim.url, COUPA_CLIENT_ID: CLIENT_ID, COUPA_CLIENT_SECRET: SECRET };
    const keyEnv = { COUPA_INSTANCE: sim.url, COUPA_API_KEY: API_KEY };
    const importArgs = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--rate', '200'];

    // An interrupted import leaves a journal; --resume --verbose finishes it.
    const run = spawnCli(importArgs, { env: oauth });
    await waitFor(() => sim.records(101).length >= 5);
    run.child.kill('SIGKILL');
    await run.result;
    const resumed = collect('resume', await runCli([...importArgs, '--resume', '--verbose'], { env: oauth }));
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/authorization: Bearer \[redacted\]/);

    // Without a key, unknown outcomes are failed rows with messages in the results file.
    collect(
      'no-key import',
      await runCli(
        [
          'import',
          tmp.file('in.csv'),
          '--mapping',
          tmp.file('nk.yaml'),
          '--results',
          tmp.file('nk.results.csv'),
          '--rate',
          '200',
        ],
        { env: oauth },
      ),
    );
    // The legacy API key, verbose.
    const withKey = collect(
      'api-key validate+import',
      await runCli(
        [
          'import',
          tmp.file('k.csv'),
          '--mapping',
          tmp.file('m.yaml'),
          '--mode',
          'upsert',
          '--results',
          tmp.file('key.results.csv'),
          '--verbose',
          '--json',
        ],
        { env: keyEnv },
      ),
    );
    expect(withKey.code).toBe(0);
    expect(withKey.stderr).toMatch(/x-coupa-api-key: \[redacted\]/);
    // Export with a state file, twice, verbose; and to stdout.
    for (const n of [1, 2]) {
      const res = collect(
        `export ${n}`,
        await runCli(
          [
            'export',
            '--mapping',
            tmp.file('m.yaml'),
            '--out',
            tmp.file('out.csv'),
            '--state',
            tmp.file('state.json'),
            '--verbose',
          ],
          { env: oauth },
        ),
      );
      expect(res.code).toBe(0);
    }
    collect(
      'export stdout',
      await runCli(['export', '--object', '101', '--out=-', '--format', 'jsonl'], { env: oauth }),
    );
    // Refused credentials: the error names the variable, never its value (--again: the create run above finished).
    const wrong = collect(
      'wrong secret',
      await runCli([...importArgs, '--again'], { env: { ...oauth, COUPA_CLIENT_SECRET: `${SECRET}-wrong` } }),
    );
    expect(wrong.code).toBe(3);
    const wrongKey = collect(
      'wrong key',
      await runCli([...importArgs, '--again'], { env: { ...keyEnv, COUPA_API_KEY: `${API_KEY}x` } }),
    );
    expect(wrongKey.code).toBe(3);

    const tokens = sim.issuedTokens();
    expect(tokens.length).toBeGreaterThan(3); // the list searched below is real: one or more tokens per run
    const files = allFiles(tmp.dir);
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining([
        'in.results.csv',
        'nk.results.csv',
        'key.results.csv',
        'out.csv',
        'state.json',
      ]),
    );
    for (const f of files) outputs.push({ what: f, text: fs.readFileSync(f, 'latin1') });
    const basic = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64');
    for (const secret of [SECRET, API_KEY, basic, ...tokens]) {
      for (const { what, text } of outputs) {
        if (text.includes(secret)) throw new Error(`a secret (${secret.slice(0, 4)}...) appears in ${what}`);
      }
    }
    // Sanity: the search ran over real output (summaries, verbose lines, exported records).
    expect(outputs.map((o) => o.text).join('').length).toBeGreaterThan(5000);
  });
});

describe('token expiry mid-run', () => {
  let sim: Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  afterEach(async () => {
    await sim.close();
    tmp.cleanup();
  });

  it('renews the token (ahead of expiry, or once after a 401) without failing a row', async () => {
    // Tokens live 0.6 s, requests take 150 ms: some requests leave with a token that expires on the way.
    sim = await startTestSim({ tokenLifetimeS: 0.6, latencyMs: 150 });
    tmp = makeTempDir('token-expiry');
    const rows = 80;
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(rows));
    fs.writeFileSync(tmp.file('m.yaml'), VENDOR_MAPPING);
    const res = await runCli(
      [
        'import',
        tmp.file('in.csv'),
        '--mapping',
        tmp.file('m.yaml'),
        '--json',
        '--concurrency',
        '8',
        '--rate',
        '40',
      ],
      {
        env: {
          COUPA_INSTANCE: sim.url,
          COUPA_CLIENT_ID: sim.clientId,
          COUPA_CLIENT_SECRET: sim.clientSecret,
        },
      },
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ rows, created: rows, failed: 0 });
    expect(sim.stats().tokensIssued).toBeGreaterThan(2);
    expect(customFields(sim.records(101))).toHaveLength(rows);
    expect(readResults(tmp.file('in.results.csv')).every((r) => r._status === 'created')).toBe(true);
  });
});
