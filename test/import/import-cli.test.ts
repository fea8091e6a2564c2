import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { runCli, type CliResult } from '../helpers/cli.js';
import type { TempDir } from '../helpers/temp-dir.js';
import { useSimWorkspace } from '../helpers/workspace.js';
import {
  customFields,
  readHeader,
  readResults,
  vendorCsv,
  VENDOR_MAPPING,
  VENDOR_MAPPING_NO_KEY,
} from './helpers.js';

describe('coupa-csv import against the simulator', () => {
  let sim: Simulator;
  let tmp: TempDir;
  let env: Record<string, string>;
  useSimWorkspace('import', { files: { 'm.yaml': VENDOR_MAPPING } }, (ws) => ({ sim, tmp, env } = ws));

  // POSTs to /api (the token requests are POSTs too).
  const posts = (): number => (sim.stats().byMethod.POST ?? 0) - sim.stats().tokensIssued;
  const puts = (): number => sim.stats().byMethod.PUT ?? 0;

  it('creates one record per row; results keep input order, original headers and the start line of each record', async () => {
    fs.writeFileSync(
      tmp.file('in.csv'),
      'Code,Name,Limit,Since,Notes\nV-1,One,10.5,2026-03-01,plain\nV-2,Two,20,2026-11-01,"two\nlines"\nV-3,Three,30,2026-07-04,=1+2\n',
    );
    const res = await runCli(['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')], { env });
    expect(res.stderr).toContain('created:   3');
    expect(res.code).toBe(0);
    const resultsFile = tmp.file('in.results.csv');
    expect(readHeader(resultsFile)).toEqual([
      '_line',
      '_status',
      '_id',
      '_error',
      '_code',
      'Code',
      'Name',
      'Limit',
      'Since',
      'Notes',
    ]);
    const rows = readResults(resultsFile);
    expect(rows.map((r) => r._line)).toEqual(['2', '3', '5']);
    expect(rows.map((r) => r._status)).toEqual(['created', 'created', 'created']);
    expect(rows[1]?.Notes).toBe('two\nlines');
    expect(rows[2]?.Notes).toBe("'=1+2"); // a formula cell is escaped in the results
    const records = sim.records(101);
    expect(records).toHaveLength(3);
    for (const row of rows) {
      const record = records.find((r) => String(r.id) === row._id);
      expect((record?.['custom-fields'] as Record<string, unknown>)['vendor-code']).toBe(row.Code);
    }
    const byCode = new Map(customFields(records).map((f) => [f['vendor-code'], f]));
    // Dates are sent as midnight in the instance's zone: no day shift.
    expect(byCode.get('V-1')?.['onboarding-date']).toBe('2026-03-01T00:00:00-08:00');
    expect(byCode.get('V-3')?.['onboarding-date']).toBe('2026-07-04T00:00:00-07:00');
    expect(fs.existsSync(`${resultsFile}.journal`)).toBe(false);
  });

  it('conversion errors become failed rows without a request, and Coupa 400 messages land in _error', async () => {
    fs.writeFileSync(
      tmp.file('in.csv'),
      'Code,Name,Limit,Since,Notes\nV-1,One,12x,2026-03-01,\nV-2,,5,2026-03-01,\nV-3,Three,5,2026-03-01,\n',
    );
    const res = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--results', tmp.file('out.csv')],
      { env },
    );
    expect(res.code).toBe(1);
    const rows = readResults(tmp.file('out.csv'));
    expect(rows.map((r) => r._status)).toEqual(['failed', 'failed', 'created']);
    expect(rows[0]?._error).toMatch(/Limit/);
    expect(rows[1]?._error).toMatch(/Vendor name can't be blank/);
    expect(rows[0]?._id).toBe('');
    expect(posts()).toBe(2);
  });

  it('update mode PUTs by the id column; a blank id fails the row', async () => {
    const a = sim.insert(101, { 'vendor-code': 'U-1', 'vendor-name': 'Old' });
    const b = sim.insert(101, { 'vendor-code': 'U-2', 'vendor-name': 'Old' });
    fs.writeFileSync(
      tmp.file('in.csv'),
      `Coupa ID,Code,Name\n${String(a.id)},U-1,New one\n,U-x,No id\n${String(b.id)},U-2,New two\n`,
    );
    fs.writeFileSync(
      tmp.file('u.yaml'),
      'object: 101\nid: Coupa ID\nfields:\n  Code: vendor-code\n  Name: vendor-name\n',
    );
    const res = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('u.yaml'), '--mode', 'update'],
      { env },
    );
    expect(res.code).toBe(1);
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows.map((r) => r._status)).toEqual(['updated', 'failed', 'updated']);
    expect(rows[1]?._error).toMatch(/Coupa ID/);
    expect(customFields(sim.records(101)).map((f) => f['vendor-name'])).toEqual(['New one', 'New two']);
    expect(posts()).toBe(0);
  });

  it('update mode without an id column in the mapping stops before anything is sent (exit 2)', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(2));
    fs.writeFileSync(tmp.file('n.yaml'), VENDOR_MAPPING.replace('id: Coupa ID\n', ''));
    const res = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('n.yaml'), '--mode', 'update'],
      { env },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--mode update needs "id:"/);
    expect(sim.stats().requests).toBe(0);
  });

  it('upsert updates the record with the key, creates the rest, and fails a key that several records share', async () => {
    const existing = sim.insert(101, { 'vendor-code': 'K-1', 'vendor-name': 'Before' });
    const d1 = sim.insert(101, { 'vendor-code': 'K-DUP', 'vendor-name': 'Dup 1' });
    const d2 = sim.insert(101, { 'vendor-code': 'K-DUP', 'vendor-name': 'Dup 2' });
    fs.writeFileSync(tmp.file('in.csv'), 'Code,Name\nK-1,After\nK-2,New\nK-DUP,Which\n');
    fs.writeFileSync(
      tmp.file('k.yaml'),
      'object: 101\nkey: vendor-code\nfields:\n  Code: vendor-code\n  Name: vendor-name\n',
    );
    const res = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('k.yaml'), '--mode', 'upsert', '--json'],
      { env },
    );
    expect(res.code).toBe(1);
    const summary = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ created: 1, updated: 1, failed: 1 });
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows.map((r) => r._status)).toEqual(['updated', 'created', 'failed']);
    expect(rows[0]?._id).toBe(String(existing.id));
    expect(rows[2]?._error).toContain(`ids ${String(d1.id)}, ${String(d2.id)}`);
    expect(sim.records(101)).toHaveLength(4);
  });

  it('validate (and --dry-run) sends nothing, needs no credentials, and marks rows valid / invalid', async () => {
    fs.writeFileSync(
      tmp.file('in.csv'),
      'Code,Name,Limit,Since,Notes\nV-1,One,1,2026-03-01,\nV-2,Two,1,31/12/2026,\n',
    );
    const res = await runCli(['validate', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')]);
    expect(res.code).toBe(1);
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows.map((r) => r._status)).toEqual(['valid', 'invalid']);
    expect(rows[1]?._error).toMatch(/Since/);
    const dry = await runCli(
      [
        'import',
        tmp.file('in.csv'),
        '--mapping',
        tmp.file('m.yaml'),
        '--dry-run',
        '--json',
        '--results',
        tmp.file('d.csv'),
      ],
      { env },
    );
    expect(dry.code).toBe(1);
    expect(JSON.parse(dry.stdout)).toMatchObject({ valid: 1, invalid: 1, rows: 2 });
    expect(sim.stats().requests).toBe(0);
  });

  it('validate refuses to replace the results of an import (which --resume relies on) unless given another --results', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(2));
    const imported = await runCli(['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')], { env });
    expect(imported.code).toBe(0);
    const before = fs.readFileSync(tmp.file('in.results.csv'), 'utf8');
    const refused = await runCli(['validate', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--results <another file>/);
    expect(fs.readFileSync(tmp.file('in.results.csv'), 'utf8')).toBe(before);
    const elsewhere = await runCli([
      'validate',
      tmp.file('in.csv'),
      '--mapping',
      tmp.file('m.yaml'),
      '--results',
      tmp.file('v.csv'),
    ]);
    expect(elsewhere.code).toBe(0);
  });

  it('--limit processes only the first rows', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(6));
    const res = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--limit', '2'],
      { env },
    );
    expect(res.code).toBe(0);
    expect(readResults(tmp.file('in.results.csv')).map((r) => r.Code)).toEqual(['V-1', 'V-2']);
    expect(sim.records(101)).toHaveLength(2);
  });

  /** Imports in.csv (given) one row at a time with a mapping of Code, Name and one more column to `field`. */
  async function importWithThirdField(
    csv: string,
    column: string,
    field: string,
    extra: string[] = [],
  ): Promise<CliResult> {
    fs.writeFileSync(tmp.file('in.csv'), csv);
    fs.writeFileSync(
      tmp.file('c.yaml'),
      `object: 101\nfields:\n  Code: vendor-code\n  Name: vendor-name\n  ${column}: ${field}\n`,
    );
    return runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('c.yaml'), '--concurrency', '1', ...extra],
      { env },
    );
  }
  const COLOURS = 'Code,Name,Colour\nV-1,One,red\nV-2,Two,blue\nV-3,Three,green\n';

  it('a field the object does not have fails the row with its id and stops sending (exit 1)', async () => {
    const res = await importWithThirdField(COLOURS, 'Colour', 'colour');
    expect(res.code).toBe(1);
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows[0]?._status).toBe('failed');
    expect(rows[0]?._id).toBe(String(sim.records(101)[0]?.id));
    expect(rows[0]?._error).toContain('"colour"');
    expect(rows.slice(1).every((r) => (r._error ?? '').startsWith('not sent:'))).toBe(true);
    expect(sim.records(101)).toHaveLength(1);
    expect(res.stderr).toMatch(/colour/);
  });

  it("a field name in another letter case than the object's (ignored by the instance) fails the row the same way", async () => {
    const res = await importWithThirdField('Code,Name,Notes\nV-1,One,kept?\nV-2,Two,x\n', 'Notes', 'NOTES');
    expect(res.code).toBe(1);
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows[0]?._status).toBe('failed');
    expect(rows[0]?._error).toContain('"NOTES"');
    expect(customFields(sim.records(101))[0]?.notes ?? null).toBeNull();
  });

  it('upsert with a decimal key: 777.5 and 777.50 are one record, found again as the instance stores it', async () => {
    fs.writeFileSync(tmp.file('in.csv'), 'Code,Name,Limit\nV-1,One,777.5\nV-2,Two,777.50\n');
    fs.writeFileSync(
      tmp.file('d.yaml'),
      'object: 101\nkey: credit-limit\nfields:\n  Code: vendor-code\n  Name: vendor-name\n  Limit: { field: credit-limit, type: decimal }\n',
    );
    const args = [
      'import',
      tmp.file('in.csv'),
      '--mapping',
      tmp.file('d.yaml'),
      '--mode',
      'upsert',
      '--json',
    ];
    const first = await runCli(args, { env });
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ created: 1, updated: 1 });
    const again = await runCli(args, { env });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, updated: 2 });
    expect(customFields(sim.records(101)).map((f) => f['vendor-code'])).toEqual(['V-2']);
  });

  it('a date-shaped constant gets a note: it is sent as written, and how to write it as midnight in the instance zone', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(1));
    fs.writeFileSync(
      tmp.file('k.yaml'),
      `${fs.readFileSync(tmp.file('m.yaml'), 'utf8')}constants:\n  approved-at: 2026-03-01\n`,
    );
    const res = await runCli(['validate', tmp.file('in.csv'), '--mapping', tmp.file('k.yaml')], { env });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain(
      'constant approved-at: 2026-03-01 is sent as written; if approved-at is a date field, Coupa reads it as midnight UTC',
    );
    expect(res.stderr).toContain('write it as 2026-03-01T00:00:00-08:00 (midnight in America/Los_Angeles)');
  });

  it('the resume command printed after a stop leaves out --limit, which --resume refuses', async () => {
    const res = await importWithThirdField(COLOURS, 'Colour', 'colour', ['--limit', '2']);
    const args = ['import', tmp.file('in.csv'), '--mapping', tmp.file('c.yaml'), '--concurrency', '1'];
    expect(res.code).toBe(1);
    const hint = res.stderr.split('\n').find((l) => l.includes('--resume')) ?? '';
    expect(hint).toContain(
      `${args.slice(1).join(' ')} --resume   # every row: --resume does not take --limit`,
    );
    expect(hint).not.toContain('--limit 2');
  });

  it('--json prints one summary object on stdout', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(3));
    const res = await runCli(['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--json'], {
      env,
    });
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      rows: 3,
      created: 3,
      updated: 0,
      failed: 0,
      invalid: 0,
      encoding: 'utf8',
      delimiter: ',',
    });
    for (const key of ['retries', 'throttled', 'elapsedMs', 'results', 'rowsPerSecond'])
      expect(summary).toHaveProperty(key);
    expect(summary.results).toBe(tmp.file('in.results.csv'));
    expect(res.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('a flag given without its value, or a switch given a value, is exit 2 before anything is sent (not the default)', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(3));
    const base = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')];
    for (const [args, message] of [
      [['--limit'], '--limit needs a value'],
      [['--limit', '--json'], '--limit needs a value'],
      [['--mode', '--json'], '--mode needs a value'],
      [['--results'], '--results needs a value'],
      [['--dry-run=yes'], '--dry-run is a switch'],
      // yargs also reads the camelCase spelling of every flag.
      [['--dryRun=yes'], '--dry-run is a switch'],
    ] as const) {
      const res = await runCli([...base, ...args], { env });
      expect(res.stderr).toContain(message);
      expect(res.code).toBe(2);
    }
    expect(sim.stats().requests).toBe(0);
    expect(fs.existsSync(tmp.file('in.results.csv'))).toBe(false);
    // A negative number is a value (refused for its own reason), and the switch's own spellings still work.
    expect((await runCli([...base, '--limit', '-1'], { env })).stderr).toMatch(/--limit must be/);
    const dry = await runCli([...base, '--dry-run=true', '--json'], { env });
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, valid: 3 });
  });

  it('a mapped column missing from the header stops before anything is sent (exit 2), naming the closest header', async () => {
    fs.writeFileSync(tmp.file('in.csv'), 'Code,Nmae,Limit,Since,Notes\nV-1,One,1,2026-03-01,\n');
    const res = await runCli(['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')], { env });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/Name/);
    expect(res.stderr).toMatch(/Nmae/);
    expect(sim.stats().requests).toBe(0);
    expect(fs.existsSync(tmp.file('in.results.csv'))).toBe(false);
  });

  it('a header name repeated in columns the mapping does not read is imported, both columns kept in the results', async () => {
    fs.writeFileSync(
      tmp.file('in.csv'),
      'Code,Name,Limit,Since,Notes,Comment, comment\nV-1,One,1,2026-03-01,x,first,second\n',
    );
    const res = await runCli(['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')], { env });
    expect(res.stderr).toContain('created:   1');
    expect(res.code).toBe(0);
    expect(readHeader(tmp.file('in.results.csv')).slice(-2)).toEqual(['Comment', ' comment']);
    expect(fs.readFileSync(tmp.file('in.results.csv'), 'utf8')).toMatch(/,first,second\r?\n$/);
    expect(sim.records(101)).toHaveLength(1);
  });

  it('a header name repeated in a column the mapping reads stops before anything is sent (exit 2), naming both', async () => {
    fs.writeFileSync(tmp.file('in.csv'), 'Code,Name,Limit,Since,Notes, NOTES \nV-1,One,1,2026-03-01,x,y\n');
    const res = await runCli(['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')], { env });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('in.csv:1 (column "NOTES"): columns 5 and 6 have the same name "NOTES"');
    expect(res.stderr).toContain('m.yaml');
    expect(sim.stats().requests).toBe(0);
    expect(fs.existsSync(tmp.file('in.results.csv'))).toBe(false);
  });

  it('exit 2 before anything is sent: missing credentials, http off loopback, missing results folder, no rows, unclosed quote', async () => {
    fs.writeFileSync(tmp.file('in.csv'), vendorCsv(2));
    const base = ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml')];

    const noCreds = await runCli(base, { env: { COUPA_INSTANCE: sim.url } });
    expect(noCreds.code).toBe(2);
    expect(noCreds.stderr).toMatch(/COUPA_CLIENT_ID/);

    const http = await runCli(base, { env: { ...env, COUPA_INSTANCE: 'http://coupa.example.com' } });
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/http/i);

    const noDir = await runCli([...base, '--results', tmp.file('missing/out.csv')], { env });
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toMatch(/missing.*does not exist/);

    fs.writeFileSync(tmp.file('header.csv'), 'Code,Name,Limit,Since,Notes\n');
    const headerOnly = await runCli(['import', tmp.file('header.csv'), '--mapping', tmp.file('m.yaml')], {
      env,
    });
    expect(headerOnly.code).toBe(2);
    expect(headerOnly.stderr).toMatch(/header but no data rows/);

    fs.writeFileSync(tmp.file('empty.csv'), '');
    const empty = await runCli(['import', tmp.file('empty.csv'), '--mapping', tmp.file('m.yaml')], { env });
    expect(empty.code).toBe(2);

    fs.writeFileSync(
      tmp.file('quote.csv'),
      'Code,Name,Limit,Since,Notes\nV-1,One,1,2026-03-01,ok\nV-2,Two,1,2026-03-01,"never closed\n',
    );
    const quote = await runCli(['import', tmp.file('quote.csv'), '--mapping', tmp.file('m.yaml')], { env });
    expect(quote.code).toBe(2);
    expect(quote.stderr).toMatch(/quote/i);
    expect(quote.stderr).not.toMatch(/\n\s+at /); // no stack trace

    expect(posts() + puts()).toBe(0);
  });

  it('a ragged row fails as a results row, the rest are imported', async () => {
    fs.writeFileSync(
      tmp.file('in.csv'),
      'Code,Name,Limit,Since,Notes\nV-1,One,1,2026-03-01,\nV-2,Two\nV-3,Three,1,2026-03-01,\n',
    );
    fs.writeFileSync(tmp.file('nk.yaml'), VENDOR_MAPPING_NO_KEY);
    const res = await runCli(['import', tmp.file('in.csv'), '--mapping', tmp.file('nk.yaml')], { env });
    expect(res.code).toBe(1);
    const rows = readResults(tmp.file('in.results.csv'));
    expect(rows.map((r) => r._status)).toEqual(['created', 'failed', 'created']);
    expect(rows[1]?._line).toBe('3');
    expect(posts()).toBe(2);
  });

  it('refuses a --results file that is the input or the mapping, also through a link, before anything is sent', async () => {
    const input = 'Code,Name,Limit,Since,Notes\nV-1,One,10,2026-03-01,x\n';
    fs.writeFileSync(tmp.file('in.csv'), input);
    fs.symlinkSync(tmp.file('in.csv'), tmp.file('link.csv'));
    const mappingText = fs.readFileSync(tmp.file('m.yaml'), 'utf8');
    for (const [results, message] of [
      [tmp.file('link.csv'), '--results must not be the input file'],
      [tmp.file('m.yaml'), '--results must not be the mapping file'],
    ] as const) {
      const res = await runCli(
        ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--results', results],
        { env },
      );
      expect(res.stderr).toContain(message);
      expect(res.code).toBe(2);
    }
    expect(fs.readFileSync(tmp.file('in.csv'), 'utf8')).toBe(input);
    expect(fs.readFileSync(tmp.file('m.yaml'), 'utf8')).toBe(mappingText);
    expect(sim.stats().requests).toBe(0);
  });

  it('validate takes an import command line as it is (connection and pace flags ignored) and sends nothing', async () => {
    fs.writeFileSync(tmp.file('in.csv'), 'Code,Name,Limit,Since,Notes\nV-1,One,10,2026-03-01,x\n');
    const res = await runCli(
      [
        'validate',
        tmp.file('in.csv'),
        '--mapping',
        tmp.file('m.yaml'),
        '--concurrency',
        '4',
        '--rate',
        '10',
        '--instance',
        sim.url,
        '--verbose',
        '--json',
      ],
      { env },
    );
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ rows: 1, valid: 1 });
    expect(sim.stats().requests).toBe(0);
  });

  it('--mode update without the id column names the closest header, before anything is sent', async () => {
    fs.writeFileSync(tmp.file('in.csv'), 'CoupaID,Code,Name,Limit,Since,Notes\n7,V-1,One,10,2026-03-01,x\n');
    const res = await runCli(
      ['import', tmp.file('in.csv'), '--mapping', tmp.file('m.yaml'), '--mode', 'update'],
      {
        env,
      },
    );
    expect(res.stderr).toContain(
      '--mode update needs the id column "Coupa ID", which the header lacks (closest header: "CoupaID")',
    );
    expect(res.code).toBe(2);
    expect(sim.stats().requests).toBe(0);
  });
});
