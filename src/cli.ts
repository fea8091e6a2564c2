#!/usr/bin/env node
import { main } from './cli/main.js';

// A reader that closed stdout or stderr (`| head`) must not turn into an uncaught error: the commands report what
// they could not write (an export to stdout stops with exit 3), and a message nobody can read is dropped.
const ignoreClosedPipe = (error: NodeJS.ErrnoException): void => {
  if (error.code !== 'EPIPE') throw error;
};
process.stdout.on('error', ignoreClosedPipe);
process.stderr.on('error', ignoreClosedPipe);

process.exitCode = await main(process.argv.slice(2));
