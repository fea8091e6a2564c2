import * as fs from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/coupa/index.js';
import type { CoupaClient } from '../../src/coupa/types.js';
import { bindMapping, convertRow, parseMappingText } from '../../src/mapping/index.js';
import { initMapping } from '../../src/mapping-init/index.js';
import { AuthError } from '../../src/shared/errors.js';
import type { Simulator } from '../../src/sim/index.js';
import { clientFor } from '../export/helpers.js';
import { startResettingServer, startTestSim } from '../helpers/sim.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { GERMAN_CSV, GERMAN_RECORD, germanConfig } from './german-object.js';

const tmp = makeTempDir('mapping-init');
const csv = tmp.file('budget.csv');
fs.writeFileSync(csv, `\ufeff${GERMAN_CSV}`);
afterAll(() => tmp.cleanup());

let sim: Simulator;
let client: CoupaClient;
beforeEach(async () => {
  // The instance in Berlin, in January: its records' created-at carry +01:00.
  sim = await startTestSim({
    config: germanConfig(),
    timezone: 'Europe/Berlin',
    now: () => Date.parse('2026-01-15T10:00:00Z'),
  });
  client = createClient(clientFor(sim, { backoffBaseMs: 1 }));
});
afterEach(async () => {
  await client.close();
  await sim.close();
});

/** The mapping line of a column. */
const lineOf = (text: string, column: string): string =>
  text.split('\n').find((l) => l.startsWith(`  ${column}:`)) ?? `(no line for ${column})`;

describe('initMapping with a client (in process, against the simulator)', () => {
  it("matches the headers to the object's fields and takes their types where the values agree", async () => {
    sim.insert(103, GERMAN_RECORD);
    const notices: string[] = [];
    const result = await initMapping({ file: csv, object: 103, client, onNotice: (m) => notices.push(m) });
    const { text } = result;
    expect(result.source).toBe('instance');
    expect(notices).toEqual([]);
    expect(lineOf(text, 'Name Vendor')).toBe('  Name Vendor: vendor-name');
    expect(lineOf(text, '"Geschäftsjahr"')).toBe(
      '  "Geschäftsjahr": { field: geschaftsjahr, type: integer }',
    );
    expect(lineOf(text, 'Kostenstelle Name')).toBe(
      '  Kostenstelle Name: { field: kostenstelle, type: lookup, by: name }',
    );
    expect(lineOf(text, 'Betrag')).toBe(
      '  Betrag: { field: betrag, type: decimal, decimal: ",", group: "." }',
    );
    expect(lineOf(text, 'Freigegeben')).toBe(
      '  Freigegeben: { field: freigegeben, type: boolean, true: [Ja], false: [Nein] }',
    );
    expect(lineOf(text, 'Start-Datum')).toBe(
      '  Start-Datum: { field: start-datum, type: date, format: DD.MM.YYYY }',
    );
    // A user named without its attribute: by its login (a natural key), the others named in a comment.
    expect(lineOf(text, 'Verantwortlich')).toMatch(
      /^ {2}Verantwortlich: \{ field: verantwortlich, type: user, by: login \} {3}# by: login chosen; its values also carry id, email$/,
    );
    // The field's type where the column disagrees, marked to check.
    expect(lineOf(text, 'Menge')).toBe(
      '  Menge: { field: menge, type: integer }   # CHECK: the field is integer but the column holds text (e.g. "viele")',
    );
    expect(lineOf(text, 'Mystery')).toBe('  Mystery: mystery   # CHECK: no field matches');
    // The fields no column maps, listed at the end.
    expect(text).toMatch(
      /# Fields of the object that no column maps \(1\), as `coupa-csv fields` lists them:\n#\s+bemerkung\s+string\n$/,
    );
    // The zone from the offset the records carry, marked to confirm.
    expect(text).toMatch(
      /^timezone: Europe\/Berlin {3}# CHECK: the instance reports UTC\+01:00 in record \d+'s created-at \(2026-01-15T11:00:00\+01:00\); confirm its zone \(e\.g\. Europe\/Berlin, /m,
    );
    expect(result.timezone).toBe('Europe/Berlin');
    expect(result.mapped.filter((c) => c.check !== undefined).map((c) => c.header)).toEqual([
      'Menge',
      'Mystery',
    ]);

    // The mapping loads, and converts every row but the ones the CHECK lines name.
    const mapping = parseMappingText(text, 'm.yaml');
    expect(mapping.timezone).toBe('Europe/Berlin');
    const header = GERMAN_CSV.split('\r\n')[0]?.split(';') ?? [];
    const bound = bindMapping(
      { ...mapping, fields: mapping.fields.filter((f) => f.field !== 'menge') },
      header,
      'b.csv',
    );
    const row = convertRow(bound, GERMAN_CSV.split('\r\n')[1]?.split(';') ?? [], 'Europe/Berlin');
    expect(row).toMatchObject({
      ok: true,
      fields: {
        geschaftsjahr: 2026,
        betrag: '12500.00',
        freigegeben: true,
        kostenstelle: { name: 'Marketing' },
      },
    });
  });

  it('reads only: one or two index pages, no write', async () => {
    sim.insert(103, GERMAN_RECORD);
    const before = sim.stats();
    await initMapping({ file: csv, object: 103, client });
    const after = sim.stats();
    expect((after.byMethod.GET ?? 0) - (before.byMethod.GET ?? 0)).toBe(1);
    expect(Object.keys(after.byMethod).filter((m) => m !== 'GET' && m !== 'POST')).toEqual([]);
    expect(sim.records(103)).toHaveLength(1);
  });

  it('an object with no records: a notice naming the setup screens, names from the headers marked CHECK', async () => {
    const notices: string[] = [];
    const result = await initMapping({ file: csv, object: 103, client, onNotice: (m) => notices.push(m) });
    expect(result.source).toBe('empty-object');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('object 103 has no records');
    expect(notices[0]).toContain('Setup > Custom Objects > the object > its fields');
    expect(result.text).toContain('# CHECK: object 103 has no records');
    expect(result.text).toContain('Setup > Custom Objects > the object > its fields');
    expect(lineOf(result.text, 'Name Vendor')).toBe(
      '  Name Vendor: name-vendor   # CHECK: name made from the header',
    );
    expect(result.text).toMatch(/^# timezone: .*set it before dates are imported/m);
    expect(result.timezone).toBeUndefined();
  });

  it('an instance that cannot be reached: the guess from the file, said in a notice and in the file', async () => {
    const resetting = await startResettingServer();
    const down = createClient({ ...clientFor(sim, { backoffBaseMs: 1 }), instance: resetting.url });
    try {
      const notices: string[] = [];
      const result = await initMapping({
        file: csv,
        object: 103,
        client: down,
        onNotice: (m) => notices.push(m),
      });
      expect(result.source).toBe('unreachable');
      expect(notices[0]).toMatch(
        /^the instance could not be reached \(.*\): the mapping was guessed from the file alone/,
      );
      expect(result.text).toContain('# CHECK: the instance could not be reached');
      expect(lineOf(result.text, 'Name Vendor')).toBe('  Name Vendor: name-vendor');
    } finally {
      await down.close();
      resetting.close();
    }
  });

  it('refused credentials and an unknown object are errors, not a silent guess', async () => {
    sim.insert(103, GERMAN_RECORD);
    const wrong = createClient(
      clientFor(sim, {
        credentials: { kind: 'oauth', clientId: sim.clientId, clientSecret: 'nope', scopes: sim.scopes },
      }),
    );
    try {
      await expect(initMapping({ file: csv, object: 103, client: wrong })).rejects.toBeInstanceOf(AuthError);
    } finally {
      await wrong.close();
    }
    await expect(initMapping({ file: csv, object: 999, client })).rejects.toMatchObject({
      code: 'OBJECT_NOT_FOUND',
    });
  });

  it('a bad input file fails before anything is sent', async () => {
    const before = sim.stats();
    await expect(initMapping({ file: tmp.file('missing.csv'), object: 103, client })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(sim.stats().byMethod).toEqual(before.byMethod);
  });
});
