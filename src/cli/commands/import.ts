import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { EncodingOption } from '../../csv/index.js';
import { runImport } from '../../import/index.js';
import type { ImportMode, ImportOptions, ImportSummary } from '../../import/index.js';
import { loadMapping } from '../../mapping/index.js';
import {
  buildClientOptions,
  connectionOptions,
  createProgress,
  interruptSignal,
  parseDelimiterFlag,
  shellQuote,
  type CliContext,
} from '../common.js';

interface ValidateArgs {
  file: string;
  mapping: string;
  object?: number | undefined;
  mode: ImportMode;
  results?: string | undefined;
  limit?: number | undefined;
  encoding: EncodingOption;
  delimiter: string;
  sheet?: string | undefined;
  'header-row'?: number | undefined;
  timezone?: string | undefined;
  json: boolean;
  quiet: boolean;
}

interface ImportArgs extends ValidateArgs {
  concurrency: number;
  rate: number;
  'dry-run': boolean;
  plan: boolean;
  resume: boolean;
  again: boolean;
  'max-failures'?: number | undefined;
  instance?: string | undefined;
  scopes?: string | undefined;
  verbose: boolean;
}

/** --limit as import and validate read it. */
const ROWS_LIMIT = {
  type: 'number',
  describe: 'Process only the first n data rows (a canary load)',
} as const;

/** Flags `import` and `validate` share. */
const inputOptions = {
  mapping: {
    type: 'string',
    demandOption: true,
    describe: 'Mapping file (.yaml, .yml or .json): CSV columns -> custom fields',
  },
  object: { type: 'number', describe: "Custom object id (overrides the mapping's object:)" },
  mode: {
    choices: ['create', 'update', 'upsert'] as const,
    default: 'create' as const,
    describe:
      'create: POST every row; update: PUT by the id column; upsert: PUT the record whose key matches, else POST',
  },
  results: { type: 'string', describe: 'Results CSV (default: <input>.results.csv beside the input)' },
  encoding: {
    choices: ['auto', 'utf8', 'utf16le', 'windows-1252'] as const,
    default: 'auto' as const,
    describe: 'Input encoding; auto honours a BOM and detects UTF-16 and non-UTF-8 bytes',
  },
  delimiter: {
    type: 'string',
    default: 'auto',
    describe: 'Column delimiter: auto, ",", ";", tab or "|" (auto sniffs the header line)',
  },
  sheet: { type: 'string', describe: 'For an .xlsx input: the worksheet to read (default: the first)' },
  'header-row': {
    type: 'number',
    describe:
      'The line (sheet row) holding the header; lines above it are skipped (default: 1, or the line below a title that holds the mapped columns)',
  },
} as const;

/** `coupa-csv import <file>`. */
export function importCommand(ctx: CliContext): CommandModule<object, ImportArgs> {
  return {
    command: 'import <file>',
    describe: 'Import a CSV file into a Coupa custom object',
    builder: (yargs: Argv) =>
      yargs
        .positional('file', { type: 'string', demandOption: true, describe: 'The CSV file to import' })
        .options({
          ...inputOptions,
          ...connectionOptions,
          limit: ROWS_LIMIT,
          'dry-run': {
            type: 'boolean',
            default: false,
            describe: 'Read, map and validate every row; send nothing',
          },
          resume: {
            type: 'boolean',
            default: false,
            describe:
              'Finish an interrupted run: rows already created/updated are carried over, not sent again',
          },
          again: {
            type: 'boolean',
            default: false,
            describe:
              'Create mode: run a file whose results file records a finished run, creating its rows once more',
          },
          'max-failures': {
            type: 'number',
            describe:
              'Stop sending once n rows have failed on the server (default: stop when the first 10 rows sent all fail)',
          },
          plan: {
            type: 'boolean',
            default: false,
            describe:
              'Read-only: look every row up and write what a run would do (would-create, would-update with _changes, unchanged); nothing is written to Coupa',
          },
        })
        .example('$0 import vendors.csv --mapping vendors.mapping.yaml', 'create one record per row')
        .example(
          '$0 import vendors.csv --mapping vendors.mapping.yaml --mode upsert',
          'update by key, else create',
        )
        .example('$0 import vendors.csv --mapping vendors.mapping.yaml --limit 5', 'a canary load of 5 rows')
        .example('$0 import vendors.csv --mapping vendors.mapping.yaml --resume', 'finish an interrupted run')
        .example(
          '$0 import vendors.csv --mapping vendors.mapping.yaml --mode upsert --plan',
          'what a reload would change, before it writes',
        )
        .example(
          '$0 import budget.csv --mapping budget.yaml --delimiter ";" --encoding windows-1252',
          'an Excel export',
        )
        .example(
          '$0 import vendors.csv --mapping m.yaml --instance https://acme.coupahost.com --json',
          'JSON summary',
        )
        .example('$0 import vendors.csv --mapping m.yaml --concurrency 4 --rate 10', 'go gently')
        .example(
          '$0 import vendors.csv --mapping m.yaml --timezone America/Los_Angeles --max-failures 100',
          "the instance's zone for dates; stop after 100 failed rows",
        ),
    handler: async (args) => {
      ctx.setExit(await handleImport(ctx, args, args['dry-run'], args));
    },
  };
}

/** Import flags that only matter when rows are sent: validate takes them and ignores them. */
const SENDING_FLAGS = [
  'instance',
  'scopes',
  'concurrency',
  'rate',
  'verbose',
  'dry-run',
  'again',
  'max-failures',
  'plan',
] as const;

/** `coupa-csv validate <file>`: `import --dry-run`, no connection needed. */
export function validateCommand(ctx: CliContext): CommandModule<object, ValidateArgs> {
  return {
    command: 'validate <file>',
    describe: 'Check a CSV file against a mapping without sending anything (import --dry-run)',
    builder: (yargs: Argv) =>
      yargs
        .positional('file', { type: 'string', demandOption: true, describe: 'The CSV file to check' })
        .options({
          ...inputOptions,
          timezone: connectionOptions.timezone,
          limit: ROWS_LIMIT,
          json: connectionOptions.json,
          quiet: connectionOptions.quiet,
          // Accepted, so that an import command line with validate in front of it still runs; they change nothing.
          ...Object.fromEntries(
            SENDING_FLAGS.map((flag) => [
              flag,
              {
                type:
                  flag === 'verbose' || flag === 'dry-run' || flag === 'again' || flag === 'plan'
                    ? 'boolean'
                    : 'string',
                hidden: true,
              },
            ]),
          ),
        })
        .example(
          '$0 validate vendors.csv --mapping vendors.mapping.yaml',
          'results say valid/invalid per row',
        )
        .example('$0 validate budget.csv --mapping budget.yaml --mode update --json', 'check an update file'),
    handler: async (args) => {
      ctx.setExit(await handleImport(ctx, args, true, undefined));
    },
  };
}

/** Runs one import or validation and prints what the user needs; returns the exit code. */
async function handleImport(
  { io, argv }: CliContext,
  args: ValidateArgs,
  dryRun: boolean,
  connection: ImportArgs | undefined,
): Promise<number> {
  const env = io.env;
  const delimiter = parseDelimiterFlag(args.delimiter);
  const mapping = await loadMapping(args.mapping);
  // The mapping's zone is the core's default; with none set at all, the import checks the instance's offset.
  const timezone = args.timezone ?? env.COUPA_TIMEZONE;
  const showSummary = !args.quiet && !args.json;
  const progress = createProgress(
    io,
    showSummary,
    '  {bar} {value}/{total} rows | {speed} rows/s | {failed} failed | ETA {eta_formatted}',
  );

  const options: ImportOptions = {
    file: args.file,
    mapping,
    mode: args.mode,
    dryRun,
    resume: connection?.resume === true,
    ...(!dryRun && connection?.plan === true ? { plan: true } : {}),
    encoding: args.encoding,
    delimiter,
    ...(timezone !== undefined ? { timezone } : {}),
    ...(args.object !== undefined ? { objectId: args.object } : {}),
    ...(args.results !== undefined ? { results: args.results } : {}),
    ...(args.limit !== undefined ? { limit: args.limit } : {}),
    ...(args.sheet !== undefined ? { sheet: args.sheet } : {}),
    ...(args['header-row'] !== undefined ? { headerRow: args['header-row'] } : {}),
  };
  if (!dryRun && connection) {
    options.clientOptions = buildClientOptions(connection, io);
    options.concurrency = connection.concurrency;
    options.rate = connection.rate;
    options.again = connection.again;
    if (connection['max-failures'] !== undefined) options.maxFailures = connection['max-failures'];
  }

  let started = false;
  const startedAt = Date.now();
  const interrupt = interruptSignal(
    io,
    (sig) => {
      progress.stop();
      io.stderr.write(
        `\ncoupa-csv: ${sig}: stopping; letting the requests in flight finish and writing the results (press Ctrl-C again to stop at once)\n`,
      );
    },
    'finish the job with the same command and --resume',
  );
  options.signal = interrupt.signal;
  let summary: ImportSummary;
  try {
    summary = await runImport(options, {
      // Only when a bar is drawn: the core then builds no progress object per row.
      onProgress: !progress.enabled
        ? undefined
        : (p) => {
            if (p.total === undefined) return;
            if (!started) {
              progress.start(p.total, { failed: 0, speed: '0.0' });
              started = true;
            }
            const seconds = (Date.now() - startedAt) / 1000;
            progress.update(p.done, {
              failed: p.failed + p.invalid,
              speed: seconds > 0 ? (p.done / seconds).toFixed(1) : '0',
            });
          },
      onNotice: (message) => {
        if (started) progress.stop();
        io.stderr.write(`coupa-csv: ${message}\n`);
      },
    });
  } finally {
    progress.stop();
    interrupt.dispose();
  }

  if (args.json) {
    io.stdout.write(JSON.stringify(summary) + '\n');
  } else if (!args.quiet) {
    io.stderr.write(formatSummary(summary));
  }
  if (summary.stopped?.code === 'TIMEZONE') {
    const zone = summary.stopped.zones?.[0];
    io.stderr.write(
      `coupa-csv: set the instance's time zone${zone ? ` (e.g. --timezone ${zone}, or another zone of the list above)` : ''}, then finish the job (this also corrects the record stored first) with:\n  ${resumeCommand(argv, zone)}\n`,
    );
  } else if (summary.stopped && summary.stopped.exitCode === 3) {
    io.stderr.write(`coupa-csv: to finish the job, run:\n  ${resumeCommand(argv)}\n`);
  } else if (summary.stopped?.code === 'TOO_MANY_FAILURES') {
    io.stderr.write(
      `coupa-csv: after fixing the cause (the mapping, or the data: see the most common error above), finish the job with:\n  ${resumeCommand(argv)}\n`,
    );
  } else if (summary.stopped) {
    io.stderr.write(`coupa-csv: after fixing the mapping, finish the job with:\n  ${resumeCommand(argv)}\n`);
  }
  if (summary.stopped) return summary.stopped.exitCode;
  return summary.failed + summary.invalid > 0 ? 1 : 0;
}

const ENCODING_NAMES: Record<ImportSummary['encoding'], string> = {
  utf8: 'UTF-8',
  'utf8-bom': 'UTF-8 with BOM',
  utf16le: 'UTF-16 LE',
  utf16be: 'UTF-16 BE',
  'windows-1252': 'Windows-1252',
  xlsx: 'Excel workbook',
};

/** The human summary printed on stderr. */
export function formatSummary(s: ImportSummary): string {
  const delimiter = s.delimiter === '\t' ? 'tab' : `"${s.delimiter}"`;
  const lines: string[] = [];
  const what = s.dryRun ? 'validation' : s.plan ? `plan (${s.mode}; nothing written)` : `import (${s.mode})`;
  const state = s.stopped ? (s.interrupted ? 'stopped early' : 'stopped sending') : 'done';
  lines.push(`coupa-csv: ${what} of ${path.basename(s.file)} into object ${s.object}: ${state}`);
  lines.push(
    s.encoding === 'xlsx'
      ? `  input:     ${ENCODING_NAMES[s.encoding]}, sheet ${JSON.stringify(s.sheet ?? '')}`
      : `  input:     ${ENCODING_NAMES[s.encoding]}, delimiter ${delimiter}, ${s.lineEnding} line endings`,
  );
  lines.push(`  rows read: ${s.rows}`);
  if (s.dryRun) {
    lines.push(`  valid:     ${s.valid}`);
    lines.push(`  invalid:   ${s.invalid}`);
  } else if (s.plan) {
    lines.push(`  would create: ${s.wouldCreate}`);
    lines.push(`  would update: ${s.wouldUpdate}`);
    lines.push(`  unchanged:    ${s.unchanged}`);
    lines.push(`  invalid:      ${s.invalid}`);
    lines.push(`  failed:       ${s.failed}`);
  } else {
    lines.push(`  created:   ${s.created}`);
    lines.push(`  updated:   ${s.updated}`);
    if (s.unchanged > 0)
      lines.push(`  unchanged: ${s.unchanged} (nothing sent: the record already held every value)`);
    const details = [
      ...(s.notSent > 0 ? [`${s.notSent} not sent`] : []),
      ...(s.unknown > 0 ? [`${s.unknown} with an unknown outcome`] : []),
    ];
    lines.push(`  failed:    ${s.failed}${details.length > 0 ? ` (${details.join(', ')})` : ''}`);
    if (s.skipped > 0) lines.push(`  carried over from the previous run: ${s.skipped}`);
    if (s.topError)
      lines.push(
        `  most common error (${s.topError.rows} of ${s.serverFailed} failed on the server): ${s.topError.message}`,
      );
    lines.push(`  retries:   ${s.retries}, throttled responses: ${s.throttled}`);
  }
  lines.push(`  elapsed:   ${(s.elapsedMs / 1000).toFixed(1)} s (${s.rowsPerSecond} rows/s)`);
  lines.push(`  results:   ${s.resultsXlsx ?? s.results}`);
  if (s.resultsXlsx !== undefined) lines.push(`             (and ${s.results}, which --resume reads)`);
  if (s.stopped) lines.push(`  stopped:   ${s.stopped.message}`);
  return lines.join('\n') + '\n';
}

/** The command line of this run with --resume (and `timezone`, when given) added, quoted for a POSIX shell. */
function resumeCommand(given: readonly string[], timezone?: string): string {
  // --resume does not take --limit (rows past it would drop out of the results): the resume finishes every row.
  const argv = given.filter(
    (arg, i) => arg !== '--limit' && !arg.startsWith('--limit=') && given[i - 1] !== '--limit',
  );
  const args = argv.includes('--resume') ? argv : [...argv, '--resume'];
  if (timezone !== undefined && !argv.some((a) => a === '--timezone' || a.startsWith('--timezone=')))
    args.push('--timezone', timezone);
  const command = ['coupa-csv', ...args].map(shellQuote).join(' ');
  return argv.length < given.length ? `${command}   # every row: --resume does not take --limit` : command;
}
