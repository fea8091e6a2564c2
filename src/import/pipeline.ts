import * as fs from 'node:fs';
import pLimit from 'p-limit';
import type { CoupaClient, ObjectInstance } from '../coupa/index.js';
import type { CsvRecord, CsvSource } from '../csv/index.js';
import { convertRow } from '../mapping/index.js';
import type { BoundMapping, Mapping, RowConversion } from '../mapping/index.js';
import { fieldTypes } from './compare.js';
import { KeyIdentity, type Converted } from './identity.js';
import { LOOKUP_BATCH } from './key-batch.js';
import { LookupStage } from './lookup-stage.js';
import type { Journal } from './journal.js';
import type { ResumeState } from './resume.js';
import { ResultsWriter, resultsDialectOf, type ResultRow } from './results-writer.js';
import { decideRow, isFinalRow, notSentRow, type RowContext, type RowExtra } from './row-decision.js';
import type { LookupContext, SendContext } from './send/context.js';
import type { Found } from './send/lookup.js';
import { planRow } from './send/plan.js';
import { sendRow } from './send/send-row.js';
import { StopEarly } from './stop-early.js';
import { formatLines, noRows } from './summary.js';
import type { ImportHooks, ImportMode, ImportStop, ImportSummary } from './types.js';
import type { ZoneCheck } from './zone-check.js';

/** What one pass of the pipeline needs. `client` and `journal` are absent in a dry run. */
export interface PipelineOptions {
  source: CsvSource;
  bound: BoundMapping;
  mapping: Mapping;
  mode: ImportMode;
  objectId: number;
  timezone: string;
  dryRun: boolean;
  /** `--plan`: rows are looked up, not sent; `client` is set and `journal` absent. */
  plan?: boolean;
  limit: number | undefined;
  total: number | undefined;
  concurrency: number;
  resultsPath: string;
  journal: Journal | undefined;
  resumeState: ResumeState;
  client: CoupaClient | undefined;
  hooks: ImportHooks;
  signal: AbortSignal | undefined;
  /** Stop sending once this many rows failed on the server (besides the early stop of the first rows). */
  maxFailures?: number | undefined;
  /** The instance's offset, when it is learned from the first record stored (that row is sent alone). */
  zoneCheck?: ZoneCheck | undefined;
  /**
   * The preflight read no record: the object was empty when the run started, so a create's key check (looking for
   * records that already have a row's key) has nothing to find and is skipped. Keys repeated in the file are still
   * found (`duplicate-key`), and a resumed run's object is not empty.
   */
  emptyAtStart?: boolean;
}

/** The summary's row counts, plus the creates re-sent (counted as retries) and why the run stopped. */
export type PipelineResult = Pick<
  ImportSummary,
  | 'rows'
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'wouldCreate'
  | 'wouldUpdate'
  | 'failed'
  | 'invalid'
  | 'valid'
  | 'unknown'
  | 'skipped'
  | 'notSent'
  | 'serverFailed'
  | 'topError'
> & { resent: number; stop: ImportStop | undefined };

/**
 * The sending pass reads 16 KiB at a time instead of 64: its first requests wait for ~150 parsed rows instead of
 * ~600, and a chunk's parse holds answers that arrive meanwhile for a quarter of the time. Its pace is the
 * network's, so the extra chunks cost nothing there; whole-file passes (row count, dry run) keep the default.
 */
const SENDING_CHUNK = { chunkBytes: 16 * 1024 };

/**
 * Reads the rows, decides each (row-decision), sends those that need a request (send/) at most `concurrency` at a
 * time, and writes every results row in input order (results-writer's reorder buffer), with progress after each.
 * A bounded window of rows lies between the oldest unwritten and the newest read, so memory stays flat.
 *
 * Rows that need their record looked up pass the lookup stage (lookup-stage.ts) between `decideRow` and `sendRow`:
 * one `[in]` request per 49 keys or 50 ids, each row handed its matches; the window then holds several batches, so
 * that the next batches are looked up while the rows of the first are sent. `--plan` stops after that stage
 * (send/plan.ts). Two gates hold a row back before its request (see {@link Pipeline.gate}): stop early (too many rows
 * failed on the server: rows not sent end `stopped`) and the time-zone probe (the first stored record is awaited).
 */
export async function runPipeline(options: PipelineOptions): Promise<PipelineResult> {
  return new Pipeline(options).execute();
}

class Pipeline {
  private readonly counts = {
    created: 0,
    updated: 0,
    unchanged: 0,
    wouldCreate: 0,
    wouldUpdate: 0,
    failed: 0,
    invalid: 0,
    valid: 0,
    skipped: 0,
  };
  private done = 0;
  private stop: ImportStop | undefined;
  /** Who waits for the next row to finish: the reading loop, and rows held at the gates (see {@link gate}). */
  private waiters: (() => void)[] = [];
  private readonly writer: ResultsWriter;
  private readonly window: number;
  private readonly identity: KeyIdentity;
  private readonly rowContext: RowContext;
  private readonly sendContext: SendContext | undefined;
  private readonly lookupContext: LookupContext | undefined;
  private readonly stage: LookupStage | undefined;
  /** Plan, upsert: keys rows of the plan would create (see planRow). */
  private readonly wouldCreate = new Map<string, number>();
  private readonly sentAgain: (record: CsvRecord) => RowConversion | undefined;
  private readonly stopEarly: StopEarly;
  /** Rows whose request is under way (sent, or waiting for the limiter). */
  private sending = 0;

  constructor(private readonly s: PipelineOptions) {
    this.stopEarly = new StopEarly(s.maxFailures);
    const plan = s.plan === true;
    this.writer = new ResultsWriter(s.resultsPath, s.source.header, resultsDialectOf(s.source), plan);
    const looksUp = !s.dryRun && (s.mode !== 'create' || s.mapping.key !== undefined);
    // Batched lookups: enough rows ahead for a batch per request in flight, plus the one being filled. A create into
    // an object found empty looks nothing up (lookup-stage.ts): the small window, whose first fill (rows converted
    // before the first requests leave, ~50 ms for 900 rows) stays short.
    // A create's key check, into an object the preflight found empty: nothing to find (lookup-stage.ts).
    const nothingToFind = s.mode === 'create' && s.emptyAtStart === true;
    const batches = looksUp && !nothingToFind;
    this.window = Math.max(16, s.concurrency * 4, batches ? LOOKUP_BATCH * (s.concurrency + 2) : 0);
    this.identity = new KeyIdentity({ mode: s.mode, mapping: s.mapping, resumeState: s.resumeState });
    this.rowContext = {
      mode: s.mode,
      dryRun: s.dryRun || plan,
      plan,
      bound: s.bound,
      mapping: s.mapping,
      timezone: s.timezone,
      resumeState: s.resumeState,
    };
    this.lookupContext = s.client
      ? {
          client: s.client,
          mode: s.mode,
          objectId: s.objectId,
          mapping: s.mapping,
          dryRun: s.dryRun,
          resumeState: s.resumeState,
          identity: this.identity,
          fieldTypes: fieldTypes(s.mapping.fields),
          stopped: () => this.stop,
          halt: (stop) => this.halt(stop),
        }
      : undefined;
    this.sendContext =
      this.lookupContext && s.journal && !plan
        ? {
            ...this.lookupContext,
            journal: s.journal,
            counts: { unknown: 0, resent: 0, notSent: 0 },
            uncertainLines: [],
            stopped: () => this.stop,
            halt: (stop) => this.halt(stop),
            checkStored: s.zoneCheck ? (line, returned) => this.checkZone(line, returned) : undefined,
          }
        : undefined;
    this.stage =
      this.lookupContext && looksUp ? new LookupStage(this.lookupContext, plan, nothingToFind) : undefined;
    this.sentAgain = (record) => this.reapplied(record);
  }

  async execute(): Promise<PipelineResult> {
    const { signal } = this.s;
    const onAbort = (): void => this.halt({ code: 'INTERRUPTED', message: 'run interrupted', exitCode: 3 });
    signal?.addEventListener('abort', onAbort, { once: true });
    const limiter = pLimit(this.s.concurrency);
    const tasks = new Set<Promise<void>>();
    let seq = 0;
    let notSentHere = 0;
    let readError: unknown;
    let internalError: unknown;
    if (signal?.aborted) onAbort();
    try {
      reading: for await (const batch of this.s.source.batches(this.s.dryRun ? {} : SENDING_CHUNK)) {
        for (const record of batch) {
          // Stop reading while the window is full: memory stays constant and the reorder buffer stays small.
          while (seq - this.writer.written >= this.window) {
            // When the oldest row the file waits for is in the batch being filled, nothing else frees the window.
            if (this.stage?.holds(this.writer.written)) this.stage.flush();
            await this.nextWake();
          }
          const mySeq = seq++;
          // Rows that need no request (dry runs, conversion errors, resumed rows) finish here, without a task.
          // Decided even after a stop: rows carried over from an earlier run keep their outcome and id.
          let decision = decideRow(this.rowContext, record, this.sentAgain);
          if (this.stop && !isFinalRow(decision)) {
            notSentHere++;
            decision = notSentRow(this.rowContext, record, this.stop);
          }
          if (!isFinalRow(decision) && this.mustWait()) {
            await this.gate();
            if (this.stop) {
              notSentHere++;
              decision = notSentRow(this.rowContext, record, this.stop);
            }
          }
          if (isFinalRow(decision)) {
            this.finish(mySeq, decision);
          } else {
            const conv = decision;
            this.identity.noteSending(record.line, conv);
            const routed = this.stage?.route(record, conv, mySeq) ?? { found: undefined, lock: undefined };
            if ('row' in routed) {
              this.finish(mySeq, routed.row);
            } else {
              const lock = routed.lock;
              const task = this.handle(limiter, record, conv, routed.found)
                .then((row) => this.finish(mySeq, row))
                .catch((error: unknown) => {
                  internalError ??= error;
                  this.wakeUp();
                })
                .finally(() => this.stage?.done(lock));
              tasks.add(task);
              void task.finally(() => tasks.delete(task));
            }
          }
          if (this.s.limit !== undefined && seq >= this.s.limit) break reading;
        }
        if (this.writer.needsDrain) await this.writer.drain();
      }
    } catch (error) {
      readError = error;
    }
    this.stage?.flush();
    await Promise.all(tasks);
    signal?.removeEventListener('abort', onAbort);
    if (internalError !== undefined) {
      // Rows finished so far go to the file now (no write may follow the rejection); the journal stays for --resume.
      await this.writer.close().catch(() => undefined);
      this.s.journal?.close();
      throw asError(internalError);
    }

    if (readError !== undefined) {
      // The file stopped being readable part-way (changed under us, or a dry run meeting an unclosed quote).
      await this.writer.close().catch(() => undefined);
      if (this.s.dryRun) fs.rmSync(this.s.resultsPath, { force: true });
      this.s.journal?.close();
      throw asError(readError);
    }
    if (seq === 0) {
      // Only dry runs get here (real runs counted the rows first): leave no header-only results file.
      throw noRows(this.s.source.file);
    }
    await this.writer.close();
    // The results file now has every row: it is the resume record from here on.
    this.s.journal?.remove();
    const sent = this.sendContext?.counts ?? { unknown: 0, resent: 0, notSent: 0 };
    const uncertain = this.sendContext?.uncertainLines ?? [];
    if (uncertain.length > 0) {
      this.s.hooks.onNotice?.(
        `outcome unknown for line${uncertain.length > 1 ? 's' : ''} ${formatLines(uncertain)}: ` +
          'these rows may or may not exist in Coupa (the mapping has no key to look them up); check them in Coupa. ' +
          'To send one again, delete its row from the results file and run with --resume.',
      );
    }
    if (this.stop && this.stop.code !== 'INTERRUPTED')
      this.s.hooks.onNotice?.(`stopped: ${this.stop.message}`);
    const topError = this.stopEarly.top();
    return {
      rows: seq,
      ...this.counts,
      unknown: sent.unknown,
      resent: sent.resent,
      notSent: sent.notSent + notSentHere,
      serverFailed: this.stopEarly.serverFailed,
      ...(topError ? { topError } : {}),
      stop: this.stop,
    };
  }

  /** True when a row to send must wait: a zone probe is under way, or the failures allowed are all in flight. */
  private mustWait(): boolean {
    if (this.sending === 0) return false;
    return this.s.zoneCheck?.probing() === true || this.sending >= this.stopEarly.allowance();
  }

  /** Waits until a row may be sent (see {@link mustWait}) or the run stopped. */
  private async gate(): Promise<void> {
    while (!this.stop && this.mustWait()) await this.nextWake();
  }

  /** A sent row's outcome, counted for stop early while the row still holds its request slot. */
  private noteSent(row: ResultRow): void {
    const stop = this.stopEarly.note(row);
    if (stop) this.halt(stop);
  }

  /** The zone probe's answer: a record stored with shifted dates stops the run (exit 2) and is marked in its row. */
  private checkZone(line: number, returned: ObjectInstance): RowExtra | undefined {
    const verdict = this.s.zoneCheck?.checkStored(line, returned);
    if (!verdict) return undefined;
    this.halt(verdict.stop);
    return verdict.extra;
  }

  private wakeUp(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * A converted row's results row: planned (plan) or sent, with what its lookup finds. Called in input order: the row
   * takes its place in its record's queue (sendRow) before its lookup is answered.
   */
  private async handle(
    limiter: ReturnType<typeof pLimit>,
    record: CsvRecord,
    conv: Converted,
    found: Promise<Found> | undefined,
  ): Promise<ResultRow> {
    if (this.s.plan === true) {
      const ctx = this.lookupContext;
      if (!ctx) throw new Error('internal: no client');
      const answer = await found;
      if (this.stop) return notSentRow(this.rowContext, record, this.stop);
      const row = planRow(ctx, record, conv, answer, this.wouldCreate);
      this.noteSent(row);
      return row;
    }
    const ctx = this.sendContext;
    if (!ctx) throw new Error('internal: no client');
    // A request slot, then the gates (stop early, the zone probe): a row counts as sending only while it holds both.
    return sendRow(ctx, record, conv, found, (fn) =>
      limiter(async () => {
        // The check and the count with no await between them: two rows never pass on the same free place.
        while (!this.stop && this.mustWait()) await this.nextWake();
        this.sending++;
        try {
          const row = await fn();
          // Counted before the slot is freed: a row woken by the release must see a stop this outcome causes.
          this.noteSent(row);
          return row;
        } finally {
          this.sending--;
          this.wakeUp();
        }
      }),
    );
  }

  private nextWake(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
    });
  }

  private halt(stop: ImportStop): void {
    this.stop ??= stop;
    this.wakeUp();
  }

  /**
   * A row the run being resumed applied, whose record an earlier row of this run is sent to again (that row failed,
   * or was not sent, before): sent again after it, or the earlier row's values would win over the later row's.
   * Its conversion when it is, else undefined (carried over).
   */
  private reapplied(record: CsvRecord): RowConversion | undefined {
    if (this.identity.nothingSentAgain) return undefined;
    const conv = convertRow(this.s.bound, record.cells, this.s.timezone, record.typed);
    if (!conv.ok || !this.identity.isSentAgain(conv)) return undefined;
    this.s.journal?.reapplied(record.line);
    return conv;
  }

  private finish(seq: number, row: ResultRow): void {
    switch (row.carried ? 'carried' : row.status) {
      case 'carried':
        this.counts.skipped++;
        break;
      case 'created':
      case 'updated':
      case 'unchanged':
      case 'valid':
      case 'invalid':
        this.counts[row.status as 'created' | 'updated' | 'unchanged' | 'valid' | 'invalid']++;
        break;
      case 'would-create':
        this.counts.wouldCreate++;
        break;
      case 'would-update':
        this.counts.wouldUpdate++;
        break;
      case 'failed':
        this.counts.failed++;
        break;
    }
    this.done++;
    this.writer.put(seq, row);
    this.wakeUp();
    const { created, updated, unchanged, failed, invalid, valid, skipped } = this.counts;
    this.s.hooks.onProgress?.({
      done: this.done,
      ...(this.s.total !== undefined ? { total: this.s.total } : {}),
      created,
      updated,
      failed,
      invalid,
      valid,
      skipped,
      unchanged,
    });
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
