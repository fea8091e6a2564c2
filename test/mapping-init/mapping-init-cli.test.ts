import * as fs from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { seedVendors } from '../export/helpers.js';
import { runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const tmp = makeTempDir('mapping-init-cli');
afterAll(() => tmp.cleanup());

let sim: Simulator;
beforeEach(async () => {
  // The sample instance (America/Los_Angeles) in January: its records' created-at carry -08:00.
  sim = await startTestSim({ now: () => Date.parse('2026-01-15T18:00:00Z') });
});
afterEach(async () => {
  await sim.close();
  for (const name of fs.readdirSync(tmp.dir)) fs.rmSync(tmp.file(name), { force: true });
});

describe('coupa-csv mapping init --object (built CLI against the simulator)', () => {
  it('matches the headers to the real fields, fills in the zone to confirm, and the mapping validates the file', async () => {
    seedVendors(sim, 1, 6);
    const out = tmp.file('vendors.mapping.yaml');
    const r = await runCli(['mapping', 'init', 'samples/vendors.csv', '--object', '101', '--out', out], {
      env: simEnv(sim),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'coupa-csv: object 101: 11 of 11 columns matched to its fields; timezone: America/Los_Angeles from the offset the instance reports (confirm it)',
    );
    expect(r.stderr).toContain(
      `coupa-csv: wrote ${out} (11 columns); check the timezone:, then run coupa-csv validate`,
    );
    const text = fs.readFileSync(out, 'utf8');
    expect(text).toMatch(
      /^timezone: America\/Los_Angeles {3}# CHECK: the instance reports UTC-08:00 in record \d+'s created-at \(2026-01-15T10:00:00-08:00\); confirm its zone \(e\.g\. America\/Los_Angeles, America\/Vancouver, America\/Tijuana\)$/m,
    );
    expect(text).toContain('  Owner Login: { field: owner, type: user, by: login }');
    expect(text).toContain('  Supplier Number: { field: supplier, type: supplier, by: number }');
    expect(text).toContain(
      '  Payment Terms (days): { field: payment-terms, type: integer }   # matched without "(days)"',
    );
    expect(text).toContain('  Onboarding Date: { field: onboarding-date, type: date }');
    expect(text).not.toContain('CHECK: no field matches');

    const valid = await runCli([
      'validate',
      'samples/vendors.csv',
      '--mapping',
      out,
      '--results',
      tmp.file('r.csv'),
    ]);
    expect(valid.stderr).toMatch(/valid:\s+20/);
    expect(valid.code).toBe(0);
  });

  it('a header no field matches is marked, and the fields no column maps are listed at the end', async () => {
    seedVendors(sim, 1, 3);
    const csv = tmp.file('in.csv');
    fs.writeFileSync(csv, 'Name Vendor,vendor_code,Lieferant Bemerkung\nAcme,V-1,hello\n');
    const r = await runCli(['mapping', 'init', csv, '--object', '101'], { env: simEnv(sim) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  Name Vendor: vendor-name\n');
    expect(r.stdout).toContain('  vendor_code: vendor-code\n');
    expect(r.stdout).toContain('  Lieferant Bemerkung: lieferant-bemerkung   # CHECK: no field matches\n');
    expect(r.stdout).toMatch(/# Fields of the object that no column maps \(9\)[^\n]*\n#\s+tax-id\s+string\n/);
    expect(r.stdout).toMatch(/^#\s+owner\s+user \(id, login, email\)$/m);
    expect(r.stderr).toContain(
      'coupa-csv: object 101: 2 of 3 columns matched to its fields; no field matches "Lieferant Bemerkung"; 1 marked "# CHECK"',
    );
  });

  it('an object with no records: a notice that says where the names are, and the file says it too', async () => {
    const r = await runCli(['mapping', 'init', 'samples/vendors.csv', '--object', '102'], {
      env: simEnv(sim),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'coupa-csv: object 102 has no records: the field names in the mapping were made',
    );
    expect(r.stderr).toContain('Setup > Custom Objects > the object > its fields');
    expect(r.stdout).toContain('# CHECK: object 102 has no records');
    expect(r.stdout).toContain('  Vendor Code: vendor-code   # CHECK: name made from the header');
    expect(r.stdout).toMatch(/^# timezone: .*set it before dates are imported/m);
  });

  it('an instance set without credentials: exit 2, saying how to connect or to guess offline; nothing sent', async () => {
    const before = sim.stats().requests;
    const r = await runCli(['mapping', 'init', 'samples/vendors.csv', '--object', '101'], {
      env: { COUPA_INSTANCE: sim.url },
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no Coupa credentials');
    expect(r.stderr).toContain(
      'to guess the mapping from the file alone, leave out --instance and unset COUPA_INSTANCE',
    );
    expect(sim.stats().requests).toBe(before);
  });

  it('no instance set: the guess from the file, nothing sent, and a notice that the names were not checked', async () => {
    const r = await runCli(['mapping', 'init', 'samples/vendors.csv', '--object', '101']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('object: 101');
    expect(r.stdout).toContain('`coupa-csv fields --object 101` lists the object');
    expect(r.stderr).toBe(
      'coupa-csv: no instance set (--instance or COUPA_INSTANCE): nothing was read from object 101; the field names were made from the headers and the time zone is not set\n',
    );
  });
});
