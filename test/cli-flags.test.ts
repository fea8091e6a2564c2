import { describe, expect, it } from 'vitest';
import { runMain } from './helpers/cli-io.js';

/**
 * The command line read in-process (main(argv, io)), table-driven: each case runs against nothing (no file, no
 * instance) and stops at the flags, so only the exit code and the message are asserted.
 */
interface UsageCase {
  args: string[];
  /** The first line of stderr, exactly. */
  message: string;
  /** The command whose help the last line points at (undefined: the top-level help). */
  help: string | undefined;
}

const usageCases: UsageCase[] = [
  // A flag typed wrong is named as typed, with the flag meant; not reported as the flag it was meant to be missing.
  {
    args: ['import', 'in.csv', '--maping', 'm.yaml'],
    message: 'Unknown flag --maping; did you mean --mapping?',
    help: 'import',
  },
  {
    args: ['import', 'in.csv', '--mapping', 'm.yaml', '--mdoe', 'upsert'],
    message: 'Unknown flag --mdoe; did you mean --mode?',
    help: 'import',
  },
  {
    args: ['validate', 'in.csv', '--mapping', 'm.yaml', '--mdoe=update'],
    message: 'Unknown flag --mdoe; did you mean --mode?',
    help: 'validate',
  },
  {
    args: ['export', '--out', 'x.csv', '--fliter', 'active=true'],
    message: 'Unknown flag --fliter; did you mean --filter?',
    help: 'export',
  },
  {
    args: ['mapping', 'init', 'in.csv', '--ouput', 'm.yaml'],
    message: 'Unknown flag --ouput; did you mean --out?',
    help: 'mapping init',
  },
  { args: ['sim', '--prot', '8080'], message: 'Unknown flag --prot; did you mean --port?', help: 'sim' },
  {
    args: ['import', 'in.csv', '--mapping', 'm.yaml', '--xyzzy'],
    message: 'Unknown flag --xyzzy',
    help: 'import',
  },
  { args: ['export', '--out', 'x.csv', '-z'], message: 'Unknown flag -z', help: 'export' },
  // A missing argument says what it is for.
  {
    args: ['import', 'in.csv'],
    message:
      'Missing --mapping: the mapping file (.yaml, .yml or .json) that says which custom field each CSV column goes to (coupa-csv mapping init <file> writes one)',
    help: 'import',
  },
  {
    args: ['import', '--mapping', 'm.yaml'],
    message: 'Missing <file>: the CSV file to import',
    help: 'import',
  },
  { args: ['validate'], message: 'Missing <file>: the CSV file to check', help: 'validate' },
  {
    args: ['mapping', 'init'],
    message: 'Missing <file>: the CSV file whose header the mapping is made from',
    help: 'mapping init',
  },
  {
    args: ['export', '--object', '101'],
    message: 'Missing --out: the file to write the records to, or - for stdout',
    help: 'export',
  },
  {
    args: ['import', 'a.csv', 'b.csv', '--mapping', 'm.yaml'],
    message: 'Unexpected argument b.csv',
    help: 'import',
  },
  // Values yargs would quietly turn into another setting.
  {
    args: ['import', 'in.csv', '--mapping', 'm.yaml', '--limit'],
    message: '--limit needs a value',
    help: 'import',
  },
  {
    args: ['import', 'in.csv', '--mapping', 'm.yaml', '--limit', '--json'],
    message: '--limit needs a value',
    help: 'import',
  },
  {
    args: ['import', 'in.csv', '--mapping', 'm.yaml', '--dry-run=yes'],
    message: '--dry-run is a switch: give it alone (or --dry-run=true / --no-dry-run), not "yes"',
    help: 'import',
  },
  {
    args: ['import', 'in.csv', '--mapping', 'm.yaml', '--limit', '5', '--limit', '6'],
    message: '--limit was given more than once (5, 6): give it once',
    help: 'import',
  },
  {
    args: ['import', 'in.csv', '--mapping', 'm.yaml', '--limit', 'five'],
    message: '--limit must be a number',
    help: 'import',
  },
  // Commands.
  { args: ['improt', 'in.csv'], message: 'Unknown command improt; did you mean import?', help: undefined },
  {
    args: [],
    message: 'Name a command: import, validate, export, fields, mapping init, sim or ui.',
    help: undefined,
  },
];

describe('usage errors: exit 2, what is wrong in words a person can act on, then the command help', () => {
  it.each(usageCases)('coupa-csv $args', async ({ args, message, help }) => {
    const res = await runMain(args);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(
      `coupa-csv: ${message}\nFor usage, run: ${help === undefined ? 'coupa-csv --help' : `coupa-csv ${help} --help`}\n`,
    );
  });

  it('the typo of a demanded flag is never reported as that flag missing', async () => {
    const res = await runMain(['import', 'in.csv', '--maping', 'm.yaml']);
    expect(res.stderr).not.toContain('Missing');
    expect(res.stderr).not.toContain('Run coupa-csv --help');
  });
});

describe('flags that are accepted go on to the command', () => {
  // Each runs against a file that does not exist: reading the flags passed when the command reports the file.
  const accepted: string[][] = [
    ['import', 'nope.csv', '--mapping', 'nope.yaml', '--dryRun'],
    ['import', 'nope.csv', '--mapping', 'nope.yaml', '--no-resume', '--mode', 'upsert'],
    ['import', 'nope.csv', '--mapping=nope.yaml', '--limit=5', '--dry-run=false'],
    ['validate', 'nope.csv', '--mapping', 'nope.yaml', '--instance', 'https://x.example', '--rate', '5'],
    ['validate', 'nope.csv', '--mapping', 'nope.yaml', '--limit', '5', '--limit', '5'],
  ];
  it.each(accepted)('coupa-csv %s ...', async (...args) => {
    const res = await runMain(args);
    expect(res.stderr).not.toMatch(/Unknown|Missing|For usage/);
    expect(res.stderr).toMatch(/^coupa-csv: nope\.yaml: .*not found/);
    expect(res.code).toBe(2);
  });
});

describe('help and version go to stdout, exit 0', () => {
  it.each([
    [['--help'], 'Commands:'],
    [['import', '--help'], '--mapping'],
    [['export', '--help'], '--filter'],
    [['mapping', 'init', '--help'], '--sample'],
    [['sim', '--help'], '--error-rate'],
  ])('coupa-csv %s', async (args, expected) => {
    const res = await runMain(args);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain(expected);
    expect(res.stdout.endsWith('\n')).toBe(true);
  });

  it('--version prints the package version', async () => {
    const res = await runMain(['--version']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('the wrap width comes from io, not from the terminal the tests run in', async () => {
    const res = await runMain(['import', '--help']);
    const widest = Math.max(...res.stdout.split('\n').map((line) => line.length));
    expect(widest).toBeLessThanOrEqual(100);
  });
});
