import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { InputError, UsageError } from '../../shared/index.js';
import type { SimConfig, SimErrorBody, SimVariations, SimulatorOptions } from '../../sim/index.js';
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
  'error-body'?: SimErrorBody | undefined;
  warnings?: boolean | undefined;
  cdata?: boolean | undefined;
  'lenient-booleans'?: boolean | undefined;
  'case-insensitive-filters'?: boolean | undefined;
  'local-times'?: boolean | undefined;
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
        .option('error-body', {
          type: 'string',
          choices: ['default', 'empty', 'xml', 'json'] as const,
          describe:
            "Coupa variation: body of 401/403/404/429 answers (default: the format asked for) [default: the config's variations]",
        })
        .option('warnings', {
          type: 'boolean',
          describe: 'Coupa variation: JSON validation errors carry a "warnings" list beside the errors',
        })
        .option('cdata', {
          type: 'boolean',
          describe: 'Coupa variation: XML error messages in CDATA sections',
        })
        .option('lenient-booleans', {
          type: 'boolean',
          describe: 'Coupa variation: an unknown boolean word is stored as true instead of refused',
        })
        .option('case-insensitive-filters', {
          type: 'boolean',
          describe: 'Coupa variation: text filters and ordering ignore case (a case-insensitive collation)',
        })
        .option('local-times', {
          type: 'boolean',
          describe: "Coupa variation: a datetime without an offset is read in the instance's zone, not UTC",
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'Print one JSON line {url, clientId, clientSecret, scopes, timezone} instead of text',
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
        variations: variationsOf(args),
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
          `${JSON.stringify({ url: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, scopes: sim.scopes, timezone: sim.timezone })}
`,
        );
      } else {
        const variations = Object.entries(sim.variations)
          .filter(([key, value]) => (key === 'errorBody' ? value !== 'default' : value === true))
          .map(([key, value]) => (key === 'errorBody' ? `errorBody=${String(value)}` : key));
        // The simulator's own demo secret: this is the one place it is printed.
        io.stdout.write(
          [
            `Coupa simulator listening on ${sim.url}`,
            `  client id:     ${sim.clientId}`,
            `  client secret: ${sim.clientSecret}`,
            `  scopes:        ${sim.scopes}`,
            `  time zone:     ${sim.timezone} (${offsetNow(sim.timezone)} now; set it as timezone: in a mapping)`,
            `  rate limit:    ${args.rate > 0 ? `${args.rate}/s, queue ${args.burst}` : 'none'}`,
            '',
            'In another shell:',
            // Quoted: a configured secret may hold spaces or ; that the shell would run.
            `  export COUPA_INSTANCE=${shellQuote(sim.url)}`,
            `  export COUPA_CLIENT_ID=${shellQuote(sim.clientId)}`,
            `  export COUPA_CLIENT_SECRET=${shellQuote(sim.clientSecret)}`,
            '',
            "Objects (the id is a mapping's object:, the field names go on the right of its fields:):",
            ...describeObjects(config),
            '',
            ...(variations.length > 0 ? [`Coupa variations on: ${variations.join(', ')}`, ''] : []),
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

/** The variation flags given (an absent flag leaves the config's value). */
function variationsOf(args: SimArgs): Partial<SimVariations> {
  const out: Partial<SimVariations> = {};
  if (args['error-body'] !== undefined) out.errorBody = args['error-body'];
  if (args.warnings !== undefined) out.warnings = args.warnings;
  if (args.cdata !== undefined) out.cdata = args.cdata;
  if (args['lenient-booleans'] !== undefined) out.lenientBooleans = args['lenient-booleans'];
  if (args['case-insensitive-filters'] !== undefined)
    out.caseInsensitiveFilters = args['case-insensitive-filters'];
  if (args['local-times'] !== undefined) out.localTimes = args['local-times'];
  return out;
}

/** `UTC-08:00`: the zone's offset at this moment. */
function offsetNow(timezone: string): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' })
    .formatToParts(new Date())
    .find((p) => p.type === 'timeZoneName')?.value;
  const offset = name?.replace(/^GMT/, '') ?? '';
  return `UTC${offset === '' ? '+00:00' : offset}`;
}

/** Each object with its fields (name, type, required, lookup set), so a user can write a mapping. */
function describeObjects(config: SimConfig): string[] {
  const lines: string[] = [];
  for (const o of config.objects) {
    lines.push(`  ${o.id} ${o.code} (${o.name})`);
    const width = Math.max(...o.fields.map((f) => f.name.length));
    for (const f of o.fields) {
      const notes = [f.type, ...(f.lookup ? [`from ${f.lookup}`] : []), ...(f.required ? ['required'] : [])];
      lines.push(`      ${f.name.padEnd(width)}  ${notes.join(', ')}`);
    }
  }
  return lines;
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
  'variations.errorBody': '--error-body',
};

function flagNames(message: string): string {
  return message.replace(/^[\w.]+/, (name) => FLAG_OF[name] ?? name);
}
