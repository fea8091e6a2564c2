import type { ClientStats } from '../coupa/index.js';
import type { ExportFormat, ExportOptions, ExportSummary } from './types.js';

/** What the summary is made of. */
export interface ExportSummaryInput {
  options: ExportOptions;
  format: ExportFormat;
  columns: string[];
  counts: { records: number; pages: number; repeats: number; truncated: boolean };
  /** The client's counters before the export and after it. */
  before: ClientStats;
  after: ClientStats;
  elapsedMs: number;
  /** The state file's watermark after the run (incremental runs). */
  watermark: string | undefined;
}

/** The summary of a finished export, for the CLI and `--json`. */
export function buildExportSummary(input: ExportSummaryInput): ExportSummary {
  const { options, counts, before, after, elapsedMs } = input;
  const { records, truncated } = counts;
  return {
    records,
    pages: counts.pages,
    requests: after.requests - before.requests,
    retries: after.retries - before.retries,
    throttled: after.throttled - before.throttled,
    repeats: counts.repeats,
    elapsedMs,
    recordsPerSecond: elapsedMs > 0 ? Math.round((records / elapsedMs) * 10_000) / 10 : records,
    out: options.out,
    format: input.format,
    columns: input.columns,
    truncated,
    ...(input.watermark === undefined ? {} : { watermark: input.watermark }),
    ...(options.state === undefined || truncated ? {} : { state: options.state }),
  };
}
