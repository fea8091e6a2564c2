import type { Writable } from 'node:stream';
import type { ClientEvent, ClientOptions, CoupaClient } from '../coupa/index.js';
import type { Mapping } from '../mapping/index.js';

/** Output formats of `export`. */
export type ExportFormat = 'csv' | 'jsonl' | 'xlsx';

export interface ExportOptions {
  /** Custom object id. Default: the mapping's `object`. */
  objectId?: number;
  /** A mapping file path or a loaded mapping: names the columns and formats values so the file imports again. */
  mapping?: string | Mapping;
  /** Output file, or `-` for {@link ExportOptions.stdout}. */
  out: string;
  /** Where `-` writes (default: none, which makes `-` a usage error in library use). Not ended by the export. */
  stdout?: Writable;
  /** Filters `<field>[<op>]=<value>` (see {@link parseFilter}), ANDed. */
  filters?: readonly string[];
  /** Incremental export: state file holding the `updated-at` watermark. */
  state?: string;
  /** How far before the watermark an incremental run starts asking, in ms. Default 5 minutes. */
  overlapMs?: number;
  /** Default `csv`. `xlsx`: one worksheet with typed cells (numbers, dates, booleans). */
  format?: ExportFormat;
  gzip?: boolean;
  /** Start a CSV with a UTF-8 BOM. */
  bom?: boolean;
  /** Escape cells that a spreadsheet would run as a formula. */
  excelSafe?: boolean;
  /**
   * A CSV for the user's spreadsheet: UTF-8 BOM, CRLF, formula escaping; with a mapping that has a `decimal: ","`
   * column, `;` as the delimiter. (The mapping's formats apply to every mapped export.)
   */
  excel?: boolean;
  /** Export at most this many records. */
  limit?: number;
  /** Id ranges paged at once (default: the client's concurrency, else 8). */
  concurrency?: number;
  /** Requests per second, used only when the export creates its client from options. */
  rate?: number;
  /** The instance's IANA time zone, for the mapping's dates. Default: the mapping's, else UTC. */
  timezone?: string;
  /** Client options (the export creates and closes the client) or a client to use (left open). */
  client: ClientOptions | CoupaClient;
  /** Aborting stops the export: nothing appears at `out`, the temporary file is removed. */
  signal?: AbortSignal;
  /** Clock, for tests of the state file. Default `() => new Date()`. */
  now?: () => Date;
}

export interface ExportProgress {
  /** Records written so far. */
  records: number;
  /** Index pages fetched so far (preflight excluded). */
  pages: number;
}

export interface ExportHooks {
  onProgress?: (progress: ExportProgress) => void;
  /** Client events (requests, retries, throttling), when the export creates the client. */
  onEvent?: (event: ClientEvent) => void;
  /** Things the user should know that do not stop the export (dropped fields, state not saved...). */
  onNotice?: (message: string) => void;
}

export interface ExportSummary {
  /** Records written. */
  records: number;
  /** Index pages fetched (preflight and range probes excluded). */
  pages: number;
  /** Every request sent, preflight included. */
  requests: number;
  retries: number;
  throttled: number;
  /** Records seen again in an incremental run's overlap window, unchanged, and left out. */
  repeats: number;
  elapsedMs: number;
  recordsPerSecond: number;
  /** The output path (`-` for stdout). */
  out: string;
  format: ExportFormat;
  /** Column names (CSV header, or JSONL keys with a mapping; unmapped JSONL: the CSV columns it would have). */
  columns: string[];
  /** True when `limit` stopped the export before the end. */
  truncated: boolean;
  /** The state file's new watermark (incremental runs). */
  watermark?: string;
  /** The state file, when one was saved. */
  state?: string;
}
