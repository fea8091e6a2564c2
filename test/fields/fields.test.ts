import { existsSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/coupa/index.js';
import type { CoupaClient } from '../../src/coupa/types.js';
import { describeFields, discoverFields, NO_RECORDS_HINT } from '../../src/index.js';
import { ConfigError } from '../../src/shared/errors.js';
import type { Simulator } from '../../src/sim/index.js';
import { CLI_PATH, runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { clientFor, seedVendors } from '../export/helpers.js';

let sim: Simulator;
let client: CoupaClient;

beforeAll(() => {
  if (!existsSync(CLI_PATH)) throw new Error(`build first: npm run build (${CLI_PATH} is missing)`);
});
beforeEach(async () => {
  sim = await startTestSim();
  client = createClient(clientFor(sim));
});
afterEach(async () => {
  await client.close();
  await sim.close();
});

describe('discoverFields (in process, against the simulator)', () => {
  it('lists every custom field with its type as the values show it, blanks and an example', async () => {
    // Days 2-7 of March: before the clocks change, so the seeded -08:00 midnights are midnights in the instance.
    seedVendors(sim, 1, 6);
    const result = await discoverFields(client, 101);
    expect(result.records).toBe(6);
    const byName = new Map(result.fields.map((f) => [f.name, f]));
    expect([...byName.keys()]).toEqual([
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
    expect(byName.get('vendor-code')).toMatchObject({ type: 'string', blankIn: 0 });
    expect(byName.get('vendor-code')?.exampleText).toMatch(/^V-00\d\d$/);
    expect(byName.get('tax-id')).toMatchObject({ type: 'string', blankIn: 1 }); // every 5th is null
    expect(byName.get('onboarding-date')).toMatchObject({ type: 'date', label: 'date' });
    expect(byName.get('approved-at')).toMatchObject({ type: 'datetime', blankIn: 1 });
    expect(byName.get('credit-limit')?.type).toBe('decimal');
    expect(byName.get('payment-terms')?.type).toBe('integer');
    expect(byName.get('active')?.type).toBe('boolean');
    expect(byName.get('owner')).toMatchObject({
      type: 'user',
      keys: ['id', 'login', 'email'],
      label: 'user (id, login, email)',
    });
    expect(byName.get('supplier')).toMatchObject({ type: 'supplier', label: 'supplier (id, name, number)' });
  });

  it('reads at most two pages, read-only: the newest and the oldest', async () => {
    seedVendors(sim, 1, 230);
    const before = sim.stats();
    const result = await discoverFields(client, 101);
    const after = sim.stats();
    expect(result.records).toBe(100);
    expect((after.byMethod.GET ?? 0) - (before.byMethod.GET ?? 0)).toBe(2);
    expect(Object.keys(after.byMethod).filter((m) => m !== 'GET' && m !== 'POST')).toEqual([]);
    expect(sim.records(101)).toHaveLength(230);
  });

  it('a lookup shows the keys it carries', () => {
    const result = describeFields([
      {
        id: 1,
        'custom-fields': {
          'cost-center': { id: 5, name: 'Marketing', 'external-ref-num': 'CC-5', 'external-ref-code': null },
        },
      },
      { id: 2, 'custom-fields': { 'cost-center': null } },
    ]);
    expect(result).toEqual([
      {
        name: 'cost-center',
        type: 'lookup',
        keys: ['id', 'name', 'external-ref-num'],
        label: 'lookup (id, name, external-ref-num)',
        blankIn: 1,
        example: { id: 5, name: 'Marketing', 'external-ref-num': 'CC-5', 'external-ref-code': null },
        exampleText: 'name=Marketing, external-ref-num=CC-5, id=5',
      },
    ]);
  });

  it('mixed values take the wider type', () => {
    const fields = describeFields([
      { id: 1, 'custom-fields': { a: 1, b: '2026-01-01T00:00:00-08:00', c: 'x', d: '1.5' } },
      { id: 2, 'custom-fields': { a: 2.5, b: '2026-01-01T09:15:00-08:00', c: true, d: '' } },
    ]);
    expect(fields.map((f) => [f.name, f.type, f.blankIn])).toEqual([
      ['a', 'decimal', 0],
      ['b', 'datetime', 0],
      ['c', 'string', 0],
      ['d', 'decimal', 1],
    ]);
  });

  it('an object with no records: no fields, and a hint that names the setup screens', async () => {
    const result = await discoverFields(client, 101);
    expect(result).toEqual({ objectId: 101, records: 0, fields: [] });
    expect(NO_RECORDS_HINT).toContain('Setup > Custom Objects');
  });

  it('an unknown object is a ConfigError naming it', async () => {
    const error = await discoverFields(client, 999).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('OBJECT_NOT_FOUND');
    expect((error as Error).message).toContain('custom object 999');
  });
});

describe('coupa-csv fields (built CLI against the simulator)', () => {
  it('prints one line per field with type, blanks and an example', async () => {
    seedVendors(sim, 1, 6);
    const r = await runCli(['fields', '--object', '101'], { env: simEnv(sim) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Object 101: 11 custom fields, read from 6 records');
    expect(r.stdout).toMatch(/^owner\s+user \(id, login, email\)\s+never\s+login=\w+/m);
    expect(r.stdout).toMatch(/^tax-id\s+string\s+1 of 6\s+TX\d+/m);
    expect(r.stdout).toMatch(/^onboarding-date\s+date\s+never\s+2026-03-\d\dT00:00:00-0[78]:00/m);
  });

  it('--json prints the fields as one JSON object', async () => {
    seedVendors(sim, 1, 3);
    const r = await runCli(['fields', '--object', '101', '--json'], { env: simEnv(sim) });
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { records: number; fields: Array<{ name: string; type: string }> };
    expect(out.records).toBe(3);
    expect(out.fields.find((f) => f.name === 'credit-limit')?.type).toBe('decimal');
  });

  it('an object with no records says so and where the names are', async () => {
    const r = await runCli(['fields', '--object', '102'], { env: simEnv(sim) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Object 102 has no records.');
    expect(r.stdout).toContain('Setup > Custom Objects > the object > its fields');
    const j = await runCli(['fields', '--object', '102', '--json'], { env: simEnv(sim) });
    expect(JSON.parse(j.stdout)).toMatchObject({ records: 0, fields: [], note: NO_RECORDS_HINT });
  });

  it('without --object: a usage error (exit 2)', async () => {
    const r = await runCli(['fields'], { env: simEnv(sim) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--object');
  });
});
