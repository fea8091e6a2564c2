import * as fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CoupaApiError, createClient } from '../../src/coupa/index.js';
import type { ClientOptions, CoupaClient } from '../../src/coupa/index.js';
import type { Simulator, SimulatorOptions } from '../../src/sim/index.js';
import { VALIDATION_WARNING } from '../../src/sim/routes/api.js';
import { runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { customFields, makeTempDir, readResults } from '../import/helpers.js';

/**
 * The client against each of Coupa's variations the simulator reproduces: every message stays clear (names the
 * credential, the scope or the object), and every input row ends in the results file.
 */

let sim: Simulator | undefined;
let client: CoupaClient | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions): Promise<Simulator> {
  sim = await startTestSim(options);
  return sim;
}

function connect(s: Simulator, extra: Partial<ClientOptions> = {}): CoupaClient {
  client = createClient({
    instance: s.url,
    credentials: { kind: 'oauth', clientId: s.clientId, clientSecret: s.clientSecret, scopes: s.scopes },
    rate: 1000,
    concurrency: 4,
    backoffBaseMs: 5,
    ...extra,
  });
  return client;
}

/** The error a promise rejects with. */
async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

/** No trace of a body's markup in a message meant for a person. */
function expectPlain(message: string): void {
  expect(message).not.toMatch(/<\?xml|<errors>|<error>|CDATA|\{"errors"|no message/);
}

const BODIES = ['empty', 'xml', 'json'] as const;

describe('the client (library) against each error body of 401, 403, 404 and 429', () => {
  for (const errorBody of BODIES) {
    describe(`errorBody ${errorBody}`, () => {
      const variations = { errorBody, cdata: true } as const;

      it('401: names the credential that was refused', async () => {
        const s = await start({ apiKey: 'the-right-key', variations });
        const c = connect(s, { credentials: { kind: 'api-key', apiKey: 'a-wrong-key' } });
        const error = await failureOf(c.list(101, []));
        expect(error.message).toContain('COUPA_API_KEY');
        expect(error.message).toContain('HTTP 401');
        expect(error.message).not.toContain('a-wrong-key');
        expectPlain(error.message);
      });

      it('401 on a token that expires at once: names the OAuth client', async () => {
        const s = await start({ tokenLifetimeS: 0, variations });
        const error = await failureOf(connect(s).list(101, []));
        expect(error.message).toContain('COUPA_CLIENT_ID');
        expect(error.message).toContain('HTTP 401');
        expectPlain(error.message);
      });

      it('403: names the scope it needs and the scope asked for', async () => {
        const s = await start({ variations });
        const c = connect(s, {
          credentials: {
            kind: 'oauth',
            clientId: s.clientId,
            clientSecret: s.clientSecret,
            scopes: 'core.common.read',
          },
        });
        const error = await failureOf(c.list(101, []));
        expect(error.message).toContain('HTTP 403');
        expect(error.message).toContain('core.common.read');
        expect(error.message).toContain('core.custom_objects.read_write');
        expectPlain(error.message);
      });

      it('404: a CoupaApiError whose message names the object and the record', async () => {
        const s = await start({ variations });
        const c = connect(s);
        const noObject = await failureOf(c.list(999, []));
        expect(noObject).toBeInstanceOf(CoupaApiError);
        expect((noObject as CoupaApiError).status).toBe(404);
        expect(noObject.message).toContain('/api/custom_objects/999/');
        const noRecord = await failureOf(c.get(101, 424242));
        expect((noRecord as CoupaApiError).status).toBe(404);
        expect(noRecord.message).toContain('/object_instances/424242');
        for (const e of [noObject, noRecord]) expectPlain(e.message.replace(/: no message$/, ''));
      });

      it('429 without Retry-After: retried with backoff until it goes through, and said clearly when it never does', async () => {
        const s = await start({ retryAfter: false, faults: { extra429: 0.4, seed: 5 }, variations });
        const c = connect(s);
        const made = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            c.create(101, { 'vendor-code': `R-${i}`, 'vendor-name': 'N' }),
          ),
        );
        expect(made).toHaveLength(12);
        expect(s.records(101)).toHaveLength(12);
        expect(s.stats().throttled).toBeGreaterThan(0);
        s.setFaults({ extra429: 1 });
        const limited = connect(s, { maxRetries: 2 });
        const error = await failureOf(limited.list(101, []));
        expect((error as CoupaApiError).status).toBe(429);
        expect(error.message).toContain('still rate limited after 2 retries');
        expectPlain(error.message);
      });
    });
  }
});

describe('the client (library) against the other variations', () => {
  it('warnings beside the errors: the errors are the messages, the warning is not a failure message', async () => {
    const s = await start({ variations: { warnings: true } });
    const error = await failureOf(connect(s).create(101, { 'vendor-code': 'W-1', 'payment-terms': 'x' }));
    expect((error as CoupaApiError).messages).toEqual([
      "Vendor name can't be blank",
      'Payment terms is not a number',
    ]);
    expect(error.message).not.toContain(VALIDATION_WARNING);
  });

  it('CDATA in an XML error list: the text inside, nothing of the markup', async () => {
    const s = await start({ variations: { errorBody: 'xml', cdata: true } });
    const error = await failureOf(connect(s).get(101, 31337));
    expect((error as CoupaApiError).messages).toEqual([
      'Unable to find Vendor Onboarding record with id 31337',
    ]);
  });

  it('case-insensitive filters: a page read by a key filter holds what the instance matched, case aside', async () => {
    const s = await start({ variations: { caseInsensitiveFilters: true } });
    s.insert(101, { 'vendor-code': 'ABC-1', 'vendor-name': 'N' });
    const page = await connect(s).list(101, [['vendor-code', 'abc-1']]);
    expect(page.map((r) => r['custom-fields']['vendor-code'])).toEqual(['ABC-1']);
  });
});

describe('the built CLI against the variations: clear messages, every row in the results file', () => {
  const tmp = makeTempDir('variations');
  afterAll(() => tmp.cleanup());
  const MAPPING =
    'object: 101\ntimezone: America/Los_Angeles\nfields:\n  Code: vendor-code\n  Name: vendor-name\n  Terms: { field: payment-terms, type: integer }\n  Active: { field: active, type: boolean }\n  Approved: { field: approved-at, type: datetime }\n';
  let n = 0;

  /** Writes the CSV and the mapping, runs the import, returns the outcome and the results file's rows. */
  async function importCsv(s: Simulator, csv: string, args: string[] = [], env: Record<string, string> = {}) {
    n++;
    const csvFile = tmp.file(`in-${n}.csv`);
    fs.writeFileSync(csvFile, csv);
    fs.writeFileSync(tmp.file(`m-${n}.yaml`), MAPPING);
    const results = tmp.file(`in-${n}.results.csv`);
    const res = await runCli(['import', csvFile, '--mapping', tmp.file(`m-${n}.yaml`), ...args], {
      env: { ...simEnv(s), ...env },
    });
    const rows = fs.existsSync(results) ? readResults(results) : undefined;
    return { ...res, rows };
  }

  const rowsOf = (count: number, prefix: string): string =>
    `Code,Name,Terms,Active,Approved\n${Array.from({ length: count }, (_, i) => `${prefix}-${i + 1},Name ${i + 1},30,yes,2026-01-10 09:00`).join('\n')}\n`;

  beforeAll(() => {
    expect(fs.existsSync('dist'), 'the CLI is not built: npm run build').toBe(true);
  });

  it('401 with an empty body: exit 3, names COUPA_CLIENT_ID, nothing written', async () => {
    const s = await start({ tokenLifetimeS: 0, variations: { errorBody: 'empty' } });
    const r = await importCsv(s, rowsOf(3, 'E'));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('COUPA_CLIENT_ID');
    expect(r.stderr).toContain('HTTP 401');
    expect(r.stderr).not.toContain('no message');
    expect(s.records(101)).toHaveLength(0);
    // Refused at the preflight, before any row was sent: either no results file or every row in it.
    expect(r.rows === undefined || r.rows.length === 3).toBe(true);
  });

  it('403 with an XML body: exit 3, names the scope asked for and the one needed', async () => {
    const s = await start({ variations: { errorBody: 'xml' } });
    const r = await importCsv(s, rowsOf(3, 'X'), [], { COUPA_SCOPES: 'core.common.read' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('core.common.read');
    expect(r.stderr).toContain('core.custom_objects.read_write');
    expect(r.stderr).not.toMatch(/<\?xml|<error/);
    expect(s.records(101)).toHaveLength(0);
    expect(r.rows === undefined || r.rows.length === 3).toBe(true);
  });

  it('404 with a JSON body: an unknown object is named; in update mode, each unknown record is named on its row', async () => {
    const s = await start({ variations: { errorBody: 'json' } });
    n++;
    fs.writeFileSync(tmp.file(`in-${n}.csv`), rowsOf(1, 'N'));
    fs.writeFileSync(tmp.file(`m-${n}.yaml`), MAPPING.replace('object: 101', 'object: 999'));
    const missing = await runCli(['import', tmp.file(`in-${n}.csv`), '--mapping', tmp.file(`m-${n}.yaml`)], {
      env: simEnv(s),
    });
    expect(missing.stderr).toContain('custom object 999 was not found');
    expect(missing.code).not.toBe(0);
  });

  for (const errorBody of ['json', 'empty'] as const) {
    it(`404 with ${errorBody === 'json' ? 'a JSON' : 'an empty'} body in update mode: each unknown record is named on its row`, async () => {
      const s = await start({ variations: { errorBody } });
      const kept = s.insert(101, { 'vendor-code': 'U-1', 'vendor-name': 'Old' }).id as number;
      n++;
      fs.writeFileSync(
        tmp.file(`in-${n}.csv`),
        `Coupa ID,Code,Name\n${kept},U-1,New\n777001,U-2,Gone\n777002,U-3,Gone\n`,
      );
      fs.writeFileSync(
        tmp.file(`m-${n}.yaml`),
        'object: 101\nid: Coupa ID\nfields:\n  Code: vendor-code\n  Name: vendor-name\n',
      );
      const res = await runCli(
        ['import', tmp.file(`in-${n}.csv`), '--mapping', tmp.file(`m-${n}.yaml`), '--mode', 'update'],
        { env: simEnv(s) },
      );
      expect(res.code).toBe(1);
      const rows = readResults(tmp.file(`in-${n}.results.csv`));
      expect(rows.map((row) => row._status)).toEqual(['updated', 'failed', 'failed']);
      expect(rows[1]?._error).toContain('777001');
      expect(rows[2]?._error).toContain('777002');
      for (const row of rows) expect(row._error ?? '').not.toMatch(/\{"errors"|no message/);
    });
  }

  it('429 without Retry-After: every row created once, in the results file', async () => {
    const s = await start({ retryAfter: false, faults: { extra429: 0.3, seed: 11 } });
    const r = await importCsv(s, rowsOf(10, 'T'), ['--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ created: 10, failed: 0 });
    expect(s.stats().throttled).toBeGreaterThan(0);
    expect(r.rows?.map((row) => row._status)).toEqual(Array(10).fill('created'));
    expect(
      customFields(s.records(101))
        .map((f) => f['vendor-code'])
        .sort(),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `T-${i + 1}`).sort());
  });

  it('warnings beside the errors: a failed row carries the errors, not the warning; the good rows are created', async () => {
    const s = await start({ variations: { warnings: true } });
    const csv = 'Code,Name,Terms,Active,Approved\nW-1,One,30,yes,\nW-2,,30,no,\nW-3,Three,30,yes,\n';
    const r = await importCsv(s, csv);
    expect(r.code).toBe(1);
    expect(r.rows?.map((row) => row._status)).toEqual(['created', 'failed', 'created']);
    expect(r.rows?.[1]?._error).toContain("Vendor name can't be blank");
    expect(r.rows?.[1]?._error).not.toContain(VALIDATION_WARNING);
    expect(r.stderr).not.toContain(VALIDATION_WARNING);
  });

  it('CDATA errors (XML bodies): a row that fails with a CDATA answer shows the plain text', async () => {
    const s = await start({ variations: { errorBody: 'xml', cdata: true } });
    n++;
    fs.writeFileSync(tmp.file(`in-${n}.csv`), 'Coupa ID,Code,Name\n888001,C-1,Gone\n');
    fs.writeFileSync(
      tmp.file(`m-${n}.yaml`),
      'object: 101\nid: Coupa ID\nfields:\n  Code: vendor-code\n  Name: vendor-name\n',
    );
    const res = await runCli(
      ['import', tmp.file(`in-${n}.csv`), '--mapping', tmp.file(`m-${n}.yaml`), '--mode', 'update'],
      { env: simEnv(s) },
    );
    expect(res.code).toBe(1);
    const rows = readResults(tmp.file(`in-${n}.results.csv`));
    expect(rows).toHaveLength(1);
    expect(rows[0]?._error).toContain('888001');
    expect(rows[0]?._error).not.toMatch(/CDATA|<error|\]\]>/);
  });

  it('lenient casting: a boolean word the mapping does not know is refused before sending, not stored as true', async () => {
    const s = await start({ variations: { lenientBooleans: true } });
    const csv = 'Code,Name,Terms,Active,Approved\nB-1,One,30,yes,\nB-2,Two,30,vielleicht,\n';
    const r = await importCsv(s, csv);
    expect(r.rows).toHaveLength(2);
    expect(r.rows?.[0]?._status).toBe('created');
    expect(r.rows?.[1]?._status).not.toBe('created');
    expect(r.rows?.[1]?._error).toMatch(/vielleicht/);
    expect(customFields(s.records(101)).map((f) => f['vendor-code'])).toEqual(['B-1']);
  });

  it('a datetime without an offset in the instance zone: the import sends offsets, so both readings store the same', async () => {
    const stored: unknown[] = [];
    for (const localTimes of [false, true]) {
      const s = await start({ variations: { localTimes } });
      const r = await importCsv(s, rowsOf(1, 'D'));
      expect(r.code).toBe(0);
      stored.push(customFields(s.records(101))[0]?.['approved-at']);
      await s.close();
      sim = undefined;
    }
    expect(stored).toEqual(['2026-01-10T09:00:00-08:00', '2026-01-10T09:00:00-08:00']);
  });

  it('case-insensitive filters: an upsert whose key differs only in case from a stored one does not lose the row', async () => {
    const s = await start({ variations: { caseInsensitiveFilters: true } });
    s.insert(101, { 'vendor-code': 'CASE-1', 'vendor-name': 'Stored' });
    n++;
    fs.writeFileSync(tmp.file(`in-${n}.csv`), 'Code,Name\ncase-1,Lower\nCASE-2,New\n');
    fs.writeFileSync(
      tmp.file(`m-${n}.yaml`),
      'object: 101\nkey: vendor-code\nfields:\n  Code: vendor-code\n  Name: vendor-name\n',
    );
    const res = await runCli(
      ['import', tmp.file(`in-${n}.csv`), '--mapping', tmp.file(`m-${n}.yaml`), '--mode', 'upsert', '--json'],
      { env: simEnv(s) },
    );
    const rows = readResults(tmp.file(`in-${n}.results.csv`));
    expect(rows.map((row) => row.Code)).toEqual(['case-1', 'CASE-2']);
    // The instance's collation takes case-1 for CASE-1: the row updates that record (no duplicate is made), as a
    // case-insensitive unique key on the instance itself would.
    expect(rows.map((row) => row._status)).toEqual(['updated', 'created']);
    expect(res.code).toBe(0);
    expect(customFields(s.records(101)).map((f) => f['vendor-code'])).toEqual(['case-1', 'CASE-2']);
  });
});
