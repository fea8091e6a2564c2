import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultSimConfigPath,
  loadSimConfig,
  startSimulator,
  validateSimConfig,
  type SimConfig,
} from '../../src/sim/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coupa-csv-sim-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const minimal = (): SimConfig => ({
  users: [],
  suppliers: [],
  lookups: {},
  objects: [{ id: 7, code: 'thing', name: 'Thing', fields: [{ name: 'label', type: 'text' }] }],
});

describe('sim config', () => {
  it('loads the shipped sample with the team objects, lookups, users and suppliers', async () => {
    const config = await loadSimConfig(defaultSimConfigPath());
    expect(config.objects.map((o) => [o.id, o.code])).toEqual([
      [101, 'vendor_onboarding'],
      [102, 'budget_allocation'],
    ]);
    expect(config.objects[1]!.fields.find((f) => f.name === 'cost-center')).toMatchObject({
      type: 'lookup',
      lookup: 'cost-centers',
    });
    expect(config.lookups['cost-centers']!.map((v) => v['external-ref-code'])).toEqual([
      'CC-100',
      'CC-200',
      'CC-300',
      'CC-400',
      'CC-500',
    ]);
    expect(config.users.map((u) => u.login)).toEqual(['jdoe', 'asmith', 'mchen', 'lgarcia', 'pnovak']);
    expect(config.suppliers.map((s) => s.number)).toEqual(['S-1001', 'S-1002', 'S-1003', 'S-1004']);
    expect(config.client?.id).toBe('coupa-csv-sim');
  });

  it('names the file and the bad key', async () => {
    const bad = {
      ...minimal(),
      objects: [{ id: 7, code: 'thing', name: 'Thing', fields: [{ name: 'label', type: 'strng' }] }],
    };
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify(bad));
    await expect(loadSimConfig(file)).rejects.toThrow(
      `sim config ${file}: objects[0].fields[0].type: "strng" is not one of text, integer`,
    );
  });

  it('refuses unknown keys, duplicates, dangling lookup sets, bad names and bad time zones', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...minimal(), extra: 1 }, /\(root\): unknown key "extra"/],
      [{ ...minimal(), objects: [] }, /objects: declare at least one custom object/],
      [
        { ...minimal(), objects: [...minimal().objects, ...minimal().objects] },
        /objects\[1\]\.id: duplicate id 7/,
      ],
      [
        {
          ...minimal(),
          objects: [
            { id: 7, code: 'c', name: 'n', fields: [{ name: 'cc', type: 'lookup', lookup: 'nope' }] },
          ],
        },
        /fields\[0\]\.lookup: unknown lookup set "nope"/,
      ],
      [
        {
          ...minimal(),
          objects: [{ id: 7, code: 'c', name: 'n', fields: [{ name: 'Vendor_Code', type: 'text' }] }],
        },
        /fields\[0\]\.name: "Vendor_Code" must be lowercase/,
      ],
      [
        {
          ...minimal(),
          objects: [{ id: 7, code: 'c', name: 'n', fields: [{ name: 'id', type: 'integer' }] }],
        },
        /read-only element/,
      ],
      [{ ...minimal(), timezone: 'Mars/Olympus' }, /timezone: "Mars\/Olympus" is not an IANA time zone/],
      [{ ...minimal(), users: [{ id: 1, login: 'a' }] }, /users\[0\]\.email: is missing/],
      [{ users: [] }, /objects: is missing/],
    ];
    for (const [raw, message] of cases)
      expect(() => validateSimConfig(raw), String(message)).toThrow(message);
  });

  it('reports a file that is missing or not JSON', async () => {
    await expect(loadSimConfig(join(dir, 'none.json'))).rejects.toThrow(/cannot read the file \(ENOENT\)/);
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "objects": [');
    await expect(loadSimConfig(file)).rejects.toThrow(/not valid JSON/);
    // Node's parse error quotes the text around the mistake: here the key itself.
    await writeFile(file, '{\n  "objects": [],\n  "apiKey": LEGACY-KEY-77aa11\n}');
    const error = await loadSimConfig(file).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/broken\.json(:\d+)?: not valid JSON/);
    expect(error?.message).not.toMatch(/LEGACY|77aa/);
  });

  it('starts from a config object or a config path', async () => {
    const file = join(dir, 'ok.json');
    await writeFile(file, JSON.stringify(minimal()));
    for (const config of [minimal(), file]) {
      const sim = await startSimulator({ config, rate: 0 });
      try {
        expect(sim.records(7)).toEqual([]);
        expect(() => sim.records(101)).toThrow();
        expect(sim.clientId).toBe('coupa-csv-sim');
        expect(sim.scopes).toBe('core.custom_objects.read_write');
      } finally {
        await sim.close();
      }
    }
  });

  it('refuses bad options', async () => {
    await expect(startSimulator({ config: minimal(), rate: -1 })).rejects.toThrow(/rate/);
    await expect(startSimulator({ config: minimal(), timezone: 'Nowhere/Land' })).rejects.toThrow(
      /time zone/,
    );
    await expect(startSimulator({ config: minimal(), faults: { error5xx: 1.5 } })).rejects.toThrow(
      /error5xx/,
    );
  });
});
