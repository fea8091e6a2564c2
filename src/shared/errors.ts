/**
 * The few error classes that end a run. A failed *row* is data (a results line), never one of these.
 * Each carries a stable `code` (tests assert the code, not the wording) and the exit code the CLI uses.
 * Messages are one line, name the file/line/column where known, and never contain a secret.
 */
export type ExitCode = 0 | 1 | 2 | 3;

/**
 * Every `code` a {@link CoupaCsvError} carries, for callers that branch on it (docs/library.md lists what each means).
 */
export const ERROR_CODES = [
  // Exit 2, nothing sent: flags, settings and input files.
  'USAGE', // a flag or option out of range
  'NO_OBJECT', // no custom object id in the mapping or --object
  'TIMEZONE', // an unknown time zone
  'STATE', // (exit 2) an export state file of another object; (exit 3) the state file could not be saved
  'FILTER', // an export --filter that cannot be read
  'CONFIG', // a connection setting that cannot be used
  'INSTANCE', // the instance URL (not https, user info, query, no host)
  'CREDENTIALS_MISSING', // no credentials, or half of an OAuth pair
  'CREDENTIALS_MALFORMED', // an API key an HTTP header cannot carry
  'MAPPING', // the mapping file: syntax, keys, values, encoding
  'MISSING_COLUMN', // a mapped (or the id) column is not in the CSV header
  'DUPLICATE_HEADER', // a column the mapping reads appears twice in the header
  'NOT_FOUND', // the CSV file does not exist
  'UNREADABLE', // the CSV file cannot be read
  'EMPTY', // the CSV file is empty or has no header
  'NO_ROWS', // the CSV file has a header and no data rows
  'BINARY', // the file is not text
  'ENCODING', // bytes that are not valid in the file's encoding
  'UNCLOSED_QUOTE', // a quoted field never closed
  'FIELD_TOO_LARGE', // a record over the size cap
  'MALFORMED', // a CSV record csv-parse cannot read
  'EXISTS', // an output file that exists (without --force)
  'OUTPUT', // an output file or folder that cannot be written
  'RESULTS_UNWRITABLE', // the results file or journal cannot be written
  'RESULTS_IN_USE', // another run holds the results file, or it records a run that must be resumed
  'RESUME_PENDING', // a journal or stopped run is there: use --resume (or another --results)
  'RESUME_MISMATCH', // --resume with a CSV, mapping or mode that changed since the run
  'JOURNAL', // a journal file that cannot be read
  'SIM_CONFIG', // the simulator's config file
  'OBJECT_NOT_FOUND', // the custom object does not exist on the instance (answered by its preflight read)
  // Exit 3: the run stopped part-way (rows not sent are in the results file as not sent).
  'AUTH', // the credentials were refused (401)
  'AUTH_SCOPE', // the scope was refused (403)
  'ABORTED', // a fatal answer or condition
  'INTERRUPTED', // Ctrl-C / SIGTERM
  'UNREACHABLE', // the instance could not be reached after retries
  'TOKEN_ENDPOINT', // the OAuth token endpoint is missing or answered without a usable token
  'PREFLIGHT', // the read of the object before the first write failed
  'COUPA_API', // an export stopped on an HTTP error
  'KEY_FILTER', // the instance ignored the key filter of a lookup
  'CLOSED', // the library's client was closed while requests waited
  'NOT_SENT', // internal: a request held back because the run is stopping
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export abstract class CoupaCsvError extends Error {
  abstract readonly exitCode: 2 | 3;
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags or arguments. Exit 2, nothing sent. */
export class UsageError extends CoupaCsvError {
  readonly exitCode = 2;
  constructor(message: string, code: ErrorCode = 'USAGE') {
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
    code: ErrorCode,
    message: string,
    readonly location?: FileLocation,
  ) {
    super(code, location ? `${formatLocation(location)}: ${message}` : message);
  }
}

/** Missing or malformed connection settings (instance URL, credentials). Exit 2, nothing sent. */
export class ConfigError extends CoupaCsvError {
  readonly exitCode = 2;
  constructor(message: string, code: ErrorCode = 'CONFIG') {
    super(code, message);
  }
}

/** Coupa refused the credentials (401) or the scope (403). Exit 3. */
export class AuthError extends CoupaCsvError {
  readonly exitCode = 3;
  constructor(
    message: string,
    readonly status: number,
    code: ErrorCode = status === 403 ? 'AUTH_SCOPE' : 'AUTH',
  ) {
    super(code, message);
  }
}

/** The run stopped part-way: interrupted, instance unreachable after retries, or a fatal server answer. Exit 3. */
export class AbortedError extends CoupaCsvError {
  readonly exitCode = 3;
  constructor(message: string, code: ErrorCode = 'ABORTED') {
    super(code, message);
  }
}

/** The message of an error (or the text of anything thrown), for one-line reports. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
