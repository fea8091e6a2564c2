import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { runCli } from '../helpers/cli.js';
import { simEnv, startTestSim } from '../helpers/sim.js';
import { makeTempDir } from '../import/helpers.js';

/**
 * Bad input through the built CLI against a running simulator: exit 2, one line on stderr naming the file (and
 * line/column where there is one), no stack trace, no results file, and not one request sent.
 */
const MAPPING =
  'object: 101\nkey: vendor-code\nfields:\n  Code: vendor-code\n  Name: vendor-name\n  Notes: notes\n';
const GOOD_CSV = 'Code,Name,Notes\nV-1,A,x\n';

interface Case {
  name: string;
  csv?: string | Buffer;
  mapping?: string;
  /** Replace the CSV/mapping argument (missing files, folders). */
  csvPath?: (dir: string) => string;
  mappingPath?: (dir: string) => string;
  args?: (dir: string) => string[];
  env?: (sim: Simulator) => Record<string, string | undefined>;
  /** What stderr must contain; `{file}` / `{mapping}` stand for the paths. */
  expected: Array<string | RegExp>;
}

const cases: Case[] = [
  {
    name: 'unclosed quote',
    csv: 'Code,Name,Notes\nV-1,A,"open\nV-2,B,x\n',
    expected: ['{file}:2 (column "Notes")', /never closed/],
  },
  {
    name: 'binary data',
    csv: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0x08, 0xff, 0x00]),
    expected: ['{file}', /binary/],
  },
  { name: 'empty file', csv: '', expected: ['{file}', /empty/] },
  { name: 'header only', csv: 'Code,Name,Notes\r\n', expected: ['{file}', /no data rows/] },
  {
    name: 'duplicate header',
    csv: 'Code,Name,Notes,code\nV-1,A,x,y\n',
    expected: ['{file}:1', /columns 1 and 4/],
  },
  {
    name: 'wrong encoding',
    csv: Buffer.from([...Buffer.from('Code,Name,Notes\nV-1,Caf'), 0xe9, ...Buffer.from(',x\n')]),
    args: () => ['--encoding', 'utf8'],
    expected: ['{file}:2', /not valid UTF-8/, /windows-1252/],
  },
  {
    name: 'mixed encodings (UTF-8 with a Windows-1252 byte)',
    csv: Buffer.concat([
      Buffer.from('Code,Name,Notes\nV-1,Müller,x\nV-2,Jürgen,y\nV-3,Caf'),
      Buffer.from([0xe9]),
      Buffer.from(',z\n'),
    ]),
    expected: ['{file}:4', /mixes encodings/],
  },
  {
    name: 'a 10 MB field',
    csv: `Code,Name,Notes\nV-1,A,x\nV-2,B,"${'y'.repeat(10 * 1024 * 1024)}"\n`,
    expected: ['{file}:3 (column "Notes")', /larger than 1 MiB/],
  },
  {
    name: 'unknown mapping key',
    mapping: `${MAPPING}modee: upsert\n`,
    expected: ['{mapping}:7', /"modee" is not a mapping key/],
  },
  {
    name: 'unknown field type',
    mapping: MAPPING.replace('Notes: notes', 'Notes: { field: notes, type: money }'),
    expected: ['{mapping}:6', /"money" is not a type/],
  },
  {
    name: 'mapped column missing from the header',
    csv: 'Code,Nmae,Notes\nV-1,A,x\n',
    expected: ['{file}:1', /"Name" \(closest header: "Nmae"\)/],
  },
  { name: 'missing CSV', csvPath: (d) => `${d}/nope.csv`, expected: ['nope.csv', /not found/] },
  { name: 'CSV path is a folder', csvPath: (d) => d, expected: [/folder/] },
  { name: 'missing mapping', mappingPath: (d) => `${d}/nope.yaml`, expected: ['nope.yaml', /not found/] },
  {
    name: 'results in a missing folder',
    args: (d) => ['--results', `${d}/no/such/dir/r.csv`],
    expected: ['no/such/dir/r.csv', /does not exist/],
  },
  {
    name: 'malformed instance URL',
    env: (sim) => ({ ...simEnv(sim), COUPA_INSTANCE: 'https://acme coupahost.com' }),
    expected: [/instance/, /not a valid URL/],
  },
  {
    name: 'plain http off loopback',
    env: (sim) => ({ ...simEnv(sim), COUPA_INSTANCE: 'http://acme.coupahost.com' }),
    expected: [/plain http/, /https:\/\/acme\.coupahost\.com/],
  },
  {
    name: 'missing credentials',
    env: (sim) => ({ COUPA_INSTANCE: sim.url }),
    expected: [/COUPA_CLIENT_ID/, /COUPA_CLIENT_SECRET/],
  },
];

describe('bad input: a clear one-line message, exit 2, nothing sent', () => {
  let sim: Simulator;
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(async () => {
    sim = await startTestSim();
    tmp = makeTempDir('bad-input');
  });
  afterAll(async () => {
    await sim.close();
    tmp.cleanup();
  });

  cases.forEach((c, i) => {
    it(c.name, async () => {
      const dir = tmp.file(`case-${i}`);
      fs.mkdirSync(dir);
      const file = c.csvPath ? c.csvPath(dir) : `${dir}/in.csv`;
      const mapping = c.mappingPath ? c.mappingPath(dir) : `${dir}/m.yaml`;
      if (!c.csvPath) fs.writeFileSync(file, c.csv ?? GOOD_CSV);
      if (!c.mappingPath) fs.writeFileSync(mapping, c.mapping ?? MAPPING);
      const before = sim.stats().requests;
      const res = await runCli(['import', file, '--mapping', mapping, ...(c.args?.(dir) ?? [])], {
        env: c.env ? c.env(sim) : simEnv(sim),
      });
      expect(res.code).toBe(2);
      expect(res.stdout).toBe('');
      const lines = res.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^coupa-csv: /);
      expect(res.stderr).not.toMatch(/\n\s+at /);
      for (const e of c.expected) {
        if (typeof e === 'string')
          expect(res.stderr).toContain(e.replace('{file}', file).replace('{mapping}', mapping));
        else expect(res.stderr).toMatch(e);
      }
      expect(sim.stats().requests).toBe(before);
      expect(fs.readdirSync(c.csvPath ? tmp.dir : dir).filter((f) => f.includes('results'))).toEqual([]);
    });
  });
});
