import type { CsvRecord } from '../csv/index.js';
import type { Converted } from './identity.js';
import { KEY_LOOKUP_BATCH, LOOKUP_BATCH } from './key-batch.js';
import type { ResultRow } from './results-writer.js';
import { failRow } from './row-decision.js';
import type { LookupContext } from './send/context.js';
import { lookupForm, lookupMany, type Found } from './send/lookup.js';

/** What the stage does with a row: its final results row, a lookup to wait for, or nothing to look up. */
export type Routed =
  | { row: ResultRow }
  | { found: Promise<Found>; lock: string | undefined }
  | { found: undefined; lock: string | undefined };

/**
 * The per-window lookup stage between row-decision and the senders: rows that need their record looked up (upsert:
 * by key; update: by id; create with a key: by key) are collected, and each {@link LOOKUP_BATCH} of them costs one
 * `[in]` request (see `lookupMany`). The pipeline calls {@link flush} before it waits for the window and at the end.
 *
 * Batching must not change what a row finds: a row whose record an earlier row of this run is still being sent to
 * (same key or id) is not batched (its batch answer could be older than that row's write): it is looked up alone,
 * under its key's lock, when its turn comes (`found` undefined), as before batching. Create mode with a key: a key an
 * earlier row of the file had fails the row `duplicate-key` (naming that line) without a request; that needs every
 * key of the file (one map entry each).
 */
export class LookupStage {
  private pending: Array<{ value: string; resolve: (found: Found) => void }> = [];
  /** The pipeline's sequence number of the first row in {@link pending} (when there is one). */
  private firstPendingSeq = 0;
  /** Rows routed and not finished yet, by lock (key or id). */
  private readonly busy = new Map<string, number>();
  /** Create mode with a key: the first line of each key. */
  private readonly firstLine = new Map<string, number>();
  private readonly field: string | undefined;
  /** Rows a batch holds: one request's worth (50 ids, 49 keys: see key-batch.ts). */
  private readonly batchSize: number;

  constructor(
    private readonly ctx: LookupContext,
    private readonly plan: boolean,
    /** Create mode into an object that had no records when the run started: no key to look up. */
    private readonly nothingToFind = false,
  ) {
    this.field = ctx.mode === 'update' ? 'id' : ctx.mapping.key;
    this.batchSize = ctx.mode === 'update' ? LOOKUP_BATCH : KEY_LOOKUP_BATCH;
  }

  /**
   * True when the row with sequence number `seq` (the oldest the results file waits for) is in the batch being
   * filled: then nothing else can free the window, and the pipeline must {@link flush} before it waits. Flushing at
   * every wait instead would send a small batch each time a few rows finish.
   */
  holds(seq: number): boolean {
    return this.pending.length > 0 && this.firstPendingSeq <= seq;
  }

  /** Decides how `conv` (the row with sequence number `seq`) is looked up; call {@link done} with the lock once its row is finished. */
  route(record: CsvRecord, conv: Converted, seq: number): Routed {
    const { mode, identity, resumeState } = this.ctx;
    const lock = identity.lockOf(conv);
    const value =
      mode === 'update' ? (conv.id === undefined ? undefined : String(conv.id)) : identity.keyText(conv);
    if (this.field === undefined || value === undefined || lock === undefined)
      return { found: undefined, lock };
    if (mode === 'create') {
      // A row an earlier run may have stored goes its own way (sendCreate checks its own record).
      if (resumeState.uncertain.has(record.line) || resumeState.done.get(record.line)?.status === 'failed')
        return { found: undefined, lock: undefined };
      const first = this.firstLine.get(lock);
      if (first !== undefined) {
        return {
          row: failRow(
            this.planContext(),
            record,
            'duplicate-key',
            `not created: line ${first} has the same ${this.ctx.mapping.key ?? 'key'} (${value}); a key must be unique`,
          ),
        };
      }
      this.firstLine.set(lock, record.line);
      // Nothing was there to find; this run's own keys are the firstLine check above.
      if (this.nothingToFind) return { found: undefined, lock: undefined };
    }
    const busy = this.busy.get(lock) ?? 0;
    this.busy.set(lock, busy + 1);
    if (busy > 0 && !this.plan && mode !== 'create') return { found: undefined, lock };
    if (this.pending.length === 0) this.firstPendingSeq = seq;
    return { found: this.find(value), lock };
  }

  /** The row routed with `lock` is finished (written, or failed). */
  done(lock: string | undefined): void {
    if (lock === undefined) return;
    const busy = (this.busy.get(lock) ?? 1) - 1;
    if (busy <= 0) this.busy.delete(lock);
    else this.busy.set(lock, busy);
  }

  /** Sends the lookup of the rows collected so far (fewer than a batch). */
  flush(): void {
    const batch = this.pending;
    if (batch.length === 0 || this.field === undefined) return;
    this.pending = [];
    const field = this.field;
    lookupMany(
      this.ctx,
      field,
      batch.map((b) => b.value),
    ).then(
      (found) => {
        for (const b of batch) b.resolve({ matches: found.get(lookupForm(this.ctx, field, b.value)) ?? [] });
      },
      (error: unknown) => {
        for (const b of batch) b.resolve({ error });
      },
    );
  }

  private find(value: string): Promise<Found> {
    return new Promise((resolve) => {
      this.pending.push({ value, resolve });
      if (this.pending.length >= this.batchSize) this.flush();
    });
  }

  /** A plan's failed rows are `failed` (a run would fail them), not `invalid`. */
  private planContext(): Pick<LookupContext, 'dryRun' | 'resumeState'> {
    return { dryRun: false, resumeState: this.ctx.resumeState };
  }
}
