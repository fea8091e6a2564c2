import { suggest } from '../shared/index.js';
import type { FlagKinds } from './common.js';
import { CliUsage } from './terminal.js';

/** The commands, as their help is asked for (`coupa-csv mapping init --help`). */
const COMMANDS = ['import', 'validate', 'export', 'mapping init', 'sim'] as const;

/** The command a command line runs (its first word that is not a flag), or undefined when it names none. */
export function commandOf(argv: readonly string[]): string | undefined {
  const first = argv.find((arg) => !arg.startsWith('-'));
  if (first === 'mapping') return 'mapping init';
  return COMMANDS.find((command) => command === first);
}

/** What each required argument is for, said when it is missing. */
const PURPOSE: Record<string, string> = {
  mapping:
    'the mapping file (.yaml, .yml or .json) that says which custom field each CSV column goes to ' +
    '(coupa-csv mapping init <file> writes one)',
  out: 'the file to write the records to, or - for stdout',
};

/** What the `<file>` argument of each command is for. */
const FILE_PURPOSE: Record<string, string> = {
  import: 'the CSV file to import',
  validate: 'the CSV file to check',
  'mapping init': 'the CSV file whose header the mapping is made from',
};

/** The option kinds and names of the command being run, as yargs lists them. */
export interface KnownFlags extends FlagKinds {
  key?: Record<string, unknown>;
  alias?: Record<string, string[]>;
  hiddenOptions?: string[];
}

/** Every long flag name the command takes (with yargs' own --help and --version). */
function flagNames(kinds: KnownFlags): string[] {
  const names = new Set(Object.keys(kinds.key ?? {}));
  for (const aliases of Object.values(kinds.alias ?? {})) for (const alias of aliases) names.add(alias);
  return [...names].filter((name) => name.length > 1 && name !== '$0');
}

/**
 * A flag the command does not take, as a usage error that names it as typed, with the closest flag it does take
 * (`--maping` -> `--mapping`). Checked before yargs' own checks: yargs would first report the flag the typo was
 * meant to be as missing.
 */
export function checkUnknownFlags(args: readonly string[], kinds: KnownFlags): void {
  const known = flagNames(kinds);
  const switches = new Set(kinds.boolean ?? []);
  for (const token of args) {
    if (token === '--') return;
    const match = /^--([^=]+)/.exec(token);
    if (!match) continue;
    const typed = match[1] as string;
    // yargs also takes a flag's camelCase spelling (--dryRun) and --no-<switch>.
    const name = typed.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (known.includes(name)) continue;
    if (name.startsWith('no-') && switches.has(name.slice(3))) continue;
    const hidden = new Set(kinds.hiddenOptions ?? []);
    const close = suggest(
      name,
      known.filter((flag) => !hidden.has(flag)),
    );
    throw new CliUsage(`Unknown flag --${typed}${close === undefined ? '' : `; did you mean --${close}?`}`);
  }
}

/**
 * yargs' usage message in words a person can act on: a missing argument says what it is for, an unknown one
 * that looks like a flag gets a "did you mean". Others pass as they are.
 */
export function explainUsageError(
  message: string,
  argv: readonly string[],
  command: string | undefined,
  kinds: KnownFlags,
): string {
  const recommended = /^Did you mean (.+)\?$/.exec(message);
  const typed = argv.find((arg) => !arg.startsWith('-'));
  if (recommended && command === undefined && typed !== undefined) {
    return `Unknown command ${typed}; did you mean ${recommended[1] as string}?`;
  }
  if (/^Not enough non-option arguments/.test(message) && command !== undefined) {
    const purpose = FILE_PURPOSE[command];
    if (purpose !== undefined) return `Missing <file>: ${purpose}`;
  }
  const missing = /^Missing required arguments?: (.+)$/.exec(message);
  if (missing) {
    return (missing[1] as string)
      .split(', ')
      .map((name) => `Missing --${name}${PURPOSE[name] ? `: ${PURPOSE[name]}` : ''}`)
      .join('; ');
  }
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown) {
    const names = (unknown[1] as string).split(', ');
    const known = flagNames(kinds);
    return names
      .map((name) => {
        // A short flag (-z) as typed; anything else is a word the command takes no place for.
        const short = argv.some((arg) => /^-[^-]/.test(arg) && arg.slice(1).split('=')[0]?.includes(name));
        if (short && name.length === 1) return `Unknown flag -${name}`;
        // A letter or two is too short to guess from.
        const close = name.length > 2 ? suggest(name, known) : undefined;
        return `Unexpected argument ${name}${close === undefined ? '' : `; did you mean --${close}?`}`;
      })
      .join('; ');
  }
  return message;
}
