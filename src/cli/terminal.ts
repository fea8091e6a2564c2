import { CoupaCsvError } from '../shared/index.js';
import type { CliIo } from './io.js';

/** A usage error found while reading the command line (unknown flag, missing argument): exit 2. */
export class CliUsage extends Error {}

/**
 * Prints a fatal error on stderr (one line, no stack trace for known errors) and returns its exit code. A usage
 * error ends with the help of the command being run (`coupa-csv import --help`), where its flags are listed.
 */
export function reportFatal(error: unknown, io: CliIo, command: string | undefined): number {
  if (error instanceof CliUsage) {
    const help = command === undefined ? 'coupa-csv --help' : `coupa-csv ${command} --help`;
    io.stderr.write(`coupa-csv: ${error.message}\nFor usage, run: ${help}\n`);
    return 2;
  }
  if (error instanceof CoupaCsvError) {
    io.stderr.write(`coupa-csv: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.stderr.write(`coupa-csv: unexpected error: ${message}\n`);
  return 3;
}
