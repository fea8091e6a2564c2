import yargs from 'yargs';
import { exportCommand } from './commands/export.js';
import { fieldsCommand } from './commands/fields.js';
import { importCommand, validateCommand } from './commands/import.js';
import { mappingCommand } from './commands/mapping.js';
import { simCommand } from './commands/sim.js';
import { uiCommand } from './commands/ui.js';
import { checkParsedFlags, checkRawFlags, type CliContext } from './common.js';
import { checkUnknownFlags, commandOf, explainUsageError, type KnownFlags } from './flags.js';
import { processIo, type CliIo } from './io.js';
import { CliUsage, reportFatal } from './terminal.js';

/**
 * Parses argv, runs one command, and returns the exit code (0-3, see SPEC). Everything it needs from the process
 * comes through `io` (streams, environment, TTY, signals, exit): a test runs a whole command in-process.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), processIo());
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const context: CliContext = {
    io,
    argv,
    setExit: (code) => {
      exitCode = code;
    },
  };
  const command = commandOf(argv);
  try {
    const cli = yargs([...argv]);
    const optionsOfCommand = (): KnownFlags => (cli as unknown as { getOptions(): KnownFlags }).getOptions();
    // With a parse callback yargs hands over what it would print (help, version) instead of printing it.
    let output = '';
    await cli
      .scriptName('coupa-csv')
      .usage('$0 <command> [options]\n\nLoad CSV files into Coupa Custom Objects and export them back.')
      .command(importCommand(context))
      .command(validateCommand(context))
      .command(exportCommand(context))
      .command(mappingCommand(context))
      .command(fieldsCommand(context))
      .command(simCommand(context))
      .command(uiCommand(context))
      .middleware((parsed) => {
        // The options of the command being run (yargs keeps them on the one instance).
        checkUnknownFlags(argv, optionsOfCommand());
        checkRawFlags(argv, optionsOfCommand());
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
      .demandCommand(1, 'Name a command: import, validate, export, fields, mapping init, sim or ui.')
      .strict()
      .recommendCommands()
      .epilog(
        'Credentials come from COUPA_CLIENT_ID / COUPA_CLIENT_SECRET (or COUPA_API_KEY), never from flags.',
      )
      .wrap(Math.min(110, io.columns || 100))
      .exitProcess(false)
      .fail((msg, err) => {
        // yargs usage errors: exit 2 with the message; errors thrown by handlers pass through.
        if (err) throw err;
        throw new CliUsage(explainUsageError(msg, argv, command, optionsOfCommand()));
      })
      .parseAsync([...argv], {}, (_error, _parsed, text) => {
        output = text;
      });
    if (output !== '') io.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
  } catch (error) {
    return reportFatal(error, io, command);
  }
  return exitCode;
}
