import { CoupaApiError } from '../coupa/errors.js';
import { AbortedError, CoupaCsvError } from '../shared/index.js';
import type { ExportOptions } from './types.js';

/**
 * The error an export that failed part-way throws, saying that nothing was written (or that stdout's output is
 * incomplete): an interruption, a Coupa failure (`COUPA_API`) and an output that cannot be written (`OUTPUT`) are
 * AbortedErrors (exit 3); the tool's own errors keep their class and code.
 */
export function exportStopError(error: unknown, options: ExportOptions, objectId: number): unknown {
  const where =
    options.out === '-' ? 'the output on stdout is incomplete' : `nothing was written to ${options.out}`;
  if (options.signal?.aborted) return new AbortedError(`export interrupted: ${where}`, 'INTERRUPTED');
  if (error instanceof CoupaCsvError) {
    if (error instanceof AbortedError && error.code !== 'STATE') {
      return new AbortedError(`${error.message}; ${where}`, error.code);
    }
    return error;
  }
  if (error instanceof CoupaApiError) {
    return new AbortedError(`export of object ${objectId} stopped: ${error.message}; ${where}`, 'COUPA_API');
  }
  if (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('E')
  ) {
    return new AbortedError(`export stopped: cannot write the output (${error.message}); ${where}`, 'OUTPUT');
  }
  return error;
}
