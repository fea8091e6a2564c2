import { CoupaCsvError } from '../shared/errors.js';

/** A yargs parse error (unknown flag, missing argument): exit 2. */
export class CliUsage extends Error {}

/** Prints a fatal error as one line on stderr (no stack trace for known errors) and returns its exit code. */
export function reportFatal(error: unknown): number {
  if (error instanceof CliUsage) {
    process.stderr.write(`coupa-csv: ${error.message}\nRun coupa-csv --help for usage.\n`);
    return 2;
  }
  if (error instanceof CoupaCsvError) {
    process.stderr.write(`coupa-csv: ${error.message}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`coupa-csv: unexpected error: ${message}\n`);
  return 3;
}
