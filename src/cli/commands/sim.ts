import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { InputError, UsageError } from '../../shared/errors.js';
import type { SimConfig, SimulatorOptions } from '../../sim/index.js';
import { shellQuote, type CliContext } from '../common.js';

interface SimArgs {
  port: number;
  host: string;
  config?: string | undefined;
  rate: number;
  burst: number;
  latency: number;
  'error-rate': number;
  'drop-after-store': number;
  'drop-before-store': number;
  'extra-429': number;
  seed: number;
  'token-lifetime': number;
  timezone?: string | undefined;
  'retry-after': boolean;
  'retry-after-mixed': boolean;
  json: boolean;
}

/** `coupa-csv sim`: runs the local Coupa simulator until SIGINT/SIGTERM. */
export function simCommand({ io, setExit }: CliContext): CommandModule<object, SimArgs> {
  return {
    command: 'sim',
    describe: 'Start the local Coupa simulator and print its URL and demo credentials',
    builder: (yargs: Argv) =>
      yargs
        .option('port', { type: 'number', default: 0, describe: 'Port to listen on (0 = any free port)' })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
        .option('config', {
          type: 'string',
          describe:
            'Simulator config (JSON: objects, fields, lookups, users, suppliers) [default: samples/sim-config.json]',
        })
        .option('rate', {
          type: 'number',
          default: 25,
          describe: 'Requests per second let through (0 = no limit)',
        })
        .option('burst', {
          type: 'number',
          default: 20,
          describe: 'Requests queued over the rate before 429',
        })
        .option('latency', {
          type: 'number',
          default: 0,
          describe:
            'Response time of every /api request, in ms: answered on average that long after it arrives, processing included',
        })
        .option('error-rate', {
          type: 'number',
          default: 0,
          describe: 'Fraction (0-1) of requests answered 500/502/503',
        })
        .option('drop-after-store', {
          type: 'number',
          default: 0,
          describe: 'Fraction of creates/updates stored, then the connection dropped without an answer',
        })
        .option('drop-before-store', {
          type: 'number',
          default: 0,
          describe: 'Fraction of creates/updates whose connection is dropped before storing',
        })
        .option('extra-429', {
          type: 'number',
          default: 0,
          describe: 'Fraction of requests answered 429 anyway',
        })
        .option('seed', {
          type: 'number',
          default: 1,
          describe: 'Seed of the fault PRNG (same seed, same faults)',
        })
        .option('token-lifetime', {
          type: 'number',
          default: 86399,
          describe: 'OAuth token lifetime in seconds',
        })
        .option('timezone', {
          type: 'string',
          describe:
            "The instance's IANA time zone for datetimes [default: the config's, else America/Los_Angeles]",
        })
        .option('retry-after', {
          type: 'boolean',
          default: true,
          describe: 'Send Retry-After: 1 with 429 answers (--no-retry-after: never)',
        })
        .option('retry-after-mixed', {
          type: 'boolean',
          default: false,
          describe: 'Send Retry-After on about half of the 429 answers',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'Print one JSON line {url, clientId, clientSecret, scopes} instead of text',
        })
        .example(
          '$0 sim --port 8080 --rate 10 --error-rate 0.05 --seed 7',
          'A slow, flaky instance on port 8080',
        )
        .example('$0 sim --json', 'Print {"url": ..., "clientId": ..., ...} for scripts'),
    handler: async (args: ArgumentsCamelCase<SimArgs>) => {
      // Loaded on use, so that other commands do not pay for the simulator at start-up.
      const sim_ = await import('../../sim/index.js');
      const configPath = args.config ?? sim_.defaultSimConfigPath();
      let config: SimConfig;
      try {
        config = await sim_.loadSimConfig(configPath);
      } catch (error) {
        if (error instanceof sim_.SimConfigError) throw new InputError('SIM_CONFIG', error.message);
        throw error;
      }
      const options: SimulatorOptions = {
        port: args.port,
        host: args.host,
        config,
        rate: args.rate,
        burst: args.burst,
        latencyMs: args.latency,
        retryAfter: args['retry-after-mixed'] ? 'mixed' : args['retry-after'],
        tokenLifetimeS: args['token-lifetime'],
        faults: {
          error5xx: args['error-rate'],
          extra429: args['extra-429'],
          dropAfterStore: args['drop-after-store'],
          dropBeforeStore: args['drop-before-store'],
          seed: args.seed,
        },
        ...(args.timezone !== undefined ? { timezone: args.timezone } : {}),
      };
      let sim;
      try {
        sim = await sim_.startSimulator(options);
      } catch (error) {
        if (error instanceof RangeError)
          throw new UsageError(flagNames(error.message.replace(/^simulator: /, '')));
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
          const why =
            code === 'EADDRINUSE'
              ? 'the port is in use'
              : code === 'EACCES'
                ? 'not allowed (ports below 1024 need privileges)'
                : 'this machine has no such address';
          throw new UsageError(
            `cannot listen on ${args.host}:${args.port}: ${why} (${code}); pick another --port (0 = any free port) or --host`,
          );
        }
        throw error;
      }
      if (args.json) {
        io.stdout.write(
          `${JSON.stringify({ url: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, scopes: sim.scopes })}\n`,
        );
      } else {
        const objects = config.objects.map((o) => `${o.id} ${o.code}`).join(', ');
        // The simulator's own demo secret: this is the one place it is printed.
        io.stdout.write(
          [
            `Coupa simulator listening on ${sim.url}`,
            `  client id:     ${sim.clientId}`,
            `  client secret: ${sim.clientSecret}`,
            `  scopes:        ${sim.scopes}`,
            `  objects:       ${objects}`,
            `  rate limit:    ${args.rate > 0 ? `${args.rate}/s, queue ${args.burst}` : 'none'}`,
            '',
            'In another shell:',
            // Quoted: a configured secret may hold spaces or ; that the shell would run.
            `  export COUPA_INSTANCE=${shellQuote(sim.url)}`,
            `  export COUPA_CLIENT_ID=${shellQuote(sim.clientId)}`,
            `  export COUPA_CLIENT_SECRET=${shellQuote(sim.clientSecret)}`,
            '',
            'Stats: GET /_sim/stats   Records: GET /_sim/objects/<id>/records   Ctrl-C stops.',
            '',
          ].join('\n'),
        );
      }
      await new Promise<void>((resolve) => {
        const dispose = io.onSignal(() => {
          dispose();
          resolve();
        });
      });
      await sim.close();
      setExit(0);
    },
  };
}

/** The simulator's option names in its range errors, as the flags that set them. */
const FLAG_OF: Record<string, string> = {
  'faults.error5xx': '--error-rate',
  'faults.extra429': '--extra-429',
  'faults.dropAfterStore': '--drop-after-store',
  'faults.dropBeforeStore': '--drop-before-store',
  'faults.seed': '--seed',
  latencyMs: '--latency',
  tokenLifetimeS: '--token-lifetime',
  rate: '--rate',
  burst: '--burst',
  port: '--port',
};

function flagNames(message: string): string {
  return message.replace(/^[\w.]+/, (name) => FLAG_OF[name] ?? name);
}
