import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../../shared/index.js';
import type { DiscoverFieldsResult } from '../../fields/index.js';
import { checkObjectId } from '../../run/index.js';
import { buildClientOptions, connectionOptions, type CliContext } from '../common.js';
import type { CliIo } from '../io.js';

interface FieldsArgs {
  object?: number | undefined;
  json: boolean;
  instance?: string | undefined;
  scopes?: string | undefined;
  concurrency: number;
  rate: number;
  verbose: boolean;
}

const EPILOG = [
  'Reads the newest and the oldest page of records (at most 100 records, read-only) and shows each custom field ' +
    'with its type as the values show it: string, integer, decimal, boolean, date, datetime, or a reference ' +
    '(lookup, user, supplier) with the attributes it carries, which a mapping can name as by:. "blank in" counts ' +
    'the records read where the field is empty.',
  '',
  'An object with no records has nothing to learn from: find the names in Coupa under Setup > Custom Objects > ' +
    'the object > its fields.',
  '',
  'Exit codes: 0 listed (also for an object with no records); 2 bad flags or missing credentials; 3 credentials ' +
    'refused or instance unreachable.',
].join('\n');

const { instance, scopes, concurrency, rate, json, verbose } = connectionOptions;

/** `coupa-csv fields --object <id>`. */
export function fieldsCommand({ io, setExit }: CliContext): CommandModule<object, FieldsArgs> {
  return {
    command: 'fields',
    describe: "List a custom object's fields (names, types, an example) as its records show them",
    builder: (yargs: Argv) =>
      yargs
        .options({
          object: { type: 'number', describe: 'Custom object id' },
          instance,
          scopes,
          concurrency,
          rate,
          json: { ...json, describe: 'Print the fields as one JSON object on stdout' },
          verbose,
        })
        .example('$0 fields --object 101', 'the fields of object 101, one per line')
        .example('$0 fields --object 101 --json', 'the same as JSON')
        .epilog(EPILOG),
    handler: async (args) => {
      setExit(await handleFields(args, io));
    },
  };
}

async function handleFields(args: FieldsArgs, io: CliIo): Promise<number> {
  if (args.object === undefined)
    throw new UsageError('name the custom object: --object <id> (its number in Coupa)');
  checkObjectId(args.object);
  const clientOptions = buildClientOptions({ ...args, quiet: args.json }, io);
  // Loaded on use: the HTTP client is not needed for --help or a usage error.
  const { createClient } = await import('../../coupa/index.js');
  const { discoverFields, NO_RECORDS_HINT } = await import('../../fields/index.js');
  const client = createClient(clientOptions);
  let result: DiscoverFieldsResult;
  try {
    result = await discoverFields(client, args.object);
  } finally {
    await client.close().catch(() => undefined);
  }
  if (args.json) {
    const out = result.records === 0 ? { ...result, note: NO_RECORDS_HINT } : result;
    io.stdout.write(`${JSON.stringify(out)}\n`);
    return 0;
  }
  if (result.records === 0) {
    io.stdout.write(`Object ${result.objectId} has no records.\n${NO_RECORDS_HINT}\n`);
    return 0;
  }
  io.stdout.write(formatFields(result));
  return 0;
}

/** The table printed on stdout: one line per field. */
export function formatFields(result: DiscoverFieldsResult): string {
  const rows = result.fields.map((f) => [
    f.name,
    f.label,
    f.blankIn === 0 ? 'never' : `${f.blankIn} of ${result.records}`,
    f.exampleText === undefined ? '' : clip(f.exampleText, 40),
  ]);
  const header = ['field', 'type', 'blank in', 'example'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const lines = [
    `Object ${result.objectId}: ${result.fields.length} custom field${result.fields.length === 1 ? '' : 's'}, ` +
      `read from ${result.records} record${result.records === 1 ? '' : 's'}`,
    '',
    line(header),
    ...rows.map(line),
  ];
  return `${lines.join('\n')}\n`;
}

function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
