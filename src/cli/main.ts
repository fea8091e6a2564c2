import yargs, { type Argv, type ArgumentsCamelCase, type CommandModule } from 'yargs';
import { exportCommand } from './commands/export.js';
import { importCommand, validateCommand } from './commands/import.js';
import { mappingCommand } from './commands/mapping.js';
import { simCommand } from './commands/sim.js';
import { CliUsage, reportFatal } from './terminal.js';

/** Parses argv, runs one command, and returns the exit code (0-3, see SPEC). */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  // yargs lays out the whole help text right after it calls a command's handler, in case the handler fails later
  // (ours report their own failures): about 30 ms of every run. So yargs gets each command without its handler: it
  // parses and validates, the builder of the command given notes its handler, and main calls it with the result.
  let chosen: ((args: ArgumentsCamelCase) => void | Promise<void>) | undefined;
  const register = <U>(y: Argv, cmd: CommandModule<object, U>): Argv =>
    y.command(cmd.command as string, cmd.describe as string, (inner: Argv) => {
      chosen = cmd.handler as (args: ArgumentsCamelCase) => void | Promise<void>;
      return (cmd.builder as (y: Argv) => Argv)(inner);
    });
  try {
    let cli = yargs(argv)
      .scriptName('coupa-csv')
      .usage('$0 <command> [options]\n\nLoad CSV files into Coupa Custom Objects and export them back.');
    cli = register(cli, importCommand(setExit));
    cli = register(cli, validateCommand(setExit));
    cli = register(cli, exportCommand(setExit));
    cli = register(cli, mappingCommand(setExit));
    cli = register(cli, simCommand(setExit));
    const parsed = await cli
      .demandCommand(1, 'Name a command: import, validate, export, mapping init or sim.')
      .strict()
      .recommendCommands()
      .epilog(
        'Credentials come from COUPA_CLIENT_ID / COUPA_CLIENT_SECRET (or COUPA_API_KEY), never from flags.',
      )
      .wrap(Math.min(110, process.stdout.columns || 100))
      .exitProcess(false)
      .fail((msg, err) => {
        // yargs usage errors: exit 2 with the message; an error thrown while parsing (a coerce) passes through.
        if (err) throw err;
        throw new CliUsage(msg);
      })
      .parseAsync();
    // --help and --version print and stop; anything else ran through a command's builder.
    if (!parsed.help && !parsed.version) await chosen?.(parsed);
  } catch (error) {
    return reportFatal(error);
  }
  return exitCode;
}
