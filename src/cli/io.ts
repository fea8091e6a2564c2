import type { Writable } from 'node:stream';

/**
 * Everything the CLI takes from the process it runs in, passed to {@link main} so that a test can run a whole
 * command in-process: the two output streams, the environment, whether stderr is a terminal, and the signal and
 * exit hooks. `src/cli.ts` passes {@link processIo}; tests pass their own (test/helpers/cli-io.ts).
 */
export interface CliIo {
  /** Records (`export --out -`), `--json` summaries, help and `mapping init` without --out. */
  stdout: Writable;
  /** Messages, summaries, notices, progress. */
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** Whether stderr is a terminal: a progress bar is drawn only then. */
  isTTY: boolean;
  /** The width help is wrapped to (a terminal's columns); undefined: 100. */
  columns?: number | undefined;
  /** Calls `handler` on SIGINT and SIGTERM until the returned function is called. */
  onSignal(handler: (signal: NodeJS.Signals) => void): () => void;
  /** Ends the program at once with `code` (a second Ctrl-C, the end of the stop grace period). */
  exit(code: number): void;
  /** Calls `handler` when the program ends, however it ends (removing a temporary file), until disposed. */
  onExit(handler: () => void): () => void;
}

/** The real process: its streams, environment, signals and exit. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    isTTY: process.stderr.isTTY === true,
    columns: process.stdout.columns,
    onSignal: (handler) => {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
    exit: (code) => process.exit(code),
    onExit: (handler) => {
      process.on('exit', handler);
      return () => {
        process.off('exit', handler);
      };
    },
  };
}
