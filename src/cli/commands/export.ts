import { rmSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../shared/index.js';
import { FILTER_OPERATORS, parseFilters } from '../../export/filters.js';
import { planOutput } from '../../export/output.js';
import type { ExportFormat, ExportOptions, ExportSummary } from '../../export/index.js';
import { loadMapping } from '../../mapping/index.js';
import {
  buildClientOptions,
  connectionOptions,
  createProgress,
  interruptSignal,
  type CliContext,
} from '../common.js';
import type { CliIo } from '../io.js';

interface ExportArgs {
  object?: number | undefined;
  mapping?: string | undefined;
  out: string;
  filter?: string[] | undefined;
  state?: string | undefined;
  format: ExportFormat;
  gzip: boolean;
  bom: boolean;
  'excel-safe': boolean;
  excel: boolean;
  concurrency: number;
  rate: number;
  limit?: number | undefined;
  instance?: string | undefined;
  scopes?: string | undefined;
  timezone?: string | undefined;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
}

const EPILOG = [
  "Filters: --filter '<field>[<op>]=<value>' (repeatable, ANDed); <field>=<value> means equals. " +
    `Operators: ${FILTER_OPERATORS.join(', ')}; in/not_in take comma lists, blank takes true/false. ` +
    'Fields: id, created-at, updated-at or a custom field by name; a reference by one of its attributes: ' +
    'owner[login]=jdoe, cost-center[name]=Marketing.',
  '',
  'Records are paged by id (keyset, several id ranges at once) and written in id order: none is skipped or written ' +
    'twice while the data changes, and records created during the export are included if they exist when the last ' +
    'page is read. The file appears at --out only when complete (written to .<name>.<pid>.tmp beside it, then ' +
    'renamed); an interrupted export leaves nothing there. Without --mapping the columns are id, created-at, ' +
    'updated-at and every custom field; references are written by login (users), name (lookup values, suppliers) ' +
    'or id.',
  '',
  '--state keeps a watermark (the newest updated-at exported); the next run asks for records updated since the ' +
    'watermark minus 5 minutes, leaves out those it already wrote unchanged, and saves the new watermark only after ' +
    'the output is complete. A first run without the state file exports everything.',
  '',
  'Nightly export to a file share, run by cron (crontab: 30 2 * * * /usr/local/bin/export-vendors.sh):',
  '  #!/bin/sh',
  '  set -a; . /etc/coupa-csv/env; set +a   # COUPA_INSTANCE, COUPA_CLIENT_ID, COUPA_CLIENT_SECRET',
  '  exec coupa-csv export --object 101 --quiet --out /mnt/share/vendors-changes.csv \\',
  '    --state /var/lib/coupa-csv/vendors.state.json',
  '',
  'Exit codes: 0 export complete; 2 bad flags, mapping, filter or missing credentials (nothing sent); 3 aborted ' +
    '(authentication refused, interrupted, instance unreachable): nothing is written to --out.',
].join('\n');

/** `coupa-csv export`. */
export function exportCommand({ io, setExit }: CliContext): CommandModule<object, ExportArgs> {
  return {
    command: 'export',
    describe:
      'Export a custom object to CSV or JSONL (all records, filtered, or only those changed since last time)',
    builder: (yargs: Argv) =>
      yargs
        .options({
          object: { type: 'number', describe: "Custom object id (default: the mapping's object:)" },
          mapping: {
            type: 'string',
            describe: 'Mapping file: its column names and formats, so the file imports again with it',
          },
          out: { type: 'string', demandOption: true, describe: 'Output file, or - for stdout' },
          filter: {
            type: 'string',
            array: true,
            describe: "Coupa query argument '<field>[<op>]=<value>' (repeatable)",
          },
          state: {
            type: 'string',
            describe:
              'Incremental export: state file with the updated-at watermark (created on the first run)',
          },
          format: {
            choices: ['csv', 'jsonl', 'xlsx'] as const,
            default: 'csv' as const,
            describe: 'Output format (xlsx: one worksheet, typed cells: numbers, dates, booleans)',
          },
          gzip: { type: 'boolean', default: false, describe: 'Compress the output (gzip)' },
          bom: { type: 'boolean', default: false, describe: 'Start a CSV with a UTF-8 BOM (for Excel)' },
          'excel-safe': {
            type: 'boolean',
            default: false,
            describe: "Escape cells a spreadsheet would run as a formula (prefix ')",
          },
          excel: {
            type: 'boolean',
            default: false,
            describe:
              'A CSV for Excel: UTF-8 BOM, CRLF, formula escaping; with a mapping, ";" when a column has decimal: ","',
          },
          ...connectionOptions,
          limit: { type: 'number', describe: 'Export only the first n records (in id order)' },
        })
        .example('$0 export --object 101 --out vendors.csv', 'every record and field of object 101')
        .example(
          "$0 export --object 101 --out changed.csv --filter 'updated_at[gt_or_eq]=2026-01-01' --filter active=true",
          'active records changed this year',
        )
        .example(
          "$0 export --object 102 --out - --filter 'cost-center[name][in]=Marketing,Sales' | head",
          'stream to stdout',
        )
        .example(
          '$0 export --mapping budget.mapping.yaml --out budget.csv --excel',
          "for Excel in the mapping's formats; edit it, then import it with --mode upsert",
        )
        .example('$0 export --object 101 --out vendors.xlsx --format xlsx', 'an Excel workbook, typed cells')
        .example(
          '$0 export --object 101 --out vendors.jsonl.gz --format jsonl --gzip',
          'compressed JSON lines',
        )
        .example(
          '$0 export --object 101 --out delta.csv --state vendors.state.json',
          'only what changed since last run',
        )
        .example(
          '$0 export --object 101 --out sample.csv --limit 100 --json',
          'the first 100, JSON summary on stdout',
        )
        .middleware(takeDashAsOut, true)
        .epilog(EPILOG),
    handler: async (args) => {
      setExit(await handleExport(io, args));
    },
  };
}

/**
 * yargs reads `--out -` as an empty --out followed by a lone `-` argument (`--out=-` works); put the dash
 * back where it belongs, before validation (strict mode would call `-` an unknown argument).
 */
function takeDashAsOut(argv: Record<string, unknown>): void {
  const rest = argv._;
  if (argv.out === '' && Array.isArray(rest) && rest.includes('-')) {
    rest.splice(rest.indexOf('-'), 1);
    argv.out = '-';
  }
}

/** Runs one export and prints what the user needs; returns the exit code (errors are thrown to main). */
async function handleExport(io: CliIo, args: ExportArgs): Promise<number> {
  const env = io.env;
  if (args.json && args.out === '-') {
    throw new UsageError(
      '--json prints the summary on stdout, which --out - uses for the records: drop one of them',
    );
  }
  const filters = args.filter ?? [];
  parseFilters(filters); // a bad filter is a usage error even before credentials are looked at
  const mapping = args.mapping === undefined ? undefined : await loadMapping(args.mapping);
  // Given or not: the export notes date filters it reads in UTC because no zone was given at all.
  const timezone = args.timezone ?? env.COUPA_TIMEZONE;
  const client = buildClientOptions(args, io);
  const progress = createProgress(
    io,
    !args.quiet && !args.json,
    '  {value} records | {pages} pages | {speed} records/s',
  );
  let progressStarted = false;
  const startedAt = Date.now();

  // A second Ctrl-C exits at once (see interruptSignal): still remove the temporary file.
  const plan = args.out === '-' ? undefined : planOutput(args.out);
  const tmp = plan?.kind === 'replace' ? plan.temp : undefined;
  const removeTemp = (): void => {
    if (tmp) rmSync(tmp, { force: true });
  };
  const disposeExitHook = io.onExit(removeTemp);
  const interrupt = interruptSignal(
    io,
    (sig) => {
      progress.stop();
      io.stderr.write(`\ncoupa-csv: ${sig}: stopping the export; nothing will be written to ${args.out}\n`);
    },
    args.out === '-' ? 'the output on stdout is incomplete' : `nothing was written to ${args.out}`,
  );

  const options: ExportOptions = {
    out: args.out,
    client,
    filters,
    format: args.format,
    gzip: args.gzip,
    bom: args.bom,
    excelSafe: args['excel-safe'],
    excel: args.excel,
    concurrency: args.concurrency,
    rate: args.rate,
    ...(timezone === undefined ? {} : { timezone }),
    signal: interrupt.signal,
    ...(args.out === '-' ? { stdout: io.stdout } : {}),
    ...(args.object === undefined ? {} : { objectId: args.object }),
    ...(mapping === undefined ? {} : { mapping }),
    ...(args.state === undefined ? {} : { state: args.state }),
    ...(args.limit === undefined ? {} : { limit: args.limit }),
  };

  let summary: ExportSummary;
  try {
    // Loaded on use: the HTTP client is not needed for --help or a usage error.
    const { runExport } = await import('../../export/index.js');
    summary = await runExport(options, {
      onProgress: ({ records, pages }) => {
        if (!progressStarted) {
          progress.start(0, { pages: 0, speed: '0' });
          progressStarted = true;
        }
        const seconds = (Date.now() - startedAt) / 1000;
        progress.update(records, { pages, speed: seconds > 0 ? (records / seconds).toFixed(0) : '0' });
      },
      onNotice: (message) => {
        io.stderr.write(`${progressStarted ? '\n' : ''}coupa-csv: note: ${message}\n`);
      },
    });
  } finally {
    progress.stop();
    interrupt.dispose();
    disposeExitHook();
  }

  // The keys of import's summary too (SPEC: --json "as for import"), for scripts that read both: the records
  // written are its rows, none of them created, updated, failed or invalid, and the output is its results file.
  const asImport = {
    rows: summary.records,
    created: 0,
    updated: 0,
    failed: 0,
    invalid: 0,
    results: summary.out,
  };
  if (args.json) io.stdout.write(`${JSON.stringify({ ...asImport, ...summary })}\n`);
  else if (!args.quiet) io.stderr.write(formatExportSummary(summary));
  return 0;
}

/** The human summary printed on stderr. */
export function formatExportSummary(s: ExportSummary): string {
  const lines: string[] = [];
  lines.push(`coupa-csv: export done${s.truncated ? ` (stopped at --limit ${s.records})` : ''}`);
  lines.push(
    `  records:   ${s.records} (${s.pages} page${s.pages === 1 ? '' : 's'}, ${s.requests} request${s.requests === 1 ? '' : 's'})`,
  );
  if (s.repeats > 0) lines.push(`  unchanged since the last run, left out: ${s.repeats}`);
  lines.push(`  retries:   ${s.retries}, throttled responses: ${s.throttled}`);
  lines.push(`  elapsed:   ${(s.elapsedMs / 1000).toFixed(1)} s (${s.recordsPerSecond} records/s)`);
  lines.push(`  output:    ${s.out === '-' ? 'stdout' : s.out} (${s.format}, ${s.columns.length} columns)`);
  if (s.state !== undefined) lines.push(`  state:     ${s.state} (watermark ${s.watermark ?? 'none yet'})`);
  return `${lines.join('\n')}\n`;
}
