/**
 * The few error classes that end a run. A failed *row* is data (a results line), never one of these.
 * Each carries a stable `code` (tests assert the code, not the wording) and the exit code the CLI uses.
 * Messages are one line, name the file/line/column where known, and never contain a secret.
 */
export type ExitCode = 0 | 1 | 2 | 3;

export abstract class CoupaCsvError extends Error {
  abstract readonly exitCode: 2 | 3;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags or arguments. Exit 2, nothing sent. */
export class UsageError extends CoupaCsvError {
  readonly exitCode = 2;
  constructor(message: string, code = 'USAGE') {
    super(code, message);
  }
}

/** Where in a file a problem is. */
export interface FileLocation {
  file: string;
  line?: number;
  column?: string | number;
}

export function formatLocation(loc: FileLocation): string {
  let out = loc.file;
  if (loc.line !== undefined) out += `:${loc.line}`;
  if (loc.column !== undefined)
    out += typeof loc.column === 'number' ? `:${loc.column}` : ` (column "${loc.column}")`;
  return out;
}

/** An input file (CSV, mapping, results, state) that cannot be used. Exit 2, nothing sent. */
export class InputError extends CoupaCsvError {
  readonly exitCode = 2;
  constructor(
    code: string,
    message: string,
    readonly location?: FileLocation,
  ) {
    super(code, location ? `${formatLocation(location)}: ${message}` : message);
  }
}

/** Missing or malformed connection settings (instance URL, credentials). Exit 2, nothing sent. */
export class ConfigError extends CoupaCsvError {
  readonly exitCode = 2;
  constructor(message: string, code = 'CONFIG') {
    super(code, message);
  }
}

/** Coupa refused the credentials (401) or the scope (403). Exit 3. */
export class AuthError extends CoupaCsvError {
  readonly exitCode = 3;
  constructor(
    message: string,
    readonly status: number,
    code = status === 403 ? 'AUTH_SCOPE' : 'AUTH',
  ) {
    super(code, message);
  }
}

/** The run stopped part-way: interrupted, instance unreachable after retries, or a fatal server answer. Exit 3. */
export class AbortedError extends CoupaCsvError {
  readonly exitCode = 3;
  constructor(message: string, code = 'ABORTED') {
    super(code, message);
  }
}

/** The message of an error (or the text of anything thrown), for one-line reports. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
