import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectInstance } from '../../src/coupa/types.js';
import { checkRecordFilters } from '../../src/export/check-filters.js';
import { parseFilters } from '../../src/export/filters.js';
import { runExport } from '../../src/export/index.js';
import { AbortedError } from '../../src/shared/errors.js';
import type { Simulator } from '../../src/sim/index.js';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { clientFor, makeTempDir, readCsv, seedVendors } from './helpers.js';

function record(fields: Record<string, unknown>, extra: Record<string, unknown> = {}): ObjectInstance {
  return {
    id: 7,
    'created-at': '2026-02-01T09:00:00-08:00',
    'updated-at': '2026-02-03T10:00:00-08:00',
    'custom-fields': fields,
    ...extra,
  };
}

function fails(filter: string, fields: Record<string, unknown>): string | undefined {
  return checkRecordFilters(parseFilters([filter]))(record(fields))?.filter;
}

describe('checkRecordFilters: what a record must satisfy', () => {
  it.each([
    // text, compared as a case- and accent-insensitive database would
    ['vendor-name=acme corp', { 'vendor-name': 'Acme Corp' }],
    ['vendor-name=Acme Corp', { 'vendor-name': 'Acme Corp ' }],
    ['vendor-name[contains]=ACME', { 'vendor-name': 'The Acme Corp' }],
    ['vendor-name[starts_with]=acme', { 'vendor-name': 'Acme Corp' }],
    ['vendor-name[ends_with]=CORP', { 'vendor-name': 'Acme Corp' }],
    ['vendor-name[contains]=zurich', { 'vendor-name': 'Zürich AG' }],
    ['vendor-code[in]=v-1,v-2', { 'vendor-code': 'V-2' }],
    ['vendor-code[not_eq]=v-1', { 'vendor-code': 'V-2' }],
    ['vendor-code[not_eq]=v-1', { 'vendor-code': null }],
    ['vendor-code[not_in]=v-1,v-3', { 'vendor-code': 'V-2' }],
    ['notes[blank]=true', { notes: null }],
    ['notes[blank]=true', { notes: '' }],
    ['notes[blank]=false', { notes: 'x' }],
    // numbers, booleans, datetimes
    ['credit-limit[gt]=100', { 'credit-limit': '100.50' }],
    ['credit-limit[lt_or_eq]=100', { 'credit-limit': 100 }],
    ['payment-terms[in]=30,45', { 'payment-terms': 45 }],
    ['payment-terms=30.0', { 'payment-terms': 30 }],
    ['active=true', { active: true }],
    ['active=1', { active: true }],
    ['approved-at[gt]=2026-03-01T00:00:00Z', { 'approved-at': '2026-03-01T09:30:00-08:00' }],
    // a bare date may be read as UTC or in the record's own offset
    ['onboarding-date=2026-03-15', { 'onboarding-date': '2026-03-15T00:00:00-08:00' }],
    ['onboarding-date[gt_or_eq]=2026-03-15', { 'onboarding-date': '2026-03-15T00:00:00-08:00' }],
    // references: by the attribute named, else by id
    ['owner[login]=JDOE', { owner: { id: 3, login: 'jdoe' } }],
    ['owner=3', { owner: { id: 3, login: 'jdoe' } }],
    // what cannot be judged passes
    ['colour=red', { 'vendor-name': 'x' }],
    ['owner[email]=a@b.c', { owner: { id: 3, login: 'jdoe' } }],
    ['vendor-name[gt]=M', { 'vendor-name': 'Acme' }],
  ] as const)('%s passes %j', (filter, fields) => {
    expect(fails(filter, fields)).toBeUndefined();
  });

  it.each([
    ['vendor-name=acme', { 'vendor-name': 'Acme Corp' }],
    ['vendor-name[contains]=globex', { 'vendor-name': 'Acme Corp' }],
    ['vendor-name[starts_with]=corp', { 'vendor-name': 'Acme Corp' }],
    ['vendor-name[ends_with]=acme', { 'vendor-name': 'Acme Corp' }],
    ['vendor-name[contains]=acme', { 'vendor-name': null }],
    ['vendor-code[in]=v-1,v-3', { 'vendor-code': 'V-2' }],
    ['vendor-code[not_eq]=v-2', { 'vendor-code': 'V-2' }],
    ['vendor-code[not_in]=v-1,V-2', { 'vendor-code': 'v-2' }],
    ['notes[blank]=true', { notes: 'x' }],
    ['notes[blank]=false', { notes: null }],
    ['credit-limit[gt]=100', { 'credit-limit': '99.99' }],
    ['credit-limit[lt]=100', { 'credit-limit': 100 }],
    ['payment-terms[in]=30,45', { 'payment-terms': 60 }],
    ['active=true', { active: false }],
    ['approved-at[gt]=2026-03-01T00:00:00Z', { 'approved-at': '2026-02-28T15:59:59-08:00' }],
    ['onboarding-date=2026-03-15', { 'onboarding-date': '2026-03-16T00:00:00-08:00' }],
    ['owner[login]=asmith', { owner: { id: 3, login: 'jdoe' } }],
    ['owner=4', { owner: { id: 3, login: 'jdoe' } }],
  ] as const)('%s fails %j', (filter, fields) => {
    expect(fails(filter, fields)).toBe(filter);
  });

  it('checks the standard attributes (the --state watermark, ids) and names the value seen', () => {
    const check = checkRecordFilters(parseFilters(['updated-at[gt_or_eq]=2026-02-04T00:00:00-08:00']));
    expect(check(record({}))).toEqual({
      filter: 'updated-at[gt_or_eq]=2026-02-04T00:00:00-08:00',
      value: '"2026-02-03T10:00:00-08:00"',
    });
    expect(checkRecordFilters(parseFilters(['id[in]=1,7']))(record({}))).toBeUndefined();
    expect(checkRecordFilters(parseFilters(['id=8']))(record({}))?.value).toBe('7');
  });
});

describe('export: a record the instance should not have returned', () => {
  let sim: Simulator;
  let dir: string;
  let removeDir: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, remove: removeDir } = await makeTempDir());
  });
  afterEach(async () => {
    await sim.close();
    await removeDir();
  });

  it('an instance that honours the filters passes, a case-sensitive one (the simulator) included', async () => {
    sim = await startTestSim();
    seedVendors(sim, 1, 120);
    const out = join(dir, 'active.csv');
    const summary = await runExport({
      objectId: 101,
      out,
      client: clientFor(sim),
      filters: [
        'active=true',
        'vendor-name[contains]=Vendor',
        'payment-terms[in]=30,45',
        'notes[blank]=false',
      ],
    });
    expect(summary.records).toBeGreaterThan(10);
    const { rows } = await readCsv(out);
    expect(rows).toHaveLength(summary.records);
  });

  it('an instance that ignores a filter on a custom field stops the export: exit 3 code, no file at --out', async () => {
    sim = await startTestSim({ ignoreFilters: true });
    seedVendors(sim, 1, 120);
    const out = join(dir, 'active.csv');
    await writeFile(out, 'the previous export\n');
    const error = await runExport({
      objectId: 101,
      out,
      client: clientFor(sim),
      filters: ['active=true'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).code).toBe('ABORTED');
    expect((error as AbortedError).exitCode).toBe(3);
    expect((error as Error).message).toMatch(
      /record 1 although it does not satisfy --filter "active=true" \(its value: false\)/,
    );
    expect((error as Error).message).toContain(`nothing was written to ${out}`);
    // The previous file is untouched and no temporary file is left.
    expect(await readdir(dir)).toEqual(['active.csv']);
  });

  it('the built CLI exits 3 and writes nothing when the instance ignores a filter', async () => {
    if (!existsSync(CLI_PATH)) throw new Error(`build first (${CLI_PATH} is missing)`);
    sim = await startTestSim({ ignoreFilters: true });
    seedVendors(sim, 1, 30);
    const out = join(dir, 'x.csv');
    const r = await runCli(
      ['export', '--object', '101', '--out', out, '--filter', 'vendor-code[starts_with]=v-001'],
      { env: simEnv(sim) },
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('does not satisfy --filter "vendor-code[starts_with]=v-001"');
    expect(r.stderr).toContain('(its value: "V-0001")');
    expect(await readdir(dir)).toEqual([]);
  });
});
