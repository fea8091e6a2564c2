import type { ClientEvent, ClientOptions, CoupaClient } from '../coupa/index.js';
import type { CsvSource, DelimiterOption, EncodingOption } from '../csv/index.js';
import type { Mapping } from '../mapping/index.js';

/** How each row reaches Coupa. */
export type ImportMode = 'create' | 'update' | 'upsert';

/**
 * `_status` values of the results CSV. `valid`/`invalid` only in dry runs; `would-create`/`would-update` only with
 * `plan`; `unchanged`: the record already held every mapped value, nothing was sent (and, in a plan, nothing would be).
 */
export type RowStatus =
  'created' | 'updated' | 'unchanged' | 'failed' | 'valid' | 'invalid' | 'would-create' | 'would-update';

/** Everything `runImport` needs. Paths are resolved against the current directory. */
export interface ImportOptions {
  /** The input CSV. */
  file: string;
  /** A mapping file path, or a mapping already loaded with `loadMapping`. */
  mapping: string | Mapping;
  /** Custom object id; overrides the mapping's `object`. */
  objectId?: number;
  /** Default `create`. */
  mode?: ImportMode;
  /** Results CSV; default `<input without .csv>.results.csv` beside the input. */
  results?: string;
  /** Most rows being worked on at once (also passed to the client). Default 8. */
  concurrency?: number;
  /** Most requests started per second (passed to the client). Default 20. */
  rate?: number;
  /** Convert and validate every row, send nothing. No client is needed. */
  dryRun?: boolean;
  /**
   * Read-only: look every row's record up (by key; by id in update mode) and write what a run would do
   * (`would-create`, `would-update` with a `_changes` column, `unchanged`, `invalid`, `failed`); nothing is written
   * to Coupa, and no journal is kept.
   */
  plan?: boolean;
  /** Carry over rows already applied by a previous run (journal or results file) and send only the rest. */
  resume?: boolean;
  /** Process only the first n data rows. */
  limit?: number;
  encoding?: EncodingOption;
  delimiter?: DelimiterOption;
  /** For an `.xlsx` input: the worksheet to read (default the first). */
  sheet?: string;
  /** The line (sheet row) of the header; default line 1, or the line below a title that holds the mapped columns. */
  headerRow?: number;
  /**
   * The instance's IANA time zone; default the mapping's `timezone`. With neither, dates are sent as UTC and the
   * instance's UTC offset is checked before a date is written (a run that would store dates shifted stops, exit 2).
   */
  timezone?: string;
  /** Create mode: run a file whose results file records a finished run once more (refused without it). */
  again?: boolean;
  /**
   * Stop sending once this many rows have failed on the server (4xx, 5xx after retries); rows not sent end
   * `stopped`. Without it, a run still stops when its first 10 rows sent all fail.
   */
  maxFailures?: number;
  /** Connection settings; the client is created (and closed) by the import. Ignored when `client` is given. */
  clientOptions?: ClientOptions;
  /** An already built client (tests, library users). Not closed by the import. */
  client?: CoupaClient;
  /** Aborting it stops sending: rows not yet sent are written as failed "not sent", the journal stays resumable. */
  signal?: AbortSignal;
}

/** Progress after each finished row. */
export interface ImportProgress {
  /** Rows with a final outcome (written or waiting for their turn in the results file). */
  done: number;
  /** Data rows to process (known after the pre-scan; absent in dry runs). */
  total?: number;
  created: number;
  updated: number;
  failed: number;
  invalid: number;
  valid: number;
  skipped: number;
  /** Rows whose record already held every mapped value (nothing sent). */
  unchanged?: number;
}

/** Callbacks through which the core reports; it never prints. */
export interface ImportHooks {
  onProgress?: ((progress: ImportProgress) => void) | undefined;
  /** Client events (requests, retries, 429s, token), when the import builds the client. */
  onEvent?: (event: ClientEvent) => void;
  /** What the CSV reader detected, once the header is read. */
  onDetected?: (detected: Pick<CsvSource, 'encoding' | 'delimiter' | 'lineEnding'>) => void;
  /** Things the user should know (resume decisions, uncertain lines, a stopped run). One line each. */
  onNotice?: (message: string) => void;
}

/** Why a run stopped before every row was sent (the rows not sent are `failed` "not sent: ..."). */
export interface ImportStop {
  /** `INTERRUPTED`, `AUTH`, `AUTH_SCOPE`, `UNREACHABLE`, `DROPPED_FIELD`, ... */
  code: string;
  message: string;
  /**
   * Exit code the CLI should use: 3 for aborted runs, 1 for a dropped field or too many failed rows (a mapping
   * problem), 2 for dates that would be stored shifted (`TIMEZONE`: set the zone, then --resume).
   */
  exitCode: 1 | 2 | 3;
  /** `TIMEZONE`: IANA zones that have the offset the instance reported, most populous first. */
  zones?: string[];
}

/** The most common message of the rows that failed on the server, and how many rows had it. */
export interface TopError {
  message: string;
  rows: number;
}

/** What happened, for the summary and `--json`. */
export interface ImportSummary {
  file: string;
  object: number;
  mode: ImportMode;
  dryRun: boolean;
  /** A plan (read-only): `wouldCreate`, `wouldUpdate`, `unchanged` say what a run would do. */
  plan: boolean;
  /** Data rows read (= rows in the results file). */
  rows: number;
  created: number;
  updated: number;
  /** Rows whose record already held every mapped value: nothing was sent (`_status` `unchanged`). */
  unchanged: number;
  /** Plan: rows a run would create. */
  wouldCreate: number;
  /** Plan: rows a run would update (`_changes` names the fields). */
  wouldUpdate: number;
  /** Failed rows, including `unknown` ones. */
  failed: number;
  /** Dry run: rows that would fail. */
  invalid: number;
  /** Dry run: rows that would be sent. */
  valid: number;
  /** Failed rows that were not sent because the run stopped (`not sent: ...`; finish them with --resume). */
  notSent: number;
  /** Failed rows whose create may or may not have been stored (no `key` to check). */
  unknown: number;
  /** Rows carried over from the previous run by --resume (not sent again). */
  skipped: number;
  /** Requests retried by the client, plus creates re-sent after an unknown outcome. */
  retries: number;
  /** 429 answers. */
  throttled: number;
  elapsedMs: number;
  /** Rows this run handled (not carried over by --resume, not left unsent by a stop) per second. */
  rowsPerSecond: number;
  /** Absolute path of the results CSV. */
  results: string;
  /**
   * For an `.xlsx` input, after a run that went to its end: the `.xlsx` results file written from the results CSV
   * (which stays beside it for `--resume`).
   */
  resultsXlsx?: string;
  /** For an `.xlsx` input: the worksheet read. */
  sheet?: string;
  encoding: CsvSource['encoding'];
  delimiter: CsvSource['delimiter'];
  lineEnding: CsvSource['lineEnding'];
  /** True when the run stopped before every row was processed (Ctrl-C, auth refused, unreachable). */
  interrupted: boolean;
  stopped?: ImportStop;
  /** Rows that failed on the server (HTTP 4xx, 5xx after retries) this run. */
  serverFailed: number;
  /** The most common message of those rows, when there are any. */
  topError?: TopError;
}
