import yargs from 'yargs';
import { exportCommand } from './commands/export.js';
import { fieldsCommand } from './commands/fields.js';
import { importCommand, validateCommand } from './commands/import.js';
import { mappingCommand } from './commands/mapping.js';
import { simCommand } from './commands/sim.js';
import { checkParsedFlags, checkRawFlags, type FlagKinds } from './common.js';
import { CliUsage, reportFatal } from './terminal.js';

/** Parses argv, runs one command, and returns the exit code (0-3, see SPEC). */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  try {
    const cli = yargs(argv);
    await cli
      .scriptName('coupa-csv')
      .usage('$0 <command> [options]\n\nLoad CSV files into Coupa Custom Objects and export them back.')
      .command(importCommand(setExit))
      .command(validateCommand(setExit))
      .command(exportCommand(setExit))
      .command(mappingCommand(setExit))
      .command(fieldsCommand(setExit))
      .command(simCommand(setExit))
      .middleware((parsed) => {
        // The options of the command being run (yargs keeps them on the one instance).
        checkRawFlags(argv, (cli as unknown as { getOptions(): FlagKinds }).getOptions());
        checkParsedFlags(parsed);
      }, true)
      .example('$0 sim', 'start the local simulator; it prints the three variables to export')
      .example(
        '$0 mapping init vendors.csv --object 101 --out vendors.mapping.yaml',
        'a mapping skeleton to edit',
      )
      .example('$0 validate vendors.csv --mapping vendors.mapping.yaml', 'check every row; sends nothing')
      .example('$0 import vendors.csv --mapping vendors.mapping.yaml --limit 5', 'a canary load of 5 rows')
      .example('$0 import vendors.csv --mapping vendors.mapping.yaml --mode upsert --resume', 'then the rest')
      .example(
        '$0 export --mapping vendors.mapping.yaml --out vendors-export.csv',
        'export what the mapping maps',
      )
      .demandCommand(1, 'Name a command: import, validate, export, fields, mapping init or sim.')
      .strict()
      .recommendCommands()
      .epilog(
        'Credentials come from COUPA_CLIENT_ID / COUPA_CLIENT_SECRET (or COUPA_API_KEY), never from flags.',
      )
      .wrap(Math.min(110, process.stdout.columns || 100))
      .exitProcess(false)
      .fail((msg, err) => {
        // yargs usage errors: exit 2 with the message; errors thrown by handlers pass through.
        if (err) throw err;
        throw new CliUsage(msg);
      })
      .parseAsync();
  } catch (error) {
    return reportFatal(error);
  }
  return exitCode;
}
