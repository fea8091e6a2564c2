import type { Argv, CommandModule } from 'yargs';
import type { CoupaClient } from '../../coupa/index.js';
import type { EncodingOption } from '../../csv/index.js';
import type { InitMappingResult } from '../../mapping-init/index.js';
import { ConfigError, UsageError } from '../../shared/index.js';
import { buildClientOptions, connectionOptions, parseDelimiterFlag, type CliContext } from '../common.js';
import type { CliIo } from '../io.js';

interface MappingInitArgs {
  file: string;
  out?: string | undefined;
  object?: number | undefined;
  force: boolean;
  encoding: EncodingOption;
  delimiter: string;
  sample: number;
  instance?: string | undefined;
  scopes?: string | undefined;
  verbose: boolean;
}

const EPILOG = [
  'Without --object, or with no instance set (--instance or COUPA_INSTANCE), nothing is sent: the field names are ' +
    'made from the headers (Vendor Name -> vendor-name) and the time zone is left for you to set.',
  '',
  "With --object and an instance set, it reads a page or two of the object's records (read-only, as " +
    '`coupa-csv fields` does), matches each header to a real field (ignoring case, accents, -, _, spaces and word ' +
    'order), takes the type from the field, fills in timezone: from the offset the instance reports, and marks ' +
    'every header that matches no field "# CHECK: no field matches". Credentials missing: exit 2. Credentials ' +
    'refused: exit 3. An instance that cannot be reached: the guess from the file alone, with a notice.',
].join('\n');

const { instance, scopes, verbose } = connectionOptions;

/** `coupa-csv mapping init <file>`: a mapping skeleton from a CSV header, types guessed from the first rows. */
export function mappingCommand({ io, setExit }: CliContext): CommandModule<object, MappingInitArgs> {
  return {
    command: 'mapping init <file>',
    describe: 'Write a mapping file skeleton from a CSV header, with a type guessed for each column',
    builder: (yargs: Argv) =>
      yargs
        .positional('file', {
          type: 'string',
          demandOption: true,
          describe: 'The CSV file to read the header from',
        })
        .options({
          out: {
            type: 'string',
            describe: 'Write the mapping to this file (.yaml, or .json for JSON) instead of stdout',
          },
          object: {
            type: 'number',
            describe:
              'Custom object id to put in the mapping; with an instance set, its fields are read and matched to the headers',
          },
          force: { type: 'boolean', default: false, describe: 'Overwrite --out if it exists' },
          encoding: {
            choices: ['auto', 'utf8', 'utf16le', 'windows-1252'] as const,
            default: 'auto' as const,
            describe: 'Input encoding',
          },
          delimiter: {
            type: 'string',
            default: 'auto',
            describe: 'Column delimiter: auto, ",", ";", tab or "|"',
          },
          sample: { type: 'number', default: 50, describe: 'Rows read to guess the column types' },
          instance,
          scopes,
          verbose,
        })
        .example('$0 mapping init vendors.csv', 'print a mapping skeleton')
        .example('$0 mapping init vendors.csv --object 101 --out vendors.mapping.yaml', 'write it to a file')
        .example(
          'COUPA_INSTANCE=https://acme.coupahost.com $0 mapping init vendors.csv --object 101',
          "match the headers to object 101's fields (with COUPA_CLIENT_ID and COUPA_CLIENT_SECRET set)",
        )
        .epilog(EPILOG),
    handler: async (args) => {
      // yargs reads the word after `mapping` as an argument named `init`: only `init` itself is a command.
      const sub = (args as { init?: unknown }).init;
      if (sub !== 'init') {
        throw new UsageError(
          `unknown command "mapping ${String(sub)}": the mapping command is "mapping init <file>"`,
        );
      }
      const result = await runInit(args, io);
      if (result.out === undefined) {
        io.stdout.write(result.text);
      } else {
        io.stderr.write(
          `coupa-csv: wrote ${result.out} (${result.columns} columns); ` +
            // Without an object id the validate suggested next would stop at "no custom object id".
            (args.object === undefined ? 'set `object:` in it to the custom object id, ' : '') +
            `check ${checksToDo(result)}, then run coupa-csv validate ${args.file} --mapping ${result.out}\n`,
        );
      }
      setExit(0);
    },
  };
}

/** The use case with a client when --object is given and an instance is set; notices go to stderr. */
async function runInit(args: MappingInitArgs, io: CliIo): Promise<InitMappingResult> {
  const { initMapping } = await import('../../mapping-init/index.js');
  const notice = (message: string): void => {
    io.stderr.write(`coupa-csv: ${message}\n`);
  };
  const base = {
    file: args.file,
    out: args.out,
    object: args.object,
    force: args.force,
    encoding: args.encoding,
    delimiter: parseDelimiterFlag(args.delimiter),
    sample: args.sample,
    onNotice: notice,
  };
  const instanceSet = (args.instance ?? io.env.COUPA_INSTANCE ?? '').trim() !== '';
  if (args.object === undefined || !instanceSet) {
    const result = await initMapping(base);
    if (args.object !== undefined) {
      notice(
        `no instance set (--instance or COUPA_INSTANCE): nothing was read from object ${args.object}; the field ` +
          'names were made from the headers and the time zone is not set',
      );
    }
    return result;
  }
  let client: CoupaClient;
  try {
    const clientOptions = buildClientOptions(
      { ...args, concurrency: 2, rate: 20, json: false, quiet: false },
      io,
    );
    // Loaded on use: the HTTP client is not needed without an instance.
    const { createClient } = await import('../../coupa/index.js');
    client = createClient(clientOptions);
  } catch (error) {
    // The instance is set, so the user meant to read the object: say how to either connect or not.
    if (error instanceof ConfigError && error.code === 'CREDENTIALS_MISSING') {
      throw new ConfigError(
        `${error.message}. mapping init --object reads the object's fields from the instance; to guess the ` +
          'mapping from the file alone, leave out --instance and unset COUPA_INSTANCE',
        error.code,
      );
    }
    throw error;
  }
  try {
    const result = await initMapping({ ...base, client });
    if (result.source === 'instance') notice(summarize(args.object, result));
    return result;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** `object 101: 9 of 11 columns matched to its fields; 2 marked "# CHECK": Foo, Bar. timezone: ...` */
function summarize(object: number, result: InitMappingResult): string {
  const mapped = result.mapped.filter((c) => c.field !== undefined);
  const checks = mapped.filter((c) => c.check !== undefined);
  const unmatched = checks.filter((c) => c.check?.startsWith('no field matches'));
  const parts = [
    `object ${object}: ${mapped.length - unmatched.length} of ${mapped.length} columns matched to its fields`,
  ];
  if (unmatched.length > 0)
    parts.push(`no field matches ${unmatched.map((c) => JSON.stringify(c.header)).join(', ')}`);
  if (checks.length > 0) parts.push(`${checks.length} marked "# CHECK"`);
  parts.push(
    result.timezone === undefined
      ? 'the time zone could not be read: set timezone: before dates are imported'
      : `timezone: ${result.timezone} from the offset the instance reports (confirm it)`,
  );
  return parts.join('; ');
}

/** What the user should check in the written mapping. */
function checksToDo(result: InitMappingResult): string {
  const checks = result.mapped.filter((c) => c.check !== undefined).length;
  if (result.source === 'instance')
    return checks > 0 ? `the ${checks} lines marked "# CHECK" and the timezone:` : 'the timezone:';
  return 'the field names and types';
}
