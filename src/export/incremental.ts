import { AbortedError, errorText, UsageError } from '../shared/index.js';
import { DEFAULT_OVERLAP_MS, IncrementalTracker, readState, writeState, type ExportState } from './state.js';
import type { ExportOptions } from './types.js';

/** An incremental run (`--state`): the state the previous run left, and the tracker of this one. */
export interface Incremental {
  /** The state file's path. */
  path: string;
  previous: ExportState | undefined;
  tracker: IncrementalTracker;
  /** The `updated-at[gt_or_eq]` value to ask with, or undefined for a first run (export everything). */
  since: string | undefined;
}

/**
 * Reads the state file of `--state` (undefined without it): it must belong to the same object. Says through `notice`
 * when the filters differ from the run that wrote it (records that match only the new ones are not exported).
 */
export async function startIncremental(
  options: ExportOptions,
  objectId: number,
  startedAt: Date,
  notice: (message: string) => void,
): Promise<Incremental | undefined> {
  const path = options.state;
  if (path === undefined) return undefined;
  const previous = await readState(path);
  if (previous && previous.object !== objectId) {
    throw new UsageError(
      `the state file ${path} belongs to object ${previous.object}, not ${objectId}: use another --state file`,
      'STATE',
    );
  }
  const tracker = new IncrementalTracker(previous, options.overlapMs ?? DEFAULT_OVERLAP_MS, startedAt);
  if (previous && !sameFilters(previous.filters, options.filters ?? [])) {
    notice(
      `the filters differ from the run that wrote ${path}: records that match only the new filters and ` +
        `did not change since ${previous.watermark ?? 'then'} are not exported (delete the state file for a full export)`,
    );
  }
  return { path, previous, tracker, since: tracker.since() };
}

/** What the finished export tells the state file. */
export interface IncrementalEnd {
  objectId: number;
  records: number;
  /** `--limit` stopped the export: the state file is left as it was. */
  truncated: boolean;
  filters: readonly string[];
  clockOffsetMs: number | undefined;
  /** The output, for the message when the state cannot be saved. */
  out: string;
}

/**
 * Saves the new watermark once the output is complete (not after a `--limit` stop, which says so through `notice`).
 * Returns the watermark the state file now holds. A state that cannot be saved is an AbortedError `STATE` (exit 3):
 * the output is in place, the next run repeats its records.
 */
export async function finishIncremental(
  incremental: Incremental,
  end: IncrementalEnd,
  notice: (message: string) => void,
): Promise<string | undefined> {
  if (end.truncated) {
    notice(`--limit stopped the export before the end: the state file ${incremental.path} was not updated`);
    return incremental.previous?.watermark ?? undefined;
  }
  const next = incremental.tracker.nextState(end.objectId, end.records, end.filters, end.clockOffsetMs);
  try {
    await writeState(incremental.path, next);
  } catch (error) {
    // The output is complete and in place; only the watermark could not be saved.
    throw new AbortedError(
      `the export is complete at ${end.out}, but the state file could not be saved (${errorText(error)}): ` +
        'the next run starts again from the previous watermark, so it repeats these records',
      'STATE',
    );
  }
  return next.watermark ?? undefined;
}

function sameFilters(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((f, i) => f === [...b].sort()[i]);
}
