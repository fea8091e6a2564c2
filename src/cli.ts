#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { processIo } from './cli/io.js';
import { main } from './cli/main.js';

// V8 "pretenures" an allocation site (allocates its objects straight in the old generation) when nearly all of a
// sample of them survived a young-generation collection. A streaming run trips it on a transient: the first batches
// of a read (or of the results journal when a workbook is rebuilt) are all alive at the first collection, so every
// later row is born old and dies there, and the old generation grows to the next full collection. On a 200,000-row
// sheet that was a peak of 141-145 MB in about one run of three instead of 118-121 (bench scenario 7c,
// bench/NOTES.md). The flag is read at each collection, so setting it here, before any row is read, is in time.
setFlagsFromString('--no-allocation-site-pretenuring');

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
