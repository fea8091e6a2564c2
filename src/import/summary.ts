import type { CoupaClient } from '../coupa/index.js';
import type { CsvSource } from '../csv/index.js';
import { InputError } from '../shared/index.js';
import type { PipelineResult } from './pipeline.js';
import type { ImportMode, ImportSummary } from './types.js';

/** What the summary is made of besides the pipeline's counts. */
export interface SummaryInput {
  file: string;
  objectId: number;
  mode: ImportMode;
  dryRun: boolean;
  plan: boolean;
  resultsPath: string;
  source: CsvSource;
  client: CoupaClient | undefined;
  /** `performance.now()` when the run started. */
  startedAt: number;
}

/** The summary of a finished run, for the CLI and `--json`. */
export function buildSummary(input: SummaryInput, outcome: PipelineResult): ImportSummary {
  const stats = input.client?.stats();
  const elapsedMs = Math.round(performance.now() - input.startedAt);
  return {
    file: input.file,
    object: input.objectId,
    mode: input.mode,
    dryRun: input.dryRun,
    plan: input.plan,
    rows: outcome.rows,
    created: outcome.created,
    updated: outcome.updated,
    unchanged: outcome.unchanged,
    wouldCreate: outcome.wouldCreate,
    wouldUpdate: outcome.wouldUpdate,
    failed: outcome.failed,
    invalid: outcome.invalid,
    valid: outcome.valid,
    unknown: outcome.unknown,
    notSent: outcome.notSent,
    skipped: outcome.skipped,
    retries: (stats?.retries ?? 0) + outcome.resent,
    throttled: stats?.throttled ?? 0,
    elapsedMs,
    rowsPerSecond: rate(outcome.rows - outcome.skipped - outcome.notSent, elapsedMs),
    results: input.resultsPath,
    encoding: input.source.encoding,
    delimiter: input.source.delimiter,
    lineEnding: input.source.lineEnding,
    interrupted: outcome.stop?.exitCode === 3,
    ...(outcome.stop ? { stopped: outcome.stop } : {}),
    serverFailed: outcome.serverFailed,
    ...(outcome.topError ? { topError: outcome.topError } : {}),
  };
}

/** Rows a second, one decimal: the rows this run handled (not carried over, not left unsent by a stop). */
function rate(rows: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((rows / elapsedMs) * 1000 * 10) / 10 : rows;
}

/** The error of an input with a header and no data rows. */
export function noRows(file: string): InputError {
  return new InputError('NO_ROWS', 'has a header but no data rows: nothing to import', { file });
}

/** Line numbers for a notice: sorted, the first 20 and how many more. */
export function formatLines(lines: number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  return sorted.length > 20
    ? `${sorted.slice(0, 20).join(', ')} and ${sorted.length - 20} more`
    : sorted.join(', ');
}
