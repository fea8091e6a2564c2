import { createRequire } from 'node:module';
import type { Options } from 'yargs';
import { credentialsFromEnv, resolveInstanceUrl } from '../coupa/config.js';
import type { ClientEvent, ClientOptions } from '../coupa/index.js';
import type { DelimiterOption } from '../csv/index.js';
import { UsageError } from '../shared/index.js';
import type { CliIo } from './io.js';
import { CliUsage } from './terminal.js';

/** What every command is given: the process it runs in, the command line as typed, and where its exit code goes. */
export interface CliContext {
  io: CliIo;
  /** The arguments as typed (after `coupa-csv`): a stopped import repeats them with --resume. */
  argv: readonly string[];
  setExit: (code: number) => void;
}

/** Flags shared by every command that talks to Coupa. */
export const connectionOptions = {
  instance: {
    type: 'string',
    describe: 'Coupa instance base URL, e.g. https://acme.coupahost.com [env: COUPA_INSTANCE]',
  },
  scopes: {
    type: 'string',
    describe: 'OAuth scopes, space-separated [env: COUPA_SCOPES] (default core.custom_objects.read_write)',
  },
  timezone: {
    type: 'string',
    describe:
      "The instance's IANA time zone, e.g. America/Los_Angeles [env: COUPA_TIMEZONE] (default: mapping's, else UTC)",
  },
  concurrency: { type: 'number', default: 8, describe: 'Most requests in flight at once' },
  rate: {
    type: 'number',
    default: 20,
    describe: 'Most requests started per second (Coupa allows 25/s per instance)',
  },
  limit: { type: 'number', describe: 'Process only the first n rows / records' },
  json: {
    type: 'boolean',
    default: false,
    describe: 'Print one JSON summary object on stdout, no progress bar',
  },
  quiet: {
    type: 'boolean',
    default: false,
    describe: 'No progress bar and no summary (errors still go to stderr)',
  },
  verbose: {
    type: 'boolean',
    default: false,
    describe: 'Log every request on stderr (Authorization redacted)',
  },
} as const satisfies Record<string, Options>;

export interface ConnectionArgs {
  instance?: string | undefined;
  scopes?: string | undefined;
  concurrency: number;
  rate: number;
  verbose: boolean;
  json: boolean;
  quiet: boolean;
}

/**
 * Builds client options from flags and the environment: instance and scopes from either, secrets only from env.
 * The client's events go to stderr: every request with --verbose; else the retries of a failing request as they
 * happen (an unreachable instance is otherwise silent for the 20 s its retries take), unless --quiet or --json.
 */
export function buildClientOptions(args: ConnectionArgs, io: CliIo): ClientOptions {
  const env = io.env;
  const instance = resolveInstanceUrl(args.instance ?? env.COUPA_INSTANCE);
  const credentials = credentialsFromEnv(env, args.scopes ?? env.COUPA_SCOPES);
  const onEvent = args.verbose
    ? (event: ClientEvent) => logClientEvent(io, event)
    : args.quiet || args.json
      ? undefined
      : (event: ClientEvent) => reportRetry(io, event);
  return {
    instance: instance.toString(),
    credentials,
    rate: positive(args.rate, '--rate'),
    concurrency: positive(args.concurrency, '--concurrency'),
    ...(onEvent ? { onEvent } : {}),
  };
}

/** The attempts the client makes at most (its default of 6 retries, which the CLI does not change). */
const MOST_ATTEMPTS = 7;

/**
 * A request that failed and will be tried again, as one line on stderr: which attempt failed, why, and how long
 * until the next. Rate-limit answers (429) and the one token renewal (401) are the normal course of a run, not
 * failures: they are left to --verbose and the summary.
 */
function reportRetry(io: CliIo, event: ClientEvent): void {
  if (event.type !== 'retry' || event.reason === 'HTTP 429' || event.reason === 'HTTP 401') return;
  io.stderr.write(
    `coupa-csv: ${event.method} ${event.path}: attempt ${event.attempt} of ${MOST_ATTEMPTS} failed ` +
      `(${event.reason}); trying again in ${formatWait(event.delayMs)}\n`,
  );
}

/** A wait as people read it: `800 ms`, `1.5 s`. */
function formatWait(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The instance time zone: flag, then environment, then the mapping's, then UTC. */
export function resolveTimezone(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  mappingTz: string | undefined,
): string {
  return flag ?? env.COUPA_TIMEZONE ?? mappingTz ?? 'UTC';
}

function positive(value: number, flag: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new CliUsage(`${flag} must be a positive number, got ${String(value)}`);
  }
  return value;
}

/**
 * --verbose: one line per request on stderr, with its headers. The client redacts the credential headers before
 * they reach any event, so nothing secret can be printed.
 */
function logClientEvent(io: CliIo, event: ClientEvent): void {
  switch (event.type) {
    case 'request':
      io.stderr.write(
        `${event.method} ${event.path} -> ${event.status || 'no answer'} (${event.ms} ms) ` +
          `[${Object.entries(event.headers)
            .map(([name, value]) => `${name}: ${value}`)
            .join('; ')}]\n`,
      );
      break;
    case 'retry':
      io.stderr.write(
        `retry ${event.attempt} ${event.method} ${event.path} in ${event.delayMs} ms: ${event.reason}\n`,
      );
      break;
    case 'throttled':
      io.stderr.write(`throttled (429) on ${event.method} ${event.path}; pausing ${event.delayMs} ms\n`);
      break;
    case 'token':
      io.stderr.write(`OAuth token obtained (expires in ${event.expiresInS} s)\n`);
      break;
  }
}

/** How long the first Ctrl-C waits for requests in flight (`COUPA_CSV_STOP_GRACE_MS` overrides it). */
const STOP_GRACE_MS = 30_000;

/**
 * Ctrl-C / SIGTERM handling: the first signal aborts the returned signal (the core stops reading, lets in-flight
 * requests finish and writes the results); a second one, or the end of the grace period, exits at once with code
 * 3 (the journal is written synchronously, so the results stay resumable).
 */

export function interruptSignal(
  io: CliIo,
  onFirst: (signal: string) => void,
  /** What a user needs to know when the run stops at once (how to finish the job). */
  afterForcedStop: string,
): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      io.stderr.write(`\ncoupa-csv: ${sig} again: stopping now; ${afterForcedStop}.\n`);
      io.exit(3);
      return;
    }
    onFirst(sig);
    controller.abort(new Error(`interrupted by ${sig}`));
    // The wait for in-flight requests is bounded: after it, stop as a second signal would (the journal, written
    // synchronously, keeps the run resumable).
    const graceMs = Number(io.env.COUPA_CSV_STOP_GRACE_MS ?? STOP_GRACE_MS);
    setTimeout(() => {
      io.stderr.write(
        `\ncoupa-csv: requests still in flight after ${graceMs >= 1000 ? `${Math.round(graceMs / 1000)} s` : `${graceMs} ms`}: stopping now; ${afterForcedStop}.\n`,
      );
      io.exit(3);
    }, graceMs).unref();
  };
  const dispose = io.onSignal(handler);
  return { signal: controller.signal, dispose };
}

/** A progress bar on stderr, only on a TTY and never with --json or --quiet. */
export function createProgress(
  io: CliIo,
  enabled: boolean,
  format: string,
): {
  /** False when nothing is drawn: callers can skip per-row progress work. */
  enabled: boolean;
  start(total: number, payload?: Record<string, unknown>): void;
  update(value: number, payload?: Record<string, unknown>): void;
  stop(): void;
} {
  if (!enabled || !io.isTTY) {
    return { enabled: false, start: () => undefined, update: () => undefined, stop: () => undefined };
  }
  // Loaded only when a bar is drawn (a TTY): scripts and cron jobs do not pay its start-up time.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format, stream: io.stderr, hideCursor: true, etaBuffer: 50, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  return {
    enabled: true,
    start: (total, payload) => bar.start(total, 0, payload),
    update: (value, payload) => bar.update(value, payload),
    stop: () => bar.stop(),
  };
}

/** `--delimiter auto|,|;|tab||` -> the reader's option (`tab` and `\t` mean a tab). */
export function parseDelimiterFlag(raw: string): DelimiterOption {
  const value = raw.toLowerCase();
  if (value === 'tab' || value === '\\t' || raw === '\t') return '\t';
  if (value === 'auto' || value === ',' || value === ';' || value === '|') return value;
  throw new UsageError(`--delimiter must be auto, ",", ";", tab or "|", got "${raw}"`);
}

/** Flags that may be given more than once (they collect a list). */
const REPEATABLE_FLAGS = new Set(['filter']);

/** The option kinds of the command being run, as yargs lists them. */
export interface FlagKinds {
  boolean?: string[];
  string?: string[];
  number?: string[];
  array?: string[];
  /** Options given `choices` (and maybe no type), by name. */
  choices?: Record<string, unknown>;
}

const BOOLEAN_VALUES = new Set(['true', 'false']);

/**
 * What yargs would quietly turn into another setting, as usage errors (exit 2): a flag that takes a value given none
 * (`--limit` last, or followed by another flag) would run with its default (a canary becomes a full load), and a
 * switch given a value other than true/false (`--dry-run=yes`) would be off.
 */
export function checkRawFlags(args: readonly string[], kinds: FlagKinds): void {
  const switches = new Set(kinds.boolean ?? []);
  const valued = new Set([
    ...(kinds.string ?? []),
    ...(kinds.number ?? []),
    ...(kinds.array ?? []),
    ...Object.keys(kinds.choices ?? {}),
  ]);
  const isFlag = (token: string | undefined): boolean => token !== undefined && /^--?[A-Za-z]/.test(token);
  for (let i = 0; i < args.length; i++) {
    const token = args[i] as string;
    if (token === '--') return;
    const match = /^--([^=]+)(=(.*))?$/.exec(token);
    if (!match) continue;
    // yargs also takes a flag's camelCase spelling (--dryRun): checked as the flag it stands for.
    const name = (match[1] as string).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const value = match[3];
    if (value !== undefined) {
      if (switches.has(name) && !BOOLEAN_VALUES.has(value.toLowerCase()))
        throw new CliUsage(
          `--${name} is a switch: give it alone (or --${name}=true / --no-${name}), not "${value}"`,
        );
    } else if (valued.has(name) && !switches.has(name) && (i + 1 >= args.length || isFlag(args[i + 1]))) {
      throw new CliUsage(`--${name} needs a value`);
    }
  }
}

/**
 * What yargs leaves for the commands to misread, as usage errors (exit 2): a flag given twice becomes a list (the
 * same value twice counts once; two different values are an error instead of a silent pick), and a number flag
 * given text becomes NaN.
 */
export function checkParsedFlags(argv: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(argv)) {
    if (name === '_') continue;
    const flag = name.length === 1 ? `-${name}` : `--${name}`;
    if (Array.isArray(value) && !REPEATABLE_FLAGS.has(name)) {
      const distinct = [...new Set(value.map((v) => String(v)))];
      if (distinct.length > 1)
        throw new CliUsage(`${flag} was given more than once (${distinct.join(', ')}): give it once`);
      argv[name] = value[value.length - 1];
    }
    if (typeof argv[name] === 'number' && Number.isNaN(argv[name]))
      throw new CliUsage(`${flag} must be a number`);
  }
}

/** An argument as a POSIX shell reads it back: left bare when safe, else in single quotes. */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
