import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../shared/index.js';
import { formatLocal, formatWithOffset, parseIsoDateTime } from '../shared/index.js';
import { replacementTarget } from './output.js';

/** Default overlap: how far before the watermark an incremental run starts asking. */
export const DEFAULT_OVERLAP_MS = 5 * 60_000;

/**
 * The state file of an incremental export (JSON).
 *
 * ```json
 * { "version": 1, "object": 101, "watermark": "2026-05-01T10:15:30-07:00", "overlapMs": 300000,
 *   "exportedAt": "2026-05-01T17:20:00.000Z", "records": 42, "filters": [],
 *   "recent": { "1234": "2026-05-01T10:15:30-07:00" } }
 * ```
 * `watermark` is the newest `updated-at` the run can vouch for; `recent` holds the id and `updated-at` of every
 * record the run saw inside the overlap window (and changed before the run started), so the next run drops those
 * that did not change.
 */
export interface ExportState {
  version: 1;
  object: number;
  /** Newest `updated-at` exported, capped at the run's start (null: nothing exported yet). */
  watermark: string | null;
  overlapMs: number;
  /** When the run that wrote this file started (ISO, UTC). */
  exportedAt: string;
  /** Records written by that run. */
  records: number;
  filters: string[];
  /** id -> updated-at of the records seen with `updated-at >= watermark - overlap`. */
  recent: Record<string, string>;
}

/** Reads a state file; undefined when it does not exist (first run). Throws InputError('STATE') when unusable. */
export async function readState(path: string): Promise<ExportState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw new InputError('STATE', `cannot read the state file: ${errnoText(error)}`, { file: path });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new InputError('STATE', 'the state file is not JSON (delete it to export everything again)', {
      file: path,
    });
  }
  return validateState(data, path);
}

function validateState(data: unknown, path: string): ExportState {
  const bad = (what: string): InputError =>
    new InputError(
      'STATE',
      `not a coupa-csv export state file: ${what} (delete it to export everything again)`,
      {
        file: path,
      },
    );
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw bad('expected a JSON object');
  const o = data as Record<string, unknown>;
  if (o.version !== 1) throw bad(`unknown version ${JSON.stringify(o.version)}`);
  if (typeof o.object !== 'number' || !Number.isInteger(o.object)) throw bad('"object" is not an object id');
  if (o.watermark !== null && (typeof o.watermark !== 'string' || Number.isNaN(Date.parse(o.watermark)))) {
    throw bad('"watermark" is not a datetime');
  }
  const recent: Record<string, string> = {};
  if (o.recent !== undefined) {
    if (o.recent === null || typeof o.recent !== 'object' || Array.isArray(o.recent))
      throw bad('"recent" is not an object');
    for (const [id, at] of Object.entries(o.recent as Record<string, unknown>)) {
      if (typeof at === 'string') recent[id] = at;
    }
  }
  return {
    version: 1,
    object: o.object,
    watermark: o.watermark,
    overlapMs: typeof o.overlapMs === 'number' && o.overlapMs >= 0 ? o.overlapMs : DEFAULT_OVERLAP_MS,
    exportedAt: typeof o.exportedAt === 'string' ? o.exportedAt : '',
    records: typeof o.records === 'number' ? o.records : 0,
    filters: Array.isArray(o.filters) ? o.filters.filter((f): f is string => typeof f === 'string') : [],
    recent,
  };
}

/** Writes the state file atomically (temporary file beside it, then rename; through a link, over its target). */
export async function writeState(path: string, state: ExportState): Promise<void> {
  const target = replacementTarget(path);
  const tmp = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`,
  );
  try {
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { flag: 'wx' });
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new InputError('STATE', `cannot write the state file: ${errnoText(error)}`, { file: path });
  }
}

/**
 * Tracks an incremental run: the filter value to ask with, which records are repeats, and the next state.
 * Records are compared by instant (`Date.parse`), not by text, so a change of offset format is not a change.
 */
export class IncrementalTracker {
  private newest = Number.NEGATIVE_INFINITY;
  private newestText: string | undefined;
  private readonly seen = new Map<string, { text: string; ms: number; readAfter: number }>();
  private readonly previousRecent: Map<string, number>;
  private readonly startMs: number;
  private pruneAt = 1024;

  constructor(
    readonly previous: ExportState | undefined,
    readonly overlapMs: number,
    /** When the run started (local clock). */
    readonly startedAt: Date,
  ) {
    this.startMs = Math.floor(startedAt.getTime() / 1000) * 1000;
    this.previousRecent = new Map();
    for (const [id, at] of Object.entries(previous?.recent ?? {})) {
      const ms = Date.parse(at);
      if (!Number.isNaN(ms)) this.previousRecent.set(id, ms);
    }
  }

  /** The `updated-at[gt_or_eq]` value to ask with, or undefined for a first run (export everything). */
  since(): string | undefined {
    const wm = this.previous?.watermark;
    if (!wm) return undefined;
    return shiftDateTime(wm, -this.overlapMs);
  }

  /**
   * Records a record the index returned; true when it is a repeat of one the previous run exported unchanged.
   * `readAfter`: a time (this machine's clock, ms) before which the page holding it was not asked for; default the
   * run's start.
   */
  observe(id: number, updatedAt: unknown, readAfter = this.startedAt.getTime()): boolean {
    if (typeof updatedAt !== 'string') return false;
    const ms = Date.parse(updatedAt);
    if (Number.isNaN(ms)) return false;
    const key = String(id);
    if (ms > this.newest) {
      this.newest = ms;
      this.newestText = updatedAt;
    }
    // Only records that can fall inside the final overlap window are kept (the watermark never goes below this).
    const floor = Math.min(this.newest, this.startMs) - this.overlapMs;
    if (ms >= floor) {
      this.seen.set(key, { text: updatedAt, ms, readAfter });
      if (this.seen.size >= this.pruneAt) {
        for (const [k, v] of this.seen) if (v.ms < floor) this.seen.delete(k);
        this.pruneAt = Math.max(1024, this.seen.size * 2);
      }
    }
    return this.previousRecent.get(key) === ms;
  }

  /**
   * The state to save after a complete run. The watermark is the newest `updated-at` seen, but never later than
   * the run's start: a record changed during the run (after its page was read) has an `updated-at` after the start,
   * so the next run, asking from `watermark - overlap`, sees it again. Clock skew between this machine and the
   * instance up to the overlap is covered.
   *
   * `recent` (the records the next run skips when their `updated-at` is unchanged) holds only records whose
   * `updated-at` second had ended, on the instance's clock, before their page was asked for: a record changed again
   * within that second keeps the same `updated-at` text and would be taken for a repeat. `clockOffsetMs` is how far
   * the instance's clock is ahead of this machine's, at least (the client's `ClientStats.clockOffsetMs`); when
   * unknown, the instance is taken to be up to the overlap behind.
   */
  nextState(
    objectId: number,
    records: number,
    filters: readonly string[],
    clockOffsetMs?: number,
  ): ExportState {
    const startMs = this.startMs;
    let watermark: string | null = this.previous?.watermark ?? null;
    let watermarkMs = watermark === null ? Number.NEGATIVE_INFINITY : Date.parse(watermark);
    if (this.newestText !== undefined) {
      const candidateMs = Math.min(this.newest, startMs);
      if (candidateMs > watermarkMs) {
        watermarkMs = candidateMs;
        watermark =
          candidateMs === this.newest
            ? this.newestText
            : shiftDateTime(this.newestText, candidateMs - this.newest);
      }
    }
    const recent: Record<string, string> = {};
    if (watermark !== null) {
      const from = watermarkMs - this.overlapMs;
      const offset = clockOffsetMs ?? -this.overlapMs;
      for (const [id, { text, ms, readAfter }] of this.seen) {
        const secondEnd = Math.floor(ms / 1000) * 1000 + 1000;
        if (ms >= from && secondEnd <= readAfter + offset) recent[id] = text;
      }
    }
    return {
      version: 1,
      object: objectId,
      watermark,
      overlapMs: this.overlapMs,
      exportedAt: this.startedAt.toISOString(),
      records,
      filters: [...filters],
      recent,
    };
  }
}

/**
 * Moves a datetime by `deltaMs`, keeping its UTC offset (`2026-05-01T10:15:30-07:00` minus 5 minutes is
 * `2026-05-01T10:10:30-07:00`), whole seconds. The instant is read as the rest of the tracker reads it
 * (`Date.parse`); a text without an offset of its own (`Z`, a bare date) gives `Z`.
 * @throws RangeError when `Date.parse` cannot read `iso`
 */
export function shiftDateTime(iso: string, deltaMs: number): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not a datetime: ${iso}`);
  const shifted = Math.floor((ms + deltaMs) / 1000) * 1000;
  const text = iso.trim();
  const offset = /z$/i.test(text) ? undefined : parseIsoDateTime(text)?.offsetMs;
  return offset === undefined ? `${formatLocal(shifted)}Z` : formatWithOffset(shifted + offset, offset);
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function errnoText(error: unknown): string {
  if (error instanceof Error) {
    const e = error as NodeJS.ErrnoException;
    return e.code ? `${e.code} ${e.message.replace(/^[A-Z]+: /, '')}` : e.message;
  }
  return String(error);
}
