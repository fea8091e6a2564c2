import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

/** A stream that keeps what is written to it. */
class TextSink extends Writable {
  text = '';
  override _write(
    chunk: Buffer | string,
    _encoding: BufferEncoding,
    done: (error?: Error | null) => void,
  ): void {
    this.text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    done();
  }
}

export interface TestIo extends CliIo {
  /** What was written to stdout / stderr so far. */
  out(): string;
  err(): string;
  /** Sends a signal to the handlers the command registered (as Ctrl-C would). */
  signal(name: NodeJS.Signals): void;
  /** The codes `exit` was called with (a forced stop), in order. */
  exits: number[];
}

/**
 * A process for `main(argv, io)` in a test: streams that collect text, an environment (without any inherited
 * COUPA_* setting: only `env`), no TTY, and signals sent by the test.
 */
export function testIo(
  env: Record<string, string | undefined> = {},
  options: { isTTY?: boolean } = {},
): TestIo {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const signals = new EventEmitter();
  const exitHandlers = new Set<() => void>();
  const exits: number[] = [];
  return {
    stdout,
    stderr,
    env,
    isTTY: options.isTTY ?? false,
    columns: 100,
    onSignal: (handler) => {
      signals.on('signal', handler);
      return () => {
        signals.off('signal', handler);
      };
    },
    exit: (code) => {
      exits.push(code);
      for (const handler of exitHandlers) handler();
    },
    onExit: (handler) => {
      exitHandlers.add(handler);
      return () => {
        exitHandlers.delete(handler);
      };
    },
    out: () => stdout.text,
    err: () => stderr.text,
    signal: (name) => {
      signals.emit('signal', name);
    },
    exits,
  };
}

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `coupa-csv <args>` in this process (no spawn, no dist/) and returns its exit code and output. */
export async function runMain(
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<InProcessResult> {
  const io = testIo(env);
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}
