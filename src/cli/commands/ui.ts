import { spawn } from 'node:child_process';
import type { Argv, CommandModule } from 'yargs';
import { buildClientOptions, connectionOptions, type CliContext } from '../common.js';
import type { CliIo } from '../io.js';

interface UiArgs {
  port: number;
  open: boolean;
  instance?: string | undefined;
  scopes?: string | undefined;
  timezone?: string | undefined;
  concurrency: number;
  rate: number;
  verbose: boolean;
}

const { instance, scopes, timezone, concurrency, rate, verbose } = connectionOptions;

/** `coupa-csv ui`: the local web page. */
export function uiCommand({ io, setExit }: CliContext): CommandModule<object, UiArgs> {
  return {
    command: 'ui',
    describe: 'Open a local web page to import and export spreadsheets without the terminal',
    builder: (yargs: Argv) =>
      yargs
        .options({
          port: { type: 'number', default: 0, describe: 'Port on 127.0.0.1 (0: any free port)' },
          open: {
            type: 'boolean',
            default: true,
            describe: 'Open the page in the browser (--no-open: only print its link)',
          },
          instance,
          scopes,
          timezone,
          concurrency,
          rate,
          verbose,
        })
        .example('$0 ui', 'start the page and open it in the browser')
        .example('$0 ui --no-open --port 8377', 'print the link only, on a fixed port')
        .epilog(
          'The page listens on 127.0.0.1 only. The printed link holds a random token: only a browser that opened it ' +
            'can use the page. Credentials stay in this process (COUPA_CLIENT_ID / COUPA_CLIENT_SECRET); the page ' +
            'shows the instance host only. Stop it with Ctrl-C: a running import stops as with the CLI, and the ' +
            "page's temporary files are removed.",
        ),
    handler: async (args) => {
      setExit(await handleUi(args, io));
    },
  };
}

async function handleUi(args: UiArgs, io: CliIo): Promise<number> {
  const clientOptions = buildClientOptions({ ...args, json: false, quiet: false }, io);
  const tz = args.timezone ?? io.env.COUPA_TIMEZONE;
  const { startUiServer } = await import('../../ui/index.js');
  const server = await startUiServer({
    clientOptions,
    port: args.port,
    ...(tz === undefined ? {} : { timezone: tz }),
  });
  io.stdout.write(`${server.url}\n`);
  io.stderr.write(
    `coupa-csv: the page for ${new URL(clientOptions.instance).host} is at the link above (keep it private: it opens the page). Ctrl-C stops it.\n`,
  );
  if (args.open) openBrowser(server.url);
  await new Promise<void>((done) => {
    const dispose = io.onSignal(() => {
      dispose();
      io.stderr.write('\ncoupa-csv: stopping the page\n');
      done();
    });
  });
  await server.close();
  return 0;
}

/** Opens the link with the desktop's browser; when none can be started the printed link is enough. */
function openBrowser(url: string): void {
  const [cmd, ...rest] =
    process.platform === 'darwin'
      ? ['open']
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""']
        : ['xdg-open'];
  try {
    const child = spawn(cmd, [...rest, url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener on this system: the user opens the printed link.
  }
}
