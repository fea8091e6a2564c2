import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortedError, UsageError } from '../../src/shared/errors.js';
import { runExport } from '../../src/export/index.js';
import type { ExportOptions } from '../../src/export/index.js';
import type { Simulator } from '../../src/sim/index.js';
import { startTestSim } from '../helpers/sim.js';
import {
  clientFor,
  collector,
  makeTempDir,
  nextSecond,
  parseCsv,
  parseJsonl,
  readCsv,
  seedVendors,
} from './helpers.js';

let sim: Simulator;
let dir: string;
let removeDir: () => Promise<void>;

beforeEach(async () => {
  sim = await startTestSim();
  ({ dir, remove: removeDir } = await makeTempDir());
});
afterEach(async () => {
  await sim.close();
  await removeDir();
});

function opts(extra: Partial<ExportOptions> = {}): ExportOptions {
  return { objectId: 101, out: join(dir, 'out.csv'), client: clientFor(sim), ...extra };
}

const field = (r: Record<string, unknown>, name: string): unknown =>
  (r['custom-fields'] as Record<string, unknown>)[name];

describe('runExport against the simulator', () => {
  it('a date filter on a date field finds the records whose date it names (midnight in the instance zone, not UTC)', async () => {
    seedVendors(sim, 1, 30); // onboarding-date 2026-03-03 (midnight in Los Angeles) for V-0002 and V-0030
    const mapping = join(dir, 'm.yaml');
    await writeFile(
      mapping,
      'object: 101\nfields:\n  Code: vendor-code\n  Onboarded: { field: onboarding-date, type: date }\n',
    );
    const summary = await runExport(
      opts({ mapping, filters: ['onboarding-date=2026-03-03'], timezone: 'America/Los_Angeles' }),
    );
    expect(summary.records).toBe(2);
    const { rows } = await readCsv(join(dir, 'out.csv'));
    expect(rows).toEqual([
      ['V-0002', '2026-03-03'],
      ['V-0030', '2026-03-03'],
    ]);
  });

  it('exports more than 50 records once each, in id order, with id, created-at, updated-at, then custom fields', async () => {
    await sim.close();
    sim = await startTestSim({ latencyMs: 10 });
    const ids = seedVendors(sim, 1, 230);
    const summary = await runExport(opts({ concurrency: 4 }));
    const { header, rows } = await readCsv(join(dir, 'out.csv'));
    expect(header).toEqual([
      'id',
      'created-at',
      'updated-at',
      'vendor-code',
      'vendor-name',
      'tax-id',
      'onboarding-date',
      'approved-at',
      'credit-limit',
      'payment-terms',
      'active',
      'owner',
      'supplier',
      'notes',
    ]);
    expect(rows.map((r) => Number(r[0]))).toEqual(ids);
    expect(summary.records).toBe(230);
    expect(summary.pages).toBeGreaterThanOrEqual(5);
    expect(summary.truncated).toBe(false);
    // Values as Coupa returns them; references by login / name.
    const api = sim.records(101);
    const first = api[0] as Record<string, unknown>;
    const row = rows[0] ?? [];
    expect(row[1]).toBe(first['created-at']);
    expect(row[6]).toBe(field(first, 'onboarding-date'));
    expect(row[8]).toBe(field(first, 'credit-limit'));
    expect(row[11]).toBe('asmith'); // record 1: owner OWNERS[1]
    expect(row[12]).toBe('Globex Logistics'); // supplier S-1002 by name
    expect(row[13]).toBe('note 1');
    expect(rows[2]?.[13]).toBe(''); // record 3: notes null
    // Several pages were in flight at once.
    expect(sim.stats().maxInFlight).toBeGreaterThan(1);
    expect(await readdir(dir)).toEqual(['out.csv']);
  });

  it('neither skips nor repeats records while others are created and updated during the export', async () => {
    await sim.close();
    sim = await startTestSim({ latencyMs: 40 });
    const initial = seedVendors(sim, 1, 230);
    let n = 1000;
    let mutations = 0;
    let running = true;
    const timer = setInterval(() => {
      if (!running) return;
      sim.insert(101, { 'vendor-code': `NEW-${n}`, 'vendor-name': `Created during export ${n++}` });
      const victim = initial[(mutations * 37) % initial.length] ?? 1;
      sim.update(101, victim, { 'vendor-name': `Updated during export ${mutations}` });
      mutations++;
    }, 5);
    let summary;
    try {
      summary = await runExport(opts({ concurrency: 2, format: 'jsonl' }));
    } finally {
      running = false;
      clearInterval(timer);
    }
    expect(mutations).toBeGreaterThan(5);
    const out = parseJsonl(await readFile(join(dir, 'out.csv'), 'utf8'));
    const ids = out.map((r) => r.id as number);
    // Strictly increasing: id order, and no id twice.
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] ?? 0);
    // Every record that existed at the start is there.
    const got = new Set(ids);
    for (const id of initial) expect(got.has(id)).toBe(true);
    expect(summary.records).toBe(ids.length);
    // Every exported record exists (nothing invented).
    const all = new Set(sim.records(101).map((r) => r.id as number));
    for (const id of ids) expect(all.has(id)).toBe(true);
  });

  describe('filters: every operator the simulator supports gives what an in-test computation expects', () => {
    const cases: Array<[string, (r: Record<string, unknown>) => boolean]> = [
      ['vendor-code=V-0042', (r) => field(r, 'vendor-code') === 'V-0042'],
      ['vendor-name[contains]=Acme', (r) => String(field(r, 'vendor-name')).includes('Acme')],
      ['vendor-code[starts_with]=V-001', (r) => String(field(r, 'vendor-code')).startsWith('V-001')],
      ['vendor-code[ends_with]=7', (r) => String(field(r, 'vendor-code')).endsWith('7')],
      ['payment-terms[gt]=30', (r) => Number(field(r, 'payment-terms')) > 30],
      ['payment-terms[lt]=45', (r) => Number(field(r, 'payment-terms')) < 45],
      ['credit-limit[gt_or_eq]=500.00', (r) => Number(field(r, 'credit-limit')) >= 500],
      ['credit-limit[lt_or_eq]=300.79', (r) => Number(field(r, 'credit-limit')) <= 300.79],
      ['payment-terms[not_eq]=30', (r) => field(r, 'payment-terms') !== 30],
      ['payment-terms[in]=30,60', (r) => [30, 60].includes(field(r, 'payment-terms') as number)],
      ['payment-terms[not_in]=30', (r) => field(r, 'payment-terms') !== 30],
      ['notes[blank]=true', (r) => field(r, 'notes') === null],
      ['tax-id[blank]=false', (r) => field(r, 'tax-id') !== null],
      ['active=true', (r) => field(r, 'active') === true],
      ['owner[login]=jdoe', (r) => (field(r, 'owner') as { login: string }).login === 'jdoe'],
      [
        'supplier[number][in]=S-1001,S-1003',
        (r) => ['S-1001', 'S-1003'].includes((field(r, 'supplier') as { number: string }).number),
      ],
      ['id[gt]=20', (r) => (r.id as number) > 20],
      ['id[lt_or_eq]=75', (r) => (r.id as number) <= 75],
      ['id[in]=3,5,8', (r) => [3, 5, 8].includes(r.id as number)],
    ];

    it.each(cases)('%s', async (filter, expected) => {
      seedVendors(sim, 1, 120);
      const out = collector();
      const summary = await runExport(
        opts({ out: '-', stdout: out.stream, format: 'jsonl', filters: [filter] }),
      );
      const got = parseJsonl(out.text()).map((r) => r.id);
      const want = sim
        .records(101)
        .filter(expected)
        .map((r) => r.id);
      expect(want.length).toBeGreaterThan(0);
      expect(want.length).toBeLessThan(120);
      expect(got).toEqual(want);
      expect(summary.records).toBe(want.length);
    });

    it('ANDs several filters, datetimes included', async () => {
      seedVendors(sim, 1, 80);
      const cut = sim.records(101)[40]?.['created-at'] as string;
      const out = collector();
      await runExport(
        opts({
          out: '-',
          stdout: out.stream,
          format: 'jsonl',
          filters: ['active=true', `created_at[gt_or_eq]=${cut}`, 'payment-terms[not_in]=45'],
        }),
      );
      const want = sim
        .records(101)
        .filter(
          (r) =>
            field(r, 'active') === true &&
            Date.parse(r['created-at'] as string) >= Date.parse(cut) &&
            field(r, 'payment-terms') !== 45,
        )
        .map((r) => r.id);
      expect(parseJsonl(out.text()).map((r) => r.id)).toEqual(want);
    });

    it('an unknown operator is a usage error before any request', async () => {
      seedVendors(sim, 1, 5);
      const error = await runExport(opts({ filters: ['active=true', 'vendor-code[begins_with]=V'] })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(2);
      expect((error as UsageError).message).toContain('vendor-code[begins_with]=V');
      expect((error as UsageError).message).toContain('starts_with');
      expect(sim.stats().requests).toBe(0);
      expect(await readdir(dir)).toEqual([]);
    });

    it('a filter Coupa refuses (unknown field) fails at the preflight, exit 2, nothing written', async () => {
      seedVendors(sim, 1, 5);
      const error = await runExport(opts({ filters: ['colour=red'] })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toMatch(/colour/);
      expect(await readdir(dir)).toEqual([]);
    });
  });

  it('a wrong object id fails at the preflight with a clear message (exit 2)', async () => {
    const error = await runExport(opts({ objectId: 999 })).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('OBJECT_NOT_FOUND');
    expect((error as { exitCode?: number }).exitCode).toBe(2);
    expect((error as Error).message).toContain('999');
    expect(await readdir(dir)).toEqual([]);
  });

  it('an unknown time zone is a usage error before any request', async () => {
    await expect(runExport(opts({ timezone: 'Mars/Olympus_Mons' }))).rejects.toThrow(/unknown time zone/);
    expect(sim.stats().requests).toBe(0);
  });

  it('an empty result still writes the header', async () => {
    seedVendors(sim, 1, 3);
    const summary = await runExport(opts({ filters: ['vendor-code=nope'] }));
    const text = await readFile(join(dir, 'out.csv'), 'utf8');
    expect(parseCsv(text)).toHaveLength(1);
    expect(parseCsv(text)[0]?.slice(0, 4)).toEqual(['id', 'created-at', 'updated-at', 'vendor-code']);
    expect(summary.records).toBe(0);
  });

  it('a complete export removes the temporary files that killed exports of the same file left, not live ones', async () => {
    seedVendors(sim, 1, 2);
    let dead = 999_999;
    for (;;) {
      try {
        process.kill(dead, 0);
        dead++;
      } catch {
        break;
      }
    }
    const stale = join(dir, `.out.csv.${dead}.tmp`);
    const live = join(dir, `.out.csv.${process.ppid}.tmp`);
    const other = join(dir, `.other.csv.${dead}.tmp`);
    for (const file of [stale, live, other]) await writeFile(file, 'partial');
    await runExport(opts());
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(existsSync(other)).toBe(true);
  });

  it('a callback that throws does not break the export', async () => {
    seedVendors(sim, 1, 120);
    const boom = (): never => {
      throw new Error('listener bug');
    };
    const summary = await runExport(opts(), { onProgress: boom, onNotice: boom });
    expect(summary.records).toBe(120);
    expect(parseCsv(await readFile(join(dir, 'out.csv'), 'utf8'))).toHaveLength(121);
  });

  it('an object with no records at all gives only the base columns', async () => {
    const summary = await runExport(opts());
    expect(parseCsv(await readFile(join(dir, 'out.csv'), 'utf8'))).toEqual([
      ['id', 'created-at', 'updated-at'],
    ]);
    expect(summary.records).toBe(0);
  });

  it('--limit writes the first n records in id order and says it stopped early', async () => {
    const ids = seedVendors(sim, 1, 130);
    const summary = await runExport(opts({ limit: 55 }));
    const { rows } = await readCsv(join(dir, 'out.csv'));
    expect(rows.map((r) => Number(r[0]))).toEqual(ids.slice(0, 55));
    expect(summary).toMatchObject({ records: 55, truncated: true });
    const all = await runExport(opts({ limit: 130 }));
    expect(all).toMatchObject({ records: 130, truncated: false });
  });

  it('gzip + JSONL reads back to the records the API returns', async () => {
    seedVendors(sim, 1, 75);
    const out = join(dir, 'out.jsonl.gz');
    await runExport(opts({ out, format: 'jsonl', gzip: true }));
    const text = gunzipSync(await readFile(out)).toString('utf8');
    expect(parseJsonl(text)).toEqual(sim.records(101));
  });

  it('gzip CSV reads back', async () => {
    seedVendors(sim, 1, 60);
    const out = join(dir, 'out.csv.gz');
    await runExport(opts({ out, gzip: true }));
    const rows = parseCsv(gunzipSync(await readFile(out)).toString('utf8'));
    expect(rows).toHaveLength(61);
  });

  it('--bom starts the CSV with a UTF-8 BOM; --excel-safe escapes formula-like cells only', async () => {
    sim.insert(101, { 'vendor-code': '=HYPERLINK("http://x")', 'vendor-name': '+cmd', notes: '-12.5' });
    sim.insert(101, { 'vendor-code': 'V-2', 'vendor-name': '@SUM(A1)', notes: 'plain' });
    await runExport(opts({ bom: true, excelSafe: true }));
    const bytes = await readFile(join(dir, 'out.csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header = [], r1 = [], r2 = []] = parseCsv(bytes.toString('utf8'));
    const col = (name: string): number => header.indexOf(name);
    expect(r1[col('vendor-code')]).toBe(`'=HYPERLINK("http://x")`);
    expect(r1[col('vendor-name')]).toBe("'+cmd");
    expect(r1[col('notes')]).toBe('-12.5');
    expect(r2[col('vendor-name')]).toBe("'@SUM(A1)");
    expect(r2[col('vendor-code')]).toBe('V-2');
    // Without the flags: no BOM, cells untouched.
    await runExport(opts());
    const plain = await readFile(join(dir, 'out.csv'));
    expect(plain[0]).toBe('i'.charCodeAt(0));
    expect(parseCsv(plain.toString('utf8'))[1]?.[3]).toBe('=HYPERLINK("http://x")');
  });

  it('--out - streams to the given stdout and creates no file', async () => {
    seedVendors(sim, 1, 60);
    const out = collector();
    const summary = await runExport(opts({ out: '-', stdout: out.stream }));
    const rows = parseCsv(out.text());
    expect(rows).toHaveLength(61);
    expect(summary.out).toBe('-');
    expect(await readdir(dir)).toEqual([]);
  });

  it('an interrupted export leaves no file at --out (and an existing one untouched) and no temporary file', async () => {
    await sim.close();
    sim = await startTestSim({ latencyMs: 40 });
    seedVendors(sim, 1, 600);
    const out = join(dir, 'nightly.csv');
    await writeFile(out, 'yesterday\n');
    const controller = new AbortController();
    const error = await runExport(opts({ out, concurrency: 1, signal: controller.signal }), {
      onProgress: ({ pages }) => {
        if (pages === 2) controller.abort(new Error('test interrupt'));
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).code).toBe('INTERRUPTED');
    expect((error as AbortedError).exitCode).toBe(3);
    expect(await readdir(dir)).toEqual(['nightly.csv']);
    expect(await readFile(out, 'utf8')).toBe('yesterday\n');
  });

  it('without --out file nothing is left when the instance fails mid-way', async () => {
    seedVendors(sim, 1, 300);
    const out = join(dir, 'x.csv');
    let n = 0;
    const error = await runExport(opts({ out, client: clientFor(sim, { maxRetries: 0 }), concurrency: 1 }), {
      onProgress: () => {
        if (++n === 1) sim.setFaults({ error5xx: 1 });
      },
    }).catch((e: unknown) => e);
    expect((error as { exitCode?: number }).exitCode).toBe(3);
    expect(existsSync(out)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  describe('incremental export with --state', () => {
    it('first run exports everything; the next exports only records changed or created since, no repeats', async () => {
      const ids = seedVendors(sim, 1, 60);
      await nextSecond(); // Coupa timestamps have whole seconds: changes below must land in a later one
      const state = join(dir, 'vendors.state.json');
      const first = await runExport(opts({ out: join(dir, 'run1.csv'), state }));
      expect(first.records).toBe(60);
      const saved = JSON.parse(await readFile(state, 'utf8')) as Record<string, unknown>;
      expect(saved).toMatchObject({ version: 1, object: 101, records: 60 });
      expect(saved.watermark).toBe(sim.records(101).at(-1)?.['updated-at']);
      expect(first.watermark).toBe(saved.watermark);

      const changed = [ids[4], ids[30], ids[59]] as number[];
      for (const id of changed) sim.update(101, id, { notes: `changed ${id}` });
      const created = seedVendors(sim, 61, 62);
      const second = await runExport(opts({ out: join(dir, 'run2.csv'), state }));
      const { rows } = await readCsv(join(dir, 'run2.csv'));
      expect(rows.map((r) => Number(r[0]))).toEqual([...changed, ...created]);
      expect(second.records).toBe(5);
      // Everything else came back inside the overlap window and was dropped as an unchanged repeat.
      expect(second.repeats).toBe(57);

      // Records changed in the second the second run started could change again unseen in that second, so the
      // next run writes them again (at most those 5); after that, nothing changed means an empty export.
      await nextSecond();
      const third = await runExport(opts({ out: join(dir, 'run3.csv'), state }));
      expect(third.records).toBeLessThanOrEqual(5);
      const fourth = await runExport(opts({ out: join(dir, 'run4.csv'), state }));
      expect(fourth.records).toBe(0);
      expect(fourth.watermark).toBe(third.watermark);
      expect((await readCsv(join(dir, 'run4.csv'))).header[0]).toBe('id');
    });

    it("a record changed twice in one second of the instance's clock, with a run between, is not lost (instance clock behind)", async () => {
      await sim.close();
      // The instance's clock 3 s behind this machine's and standing still: every change lands in one second.
      const instant = Date.now() - 3000;
      sim = await startTestSim({ now: () => instant });
      const [id] = seedVendors(sim, 1, 3);
      const state = join(dir, 's.json');
      const notes = async (out: string): Promise<string[]> => {
        const { header, rows } = await readCsv(out);
        return rows.filter((r) => Number(r[0]) === id).map((r) => r[header.indexOf('notes')] ?? '');
      };
      await runExport(opts({ out: join(dir, 'run1.csv'), state }));
      sim.update(101, id as number, { notes: 'v1' });
      await runExport(opts({ out: join(dir, 'run2.csv'), state }));
      expect(await notes(join(dir, 'run2.csv'))).toEqual(['v1']);
      sim.update(101, id as number, { notes: 'v2' }); // the same updated-at as v1
      await runExport(opts({ out: join(dir, 'run3.csv'), state }));
      expect(await notes(join(dir, 'run3.csv'))).toEqual(['v2']);
    });

    it('a record changed during a run, after it started and before its page was asked for, is not written again by the next run', async () => {
      await sim.close();
      let ahead = 0; // how far the instance's clock runs ahead of this machine's
      sim = await startTestSim({ now: () => Date.now() + ahead });
      const ids = seedVendors(sim, 1, 120);
      await nextSecond();
      const state = join(dir, 's.json');
      await runExport(opts({ out: join(dir, 'run1.csv'), state }));
      await nextSecond();
      const last = ids.at(-1) as number;
      let changed = false;
      await runExport(opts({ out: join(dir, 'run2.csv'), state, concurrency: 1 }), {
        onProgress: () => {
          if (changed) return;
          changed = true;
          // After the first page (of three): the page holding the record is asked for later, on an instance
          // clock whose second of the change has ended (moved on 5 s, so that this does not hang on timing).
          sim.update(101, last, { notes: 'during' });
          ahead = 5_000;
        },
      });
      const { rows } = await readCsv(join(dir, 'run2.csv'));
      expect(rows.map((r) => Number(r[0]))).toEqual([last]);
      const third = await runExport(opts({ out: join(dir, 'run3.csv'), state }));
      expect(third.records).toBe(0);
      expect(third.repeats).toBe(120);
    });

    it('the state is not saved when the export is interrupted', async () => {
      seedVendors(sim, 1, 20);
      const state = join(dir, 's.json');
      await runExport(opts({ state }));
      const before = await readFile(state, 'utf8');
      sim.update(101, 3, { notes: 'new' });
      const controller = new AbortController();
      controller.abort(new Error('stop'));
      await expect(runExport(opts({ state, signal: controller.signal }))).rejects.toBeInstanceOf(
        AbortedError,
      );
      expect(await readFile(state, 'utf8')).toBe(before);
    });

    it('refuses a state file of another object and an updated-at lower bound filter', async () => {
      seedVendors(sim, 1, 3);
      const state = join(dir, 's.json');
      await runExport(opts({ state }));
      await expect(runExport(opts({ objectId: 102, state }))).rejects.toThrow(/belongs to object 101/);
      await expect(runExport(opts({ state, filters: ['updated_at[gt]=2026-01-01'] }))).rejects.toBeInstanceOf(
        UsageError,
      );
    });
  });
  it('a state file that cannot be saved once the output is in place: AbortedError STATE saying the output is complete', async () => {
    seedVendors(sim, 1, 10);
    const out = join(dir, 'o.csv');
    const state = join(dir, 'state.json');
    // The state file is readable (absent) at the start and becomes unwritable (a folder) during the export.
    const error = await runExport(
      { objectId: 101, out, state, client: clientFor(sim) },
      { onProgress: () => mkdirSync(state, { recursive: true }) },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).code).toBe('STATE');
    expect((error as AbortedError).message).toContain(`the export is complete at ${out}`);
    expect(parseCsv(readFileSync(out, 'utf8'))).toHaveLength(11);
  });
});
