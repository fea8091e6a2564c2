#!/usr/bin/env node
import { processIo } from './cli/io.js';
import { main } from './cli/main.js';

// A reader that closed stdout or stderr (`| head`) must not turn into an uncaught error: the commands report what
// they could not write (an export to stdout stops with exit 3), and a message nobody can read is dropped. Any other
// failure to write stdout (a full disk behind `> file`) is remembered: a run that lost its output does not exit 0.
let stdoutFailure: NodeJS.ErrnoException | undefined;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') stdoutFailure ??= error;
});
process.stderr.on('error', () => undefined);
// At exit, not after main(): a failed write to stdout is reported a turn of the event loop after it was made.
process.on('exit', () => {
  if (stdoutFailure && !process.exitCode) {
    process.stderr.write(
      `coupa-csv: cannot write to stdout (${stdoutFailure.code ?? stdoutFailure.message})\n`,
    );
    process.exitCode = 3;
  }
});

process.exitCode = await main(process.argv.slice(2), processIo());
