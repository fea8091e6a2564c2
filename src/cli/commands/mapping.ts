import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { Argv, CommandModule } from 'yargs';
import { openCsv } from '../../csv/index.js';
import type { EncodingOption } from '../../csv/types.js';
import { errorText, InputError, UsageError } from '../../shared/errors.js';
import { checkWritableFile } from '../../shared/files.js';
import { guessMapping } from '../../mapping/index.js';
import { parseDelimiterFlag } from '../common.js';

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
export function mappingCommand(setExit: (code: number) => void): CommandModule<object, MappingInitArgs> {
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
      if (!Number.isInteger(args.sample) || args.sample <= 0) {
        throw new UsageError(`--sample must be a positive whole number, got ${String(args.sample)}`);
      }
      if (args.object !== undefined && (!Number.isInteger(args.object) || args.object <= 0)) {
        throw new UsageError(`--object must be a positive whole number, got ${String(args.object)}`);
      }
      if (args.out !== undefined && !args.force && fs.existsSync(args.out)) {
        throw new InputError('EXISTS', 'already exists; pass --force to overwrite it', { file: args.out });
      }
      if (args.out !== undefined) checkWritableFile(args.out, 'mapping');
      const source = await openCsv(args.file, {
        encoding: args.encoding,
        delimiter: parseDelimiterFlag(args.delimiter),
      });
      const sample: string[][] = [];
      for await (const record of source.records()) {
        if (record.error === undefined) sample.push(record.cells);
        if (sample.length >= args.sample) break;
      }
      const yaml = guessMapping(
        source.header,
        sample,
        args.object !== undefined ? { object: args.object } : {},
      );
      if (args.out === undefined) {
        process.stdout.write(yaml.endsWith('\n') ? yaml : `${yaml}\n`);
      } else {
        // A .json mapping is read as JSON: the same mapping, without the comments.
        const text =
          path.extname(args.out).toLowerCase() === '.json'
            ? `${JSON.stringify(parse(yaml), null, 2)}\n`
            : yaml;
        try {
          fs.writeFileSync(args.out, text.endsWith('\n') ? text : `${text}\n`);
        } catch (error) {
          throw new InputError('OUTPUT', `cannot write the mapping: ${errorText(error)}`, { file: args.out });
        }
        process.stderr.write(
          `coupa-csv: wrote ${args.out} (${source.header.length} columns); ` +
            // Without an object id the validate suggested next would stop at "no custom object id".
            (args.object === undefined ? 'set `object:` in it to the custom object id, ' : '') +
            `check the field names and types, then run coupa-csv validate ${args.file} --mapping ${args.out}\n`,
        );
      }
      setExit(0);
    },
  };
}
