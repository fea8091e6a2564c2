import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { makeTempDir, readResults } from './helpers.js';

/** One fixture per CSV quirk, each validated through the built CLI (validate needs no instance). */
const MAPPING = 'object: 101\nfields:\n  Code: vendor-code\n  Name: vendor-name\n  Notes: notes\n';

const readable: Array<{ name: string; bytes: Buffer; detected: Record<string, string>; notes?: string[] }> = [
  {
    name: 'bom',
    bytes: Buffer.from('\uFEFFCode,Name,Notes\nV-1,Zoë,x\n', 'utf8'),
    detected: { encoding: 'utf8-bom' },
  },
  {
    name: 'utf16le',
    bytes: Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('Code,Name,Notes\r\nV-1,Zoë,x\r\n', 'utf16le'),
    ]),
    detected: { encoding: 'utf16le', lineEnding: 'CRLF' },
  },
  {
    name: 'cp1252',
    bytes: Buffer.from([...Buffer.from('Code,Name,Notes\nV-1,Caf'), 0xe9, ...Buffer.from(',x\n')]),
    detected: { encoding: 'windows-1252' },
    notes: ['x'],
  },
  { name: 'semicolon', bytes: Buffer.from('Code;Name;Notes\nV-1;A, B;x\n'), detected: { delimiter: ';' } },
  { name: 'tab', bytes: Buffer.from('Code\tName\tNotes\nV-1\tA\tx\n'), detected: { delimiter: '\t' } },
  { name: 'crlf', bytes: Buffer.from('Code,Name,Notes\r\nV-1,A,x\r\n'), detected: { lineEnding: 'CRLF' } },
  { name: 'cr', bytes: Buffer.from('Code,Name,Notes\rV-1,A,x\rV-2,B,y\r'), detected: { lineEnding: 'CR' } },
  {
    name: 'quoted-newline',
    bytes: Buffer.from('Code,Name,Notes\nV-1,A,"one\ntwo"\nV-2,B,x\n'),
    detected: {},
    notes: ['one\ntwo', 'x'],
  },
];

describe('CSV quirks through validate', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir('quirks');
    fs.writeFileSync(tmp.file('m.yaml'), MAPPING);
  });
  afterAll(() => tmp.cleanup());

  for (const q of readable) {
    it(`${q.name}: every row valid, detection reported`, async () => {
      fs.writeFileSync(tmp.file(`${q.name}.csv`), q.bytes);
      const res = await runCli([
        'validate',
        tmp.file(`${q.name}.csv`),
        '--mapping',
        tmp.file('m.yaml'),
        '--json',
      ]);
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({ invalid: 0, ...q.detected });
      const rows = readResults(tmp.file(`${q.name}.results.csv`));
      expect(rows.every((r) => r._status === 'valid')).toBe(true);
      if (q.notes) expect(rows.map((r) => r.Notes)).toEqual(q.notes);
      if (q.name === 'cp1252') expect(rows[0]?.Name).toBe('Café');
      if (q.name === 'quoted-newline') expect(rows.map((r) => r._line)).toEqual(['2', '4']);
    });
  }

  it('auto delimiter: header names holding commas do not outvote the ; or tab that splits them into the mapped columns', async () => {
    fs.writeFileSync(
      tmp.file('names.yaml'),
      'object: 101\nfields:\n  Code: vendor-code\n  "Name (first, middle, last)": vendor-name\n',
    );
    const files = {
      'semi-names.csv': Buffer.from('Code;Name (first, middle, last)\r\nS1;Anna, Maria, Schmidt\r\n'),
      'tab-names.csv': Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from('Code\tName (first, middle, last)\r\nS1\tAnna, Maria, Schmidt\r\n', 'utf16le'),
      ]),
    };
    for (const [name, bytes] of Object.entries(files)) {
      fs.writeFileSync(tmp.file(name), bytes);
      const res = await runCli(['validate', tmp.file(name), '--mapping', tmp.file('names.yaml'), '--json']);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({
        valid: 1,
        delimiter: name.startsWith('semi') ? ';' : '\t',
      });
      const [row] = readResults(tmp.file(name.replace('.csv', '.results.csv')));
      expect(row?.['Name (first, middle, last)']).toBe('Anna, Maria, Schmidt');
    }
  });

  it('a ragged row is an invalid results row, not a crash', async () => {
    fs.writeFileSync(tmp.file('ragged.csv'), 'Code,Name,Notes\nV-1,A,x\nV-2,B\nV-3,C,x,extra\n');
    const res = await runCli(['validate', tmp.file('ragged.csv'), '--mapping', tmp.file('m.yaml')]);
    expect(res.code).toBe(1);
    expect(readResults(tmp.file('ragged.results.csv')).map((r) => r._status)).toEqual([
      'valid',
      'invalid',
      'invalid',
    ]);
  });

  const unreadable: Array<{ name: string; text: string; message: RegExp }> = [
    { name: 'unclosed-quote', text: 'Code,Name,Notes\nV-1,A,"open\nV-2,B,x\n', message: /quote/i },
    { name: 'empty', text: '', message: /empty/i },
    { name: 'header-only', text: 'Code,Name,Notes\n', message: /no data rows/ },
    { name: 'duplicate-header', text: 'Code,Name,Code\nV-1,A,B\n', message: /Code/ },
  ];
  for (const u of unreadable) {
    it(`${u.name}: exit 2 with a one-line message naming the file, no results file`, async () => {
      const file = tmp.file(`${u.name}.csv`);
      fs.writeFileSync(file, u.text);
      const res = await runCli(['validate', file, '--mapping', tmp.file('m.yaml')]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(u.message);
      expect(res.stderr).toContain(`${u.name}.csv`);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(tmp.file(`${u.name}.results.csv`))).toBe(false);
    });
  }
});

describe('coupa-csv mapping init', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir('mapping-init');
  });
  afterAll(() => tmp.cleanup());

  /** samples/vendors.csv validates with the mapping `mapping init` wrote: all 20 rows valid. */
  async function expectSamplesValid(mapping: string): Promise<void> {
    const valid = await runCli([
      'validate',
      'samples/vendors.csv',
      '--mapping',
      mapping,
      '--results',
      tmp.file('r.csv'),
    ]);
    expect(valid.stderr).toMatch(/valid:\s+20/);
    expect(valid.code).toBe(0);
  }

  it('prints a skeleton from the header, and --out writes one that validates the same file', async () => {
    const printed = await runCli(['mapping', 'init', 'samples/vendors.csv', '--object', '101']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/object: 101/);
    for (const column of ['Vendor Code', 'Onboarding Date', 'Payment Terms (days)'])
      expect(printed.stdout).toContain(column);

    const out = tmp.file('guessed.yaml');
    const written = await runCli(['mapping', 'init', 'samples/vendors.csv', '--object', '101', '--out', out]);
    expect(written.code).toBe(0);
    expect(written.stderr).not.toContain('object:');
    const again = await runCli(['mapping', 'init', 'samples/vendors.csv', '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--force/);
    await expectSamplesValid(out);
    // Without --object the next step is to fill in the object id: validate would refuse the mapping without one.
    const bare = tmp.file('no-object.yaml');
    const noObject = await runCli(['mapping', 'init', 'samples/vendors.csv', '--out', bare]);
    expect(noObject.stderr).toContain('set `object:` in it to the custom object id');
    const refused = await runCli([
      'validate',
      'samples/vendors.csv',
      '--mapping',
      bare,
      '--results',
      tmp.file('r.csv'),
    ]);
    expect(refused.stderr).toContain('no custom object id');
    expect(refused.code).toBe(2);
  });

  it('validate --object takes a positive whole number only, as import does', async () => {
    const out = tmp.file('for-object.yaml');
    expect(
      (await runCli(['mapping', 'init', 'samples/vendors.csv', '--object', '101', '--out', out])).code,
    ).toBe(0);
    for (const value of ['1.5', '0', '-3']) {
      const r = await runCli([
        'validate',
        'samples/vendors.csv',
        '--mapping',
        out,
        '--object',
        value,
        '--results',
        tmp.file('r.csv'),
      ]);
      expect(r.stderr).toContain(`--object must be a positive whole number, got ${value}`);
      expect(r.code).toBe(2);
    }
  });

  it('--out m.json writes JSON that validates; a bad --object or --out folder is exit 2 with one line', async () => {
    const out = tmp.file('guessed.json');
    const written = await runCli(['mapping', 'init', 'samples/vendors.csv', '--object', '101', '--out', out]);
    expect(written.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toMatchObject({ object: 101 });
    await expectSamplesValid(out);
    for (const [args, message] of [
      [['--object', '0'], '--object must be a positive whole number, got 0'],
      [['--object', 'abc'], '--object must be a number'],
      [['--out', tmp.file('missing/m.yaml')], 'cannot write the mapping: the folder'],
    ] as const) {
      const r = await runCli(['mapping', 'init', 'samples/vendors.csv', ...args]);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toContain('unexpected error');
      expect(r.code).toBe(2);
    }
  });

  it('guesses from all --sample rows: a decimal first seen on row 60 counts with --sample 100, not by default', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `V-${i + 1},${i === 59 ? '60.5' : String(i + 1)}\n`);
    const file = tmp.file('late-decimal.csv');
    fs.writeFileSync(file, `Code,Qty\n${rows.join('')}`);

    const byDefault = await runCli(['mapping', 'init', file]);
    expect(byDefault.code).toBe(0);
    expect(byDefault.stdout).toMatch(/^ {2}Qty: \{ field: qty, type: integer \}$/m);
    expect(byDefault.stdout).toMatch(/^# Types were guessed from the first 50 data row\(s\)\.$/m);

    const sampled = await runCli(['mapping', 'init', file, '--sample', '100']);
    expect(sampled.code).toBe(0);
    expect(sampled.stdout).toMatch(/^ {2}Qty: \{ field: qty, type: decimal \}$/m);
    expect(sampled.stdout).toMatch(/^# Types were guessed from the first 100 data row\(s\)\.$/m);
  });
});

describe('help', () => {
  it('import --help shows every SPEC flag and examples', async () => {
    const res = await runCli(['import', '--help']);
    expect(res.code).toBe(0);
    for (const flag of [
      '--mapping',
      '--object',
      '--mode',
      '--results',
      '--concurrency',
      '--rate',
      '--dry-run',
      '--resume',
      '--limit',
      '--encoding',
      '--delimiter',
      '--json',
      '--quiet',
      '--instance',
      '--scopes',
      '--timezone',
    ]) {
      expect(res.stdout).toContain(flag);
    }
    expect(res.stdout).toMatch(/Examples:/);
  });

  it('coupa-csv --help lists every command with examples; an unknown mapping subcommand is exit 2', async () => {
    const res = await runCli(['--help']);
    expect(res.code).toBe(0);
    for (const command of ['import', 'validate', 'export', 'mapping init', 'sim']) {
      expect(res.stdout).toContain(`coupa-csv ${command}`);
    }
    expect(res.stdout).toMatch(/Examples:\n {2}coupa-csv sim/);
    const unknown = await runCli(['mapping', 'foo', 'samples/vendors.csv']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "mapping foo"');
    expect(unknown.stdout).toBe('');
  });
});
