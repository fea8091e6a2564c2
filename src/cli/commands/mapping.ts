import type { Argv, CommandModule } from 'yargs';
import type { EncodingOption } from '../../csv/index.js';
import { initMapping } from '../../mapping/index.js';
import { UsageError } from '../../shared/index.js';
import { parseDelimiterFlag, type CliContext } from '../common.js';

interface MappingInitArgs {
  file: string;
  out?: string | undefined;
  object?: number | undefined;
  force: boolean;
  encoding: EncodingOption;
  delimiter: string;
  sample: number;
}

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
          object: { type: 'number', describe: 'Custom object id to put in the mapping' },
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
        })
        .example('$0 mapping init vendors.csv', 'print a mapping skeleton')
        .example('$0 mapping init vendors.csv --object 101 --out vendors.mapping.yaml', 'write it to a file'),
    handler: async (args) => {
      // yargs reads the word after `mapping` as an argument named `init`: only `init` itself is a command.
      const sub = (args as { init?: unknown }).init;
      if (sub !== 'init') {
        throw new UsageError(
          `unknown command "mapping ${String(sub)}": the mapping command is "mapping init <file>"`,
        );
      }
      const result = await initMapping({
        file: args.file,
        out: args.out,
        object: args.object,
        force: args.force,
        encoding: args.encoding,
        delimiter: parseDelimiterFlag(args.delimiter),
        sample: args.sample,
      });
      if (result.out === undefined) {
        io.stdout.write(result.text);
      } else {
        io.stderr.write(
          `coupa-csv: wrote ${result.out} (${result.columns} columns); ` +
            // Without an object id the validate suggested next would stop at "no custom object id".
            (args.object === undefined ? 'set `object:` in it to the custom object id, ' : '') +
            `check the field names and types, then run coupa-csv validate ${args.file} --mapping ${result.out}\n`,
        );
      }
      setExit(0);
    },
  };
}
