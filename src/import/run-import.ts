import * as fs from 'node:fs';
import * as path from 'node:path';
import pLimit from 'p-limit';
import { guardCallbacks } from '../shared/callbacks.js';
import { CoupaApiError, OutcomeUnknownError } from '../coupa/errors.js';
import type { CoupaClient, ObjectInstance } from '../coupa/types.js';
import { openCsv } from '../csv/index.js';
import type { CsvReadOptions, CsvRecord, CsvSource } from '../csv/types.js';
import { AbortedError, AuthError, errorText, InputError, UsageError } from '../shared/errors.js';
import { checkWritableFile, sameFile } from '../shared/files.js';
import { unlessAborted } from '../shared/abort.js';
import { bindMapping, convertRow, droppedFields, loadMapping } from '../mapping/index.js';
import { closestHeader } from '../mapping/convert.js';
import { parseDecimal, readIsoDate } from '../mapping/values.js';
import { zonedMidnight } from '../shared/time.js';
import {
  checkObjectId,
  checkPositiveWholeNumber,
  checkTimeZone,
  openClient,
  readPreflight,
  type RunClient,
} from '../run/index.js';
import type { BoundMapping, Mapping, RowConversion } from '../mapping/types.js';
import { Journal, journalPathFor, type JournalHeader } from './journal.js';
import {
  checkRowUnchanged,
  hashCells,
  holdsAppliedRows,
  loadResumeState,
  NOT_SENT,
  sentAtNote,
  unfinishedRun,
  type ResumeState,
} from './resume.js';
import { ResultsWriter, type ResultRow } from './results-writer.js';
import { lockResults } from './lock.js';
import type { ImportHooks, ImportMode, ImportOptions, ImportStop, ImportSummary } from './types.js';

/**
 * How many times a create is sent when its outcome stays unknown and the key lookup finds nothing: one first try plus
 * as many re-sends as the client retries other requests (its default `maxRetries`).
 */
const MAX_CREATE_ATTEMPTS = 7;

export const UNKNOWN_OUTCOME_MESSAGE =
  'outcome unknown: the request may or may not have created the record (connection lost / HTTP 5xx); check Coupa before re-running this line';
export const IN_FLIGHT_MESSAGE =
  'outcome unknown: this row was in flight when the previous run was killed; check Coupa for it';

/**
 * Imports a CSV file into a Coupa custom object and writes a results CSV (one row per input record, in input
 * order). Throws InputError / ConfigError / UsageError (exit 2) for problems found before anything is sent, and
 * AuthError / AbortedError (exit 3) when the preflight read fails; once rows are being sent, a run that has to
 * stop (Ctrl-C through `signal`, auth refused, instance unreachable, a dropped field) still completes the results
 * file and reports why in `summary.stopped`.
 *
 * @example
 * const summary = await runImport({ file: 'vendors.csv', mapping: 'vendors.mapping.yaml', clientOptions });
 * if (summary.failed > 0) console.log(`see ${summary.results}`);
 */
export async function runImport(
  options: ImportOptions,
  callerHooks: ImportHooks = {},
): Promise<ImportSummary> {
  const hooks = guardCallbacks(callerHooks);
  const startedAt = performance.now();
  const mode: ImportMode = options.mode ?? 'create';
  const dryRun = options.dryRun === true;
  const resume = options.resume === true;
  const concurrency = checkPositiveWholeNumber(options.concurrency ?? 8, 'concurrency');
  const limit = options.limit === undefined ? undefined : checkPositiveWholeNumber(options.limit, 'limit');
  if (limit !== undefined && resume) {
    // The results file must keep every row an earlier run applied; rows past the limit would drop out of it.
    throw new UsageError(
      '--limit cannot be combined with --resume: resume the whole file (a canary run with --limit, then --resume, works)',
    );
  }
  if (options.rate !== undefined && !(options.rate > 0)) {
    throw new UsageError(`--rate must be a positive number, got ${String(options.rate)}`);
  }
  if (dryRun && resume)
    throw new UsageError('--resume cannot be combined with --dry-run (validate sends nothing)');

  const file = path.resolve(options.file);
  const mapping: Mapping =
    typeof options.mapping === 'string' ? await loadMapping(options.mapping) : options.mapping;
  const objectId = options.objectId ?? mapping.object;
  if (objectId === undefined) {
    throw new UsageError(
      `no custom object id: set "object:" in ${mapping.file} or pass --object`,
      'NO_OBJECT',
    );
  }
  checkObjectId(objectId);
  const timezone = checkTimeZone(options.timezone ?? mapping.timezone ?? 'UTC');
  for (const [field, value] of Object.entries(mapping.constants)) {
    if (typeof value !== 'string' || readIsoDate(value.trim()) === undefined) continue;
    // Constants are sent as written (the field may be text); a date field would read this as midnight UTC.
    hooks.onNotice?.(
      `constant ${field}: ${value} is sent as written; if ${field} is a date field, Coupa reads it as midnight UTC, ` +
        `the day before in a zone west of UTC: write it as ${zonedMidnight(value.trim(), timezone)} (midnight in ${timezone})`,
    );
  }
  // Repeated header names are refused only when the mapping reads one of them (bindMapping).
  const csvOptions: CsvReadOptions = {
    allowDuplicateHeaders: true,
    columns: mapping.fields.map((f) => f.column),
    ...(options.encoding ? { encoding: options.encoding } : {}),
    ...(options.delimiter ? { delimiter: options.delimiter } : {}),
  };

  const source = await openCsv(file, csvOptions);
  hooks.onDetected?.({
    encoding: source.encoding,
    delimiter: source.delimiter,
    lineEnding: source.lineEnding,
  });
  const bound = bindMapping(mapping, source.header, file);
  checkModePrerequisites(mode, mapping, bound);

  const resultsPath = path.resolve(options.results ?? defaultResultsPath(file));
  if (sameFile(resultsPath, file)) throw new UsageError('--results must not be the input file');
  if (sameFile(resultsPath, mapping.file)) throw new UsageError('--results must not be the mapping file');
  checkWritableFile(resultsPath, 'results file');
  const journalPath = journalPathFor(resultsPath);
  const unlock = lockResults(resultsPath);
  try {
    if (!resume && fs.existsSync(journalPath)) {
      // Starting over would overwrite the only record of what the killed run applied.
      throw new InputError(
        'RESUME_PENDING',
        dryRun
          ? `belongs to an import that was stopped before it finished (journal ${journalPath}): validate with --results <another file>, or finish the import with --resume first`
          : `a previous run into this results file was stopped before it finished (journal ${journalPath}): add --resume to finish it, or delete the journal to start over`,
        { file: resultsPath },
      );
    }

    if (!dryRun && !resume && mode === 'create') {
      const earlier = await unfinishedRun(resultsPath);
      if (earlier) {
        throw new InputError(
          'RESUME_PENDING',
          `a previous run into this results file stopped before it finished (${earlier.applied} ${earlier.applied === 1 ? 'row' : 'rows'} applied, ${earlier.notSent} not sent); running it again in create mode would create the applied rows a second time: add --resume to finish it, or pass --results <another file> (or delete this one) to start over`,
          { file: resultsPath },
        );
      }
    }

    if (dryRun && (await holdsAppliedRows(resultsPath))) {
      throw new InputError(
        'RESULTS_IN_USE',
        'holds the results of an import (rows created/updated); a dry run would replace them and a later --resume could no longer skip those rows: pass --results <another file>',
        { file: resultsPath },
      );
    }

    const journalHeader: JournalHeader = {
      v: 1,
      input: file,
      object: objectId,
      mode,
      ...(mapping.key !== undefined ? { key: mapping.key } : {}),
      // Before anything is sent: a record with a row's key created clearly earlier is not this run's.
      t: Date.now(),
    };
    let resumeState: ResumeState = { source: 'none', done: new Map(), uncertain: new Map() };
    // Said once the file has been checked against it: a resume refused for a changed row says only that.
    let resumeNote: string | undefined;
    if (resume) {
      resumeState = await loadResumeState({
        resultsPath,
        journalPath,
        header: journalHeader,
        inputHeader: source.header,
      });
      if (resumeState.source === 'none') {
        resumeNote = `nothing to resume (no ${path.basename(resultsPath)} or journal): starting a full run`;
      } else {
        const carried = [...resumeState.done.values()].filter((d) => d.status !== 'failed').length;
        resumeNote =
          `resuming from the ${resumeState.source === 'journal' ? 'journal of a killed run' : 'results file'}: ${carried} rows already applied are carried over` +
          (resumeState.uncertain.size > 0
            ? `, ${resumeState.uncertain.size} rows have an uncertain outcome`
            : '');
      }
    }

    // Loaded only for real runs (a dry run needs no HTTP stack), while the file is read: the two overlap.
    const clientModule =
      !dryRun && !options.client && options.clientOptions ? import('../coupa/index.js') : undefined;
    void clientModule?.catch(() => undefined); // awaited below unless the reading fails first
    // Real runs read the file once before sending anything: the progress total, file-level errors (an unclosed
    // quote at the end) and rows changed since the run being resumed, all found before the first write.
    let total: number | undefined;
    if (!dryRun) {
      total = await countRecords(source, limit, (record) =>
        checkRowUnchanged(resumeState, record.line, record.cells, file),
      );
      if (total === 0) throw noRows(file);
    }
    if (resumeNote !== undefined) hooks.onNotice?.(resumeNote);

    if (options.signal?.aborted)
      throw new AbortedError('interrupted before anything was sent', 'INTERRUPTED');

    let session: RunClient | undefined;
    if (!dryRun) {
      session = openClient({
        client: options.client,
        clientOptions: options.clientOptions,
        overrides: { concurrency, ...(options.rate !== undefined ? { rate: options.rate } : {}) },
        onEvent: hooks.onEvent,
        create: clientModule
          ? (await clientModule).createClient
          : () => {
              throw new Error('internal: no client module');
            },
      });
      if (!session)
        throw new UsageError('no Coupa connection: pass clientOptions or client (or use a dry run)');
    }
    const client = session?.client;

    try {
      // The preflight retries an unreachable instance for a while: Ctrl-C must not wait for that.
      if (client)
        await unlessAborted(
          preflight(client, objectId),
          options.signal,
          () => new AbortedError('interrupted before anything was sent', 'INTERRUPTED'),
        );
      const run = new ImportRun({
        source,
        bound,
        mapping,
        mode,
        objectId,
        timezone,
        dryRun,
        limit,
        total,
        concurrency,
        resultsPath,
        journal: client ? Journal.start(journalPath, journalHeader, resumeState) : undefined,
        resumeState,
        client,
        hooks,
        signal: options.signal,
      });
      const outcome = await run.execute();
      const stats = client?.stats();
      const elapsedMs = Math.round(performance.now() - startedAt);
      const summary: ImportSummary = {
        file,
        object: objectId,
        mode,
        dryRun,
        rows: outcome.rows,
        created: outcome.created,
        updated: outcome.updated,
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
        results: resultsPath,
        encoding: source.encoding,
        delimiter: source.delimiter,
        lineEnding: source.lineEnding,
        interrupted: outcome.stop?.exitCode === 3,
        ...(outcome.stop ? { stopped: outcome.stop } : {}),
      };
      return summary;
    } finally {
      await session?.close();
    }
  } finally {
    unlock();
  }
}

/** `<input without .csv>.results.csv` beside the input. */
export function defaultResultsPath(file: string): string {
  const base = file.replace(/\.csv$/i, '');
  return `${base}.results.csv`;
}

function noRows(file: string): InputError {
  return new InputError('NO_ROWS', 'has a header but no data rows: nothing to import', { file });
}

function checkModePrerequisites(mode: ImportMode, mapping: Mapping, bound: BoundMapping): void {
  if (mode === 'update') {
    if (mapping.id === undefined) {
      throw new InputError(
        'MAPPING',
        '--mode update needs "id:" (the column holding the Coupa instance id)',
        {
          file: mapping.file,
        },
      );
    }
    if (bound.idIndex === undefined) {
      throw new InputError(
        'MISSING_COLUMN',
        `--mode update needs the id column "${mapping.id}", which the header lacks${closestHeader(mapping.id, bound.header)}`,
        {
          file: bound.file,
          line: 1,
        },
      );
    }
  }
  if (mode === 'upsert') {
    if (mapping.key === undefined) {
      throw new InputError(
        'MAPPING',
        '--mode upsert needs "key:" (a unique custom field to find existing records by)',
        {
          file: mapping.file,
        },
      );
    }
    if (bound.keyIndex === undefined) {
      throw new InputError(
        'MAPPING',
        `--mode upsert: the key field "${mapping.key}" is not mapped from any column`,
        {
          file: mapping.file,
        },
      );
    }
  }
  const keySpec = mapping.fields.find((f) => f.field === mapping.key);
  if (keySpec && (keySpec.type === 'lookup' || keySpec.type === 'user' || keySpec.type === 'supplier')) {
    // Records are looked up by the key's value (an index filter on the field): a reference cannot be one.
    throw new InputError(
      'MAPPING',
      `"key: ${mapping.key}" is a ${keySpec.type} reference; the key must be a plain field (text, number or date) whose value is unique`,
      { file: mapping.file },
    );
  }
}

async function countRecords(
  source: CsvSource,
  limit: number | undefined,
  check: (record: CsvRecord) => void,
): Promise<number> {
  let count = 0;
  // Batches, not records(): one await per chunk instead of one per row (about 10% of this pass).
  for await (const batch of source.batches()) {
    for (const record of batch) {
      check(record);
      count++;
      if (limit !== undefined && count >= limit) return count;
    }
  }
  return count;
}

async function preflight(client: CoupaClient, objectId: number): Promise<void> {
  try {
    await readPreflight(client, objectId, [['limit', '1']], 'check "object:" in the mapping or --object');
  } catch (error) {
    if (error instanceof CoupaApiError) {
      throw new AbortedError(
        `the preflight read of object ${objectId} failed: ${error.message}`,
        'PREFLIGHT',
      );
    }
    throw error;
  }
}

interface RunSettings {
  source: CsvSource;
  bound: BoundMapping;
  mapping: Mapping;
  mode: ImportMode;
  objectId: number;
  timezone: string;
  dryRun: boolean;
  limit: number | undefined;
  total: number | undefined;
  concurrency: number;
  resultsPath: string;
  journal: Journal | undefined;
  resumeState: ResumeState;
  client: CoupaClient | undefined;
  hooks: ImportHooks;
  signal: AbortSignal | undefined;
}

/** The summary's row counts, plus the creates re-sent (counted as retries) and why the run stopped. */
type RunOutcome = Pick<
  ImportSummary,
  'rows' | 'created' | 'updated' | 'failed' | 'invalid' | 'valid' | 'unknown' | 'skipped' | 'notSent'
> & { resent: number; stop: ImportStop | undefined };

type Converted = Extract<ReturnType<typeof convertRow>, { ok: true }>;

/**
 * The sending pass reads 16 KiB at a time instead of 64: its first requests wait for ~150 parsed rows instead of
 * ~600, and a chunk's parse holds answers that arrive meanwhile for a quarter of the time. Its pace is the
 * network's, so the extra chunks cost nothing there; whole-file passes (row count, dry run) keep the default.
 */
const SENDING_CHUNK = { chunkBytes: 16 * 1024 };

/** One run of the pipeline: a bounded window of rows between the oldest unwritten and the newest read. */
class ImportRun {
  private readonly counts = {
    created: 0,
    updated: 0,
    failed: 0,
    invalid: 0,
    valid: 0,
    unknown: 0,
    skipped: 0,
    resent: 0,
    notSent: 0,
  };
  private done = 0;
  private stop: ImportStop | undefined;
  private readonly keyLocks = new Map<string, Promise<void>>();
  /**
   * Ids that rows of this run stand for, with when they were claimed: a lost create's
   * lookup by key must not take one of them for its own record (two rows with the same key, the second's create
   * lost). Only recent ones matter (an older record fails the lookup's created-before check anyway), so entries older
   * than {@link CLAIM_WINDOW_MS} are dropped: the map stays bounded by the rate, not by the file's length.
   */
  private readonly claimed = new Map<number, number>();
  private claimsSincePrune = 0;
  /** Ids the rows carried over from the run being resumed stand for (held whole, as the resume state is). */
  private readonly resumedIds = new Set<number>();
  /**
   * Update and upsert resumes: the records (see {@link lockOf}) that rows of this run were sent to, while rows
   * carried over still lie ahead. A carried row whose record an earlier row is sent to again is sent again after it,
   * so that the last row of the file still wins.
   */
  private readonly sentLocks = new Set<string>();
  private readonly lastCarriedLine: number;
  private readonly uncertainFailed: number[] = [];
  private wake: (() => void) | undefined;
  private readonly writer: ResultsWriter;
  private readonly window: number;

  private readonly decimalKey: boolean;

  constructor(private readonly s: RunSettings) {
    this.writer = new ResultsWriter(s.resultsPath, s.source.header);
    this.window = Math.max(16, s.concurrency * 4);
    this.decimalKey = s.mapping.fields.some((f) => f.field === s.mapping.key && f.type === 'decimal');
    let last = 0;
    for (const [line, done] of s.resumeState.done) {
      this.resumedIds.add(done.id);
      if (done.status !== 'failed') last = Math.max(last, line);
    }
    this.lastCarriedLine = s.mode === 'create' ? 0 : last;
  }

  async execute(): Promise<RunOutcome> {
    const { signal } = this.s;
    const onAbort = (): void => this.halt({ code: 'INTERRUPTED', message: 'run interrupted', exitCode: 3 });
    signal?.addEventListener('abort', onAbort, { once: true });
    const limiter = pLimit(this.s.concurrency);
    const tasks = new Set<Promise<void>>();
    let seq = 0;
    let readError: unknown;
    let internalError: unknown;
    if (signal?.aborted) onAbort();
    try {
      reading: for await (const batch of this.s.source.batches(this.s.dryRun ? {} : SENDING_CHUNK)) {
        for (const record of batch) {
          // Stop reading while the window is full: memory stays constant and the reorder buffer stays small.
          while (seq - this.writer.written >= this.window) await this.nextWake();
          const mySeq = seq++;
          // Rows that need no request (dry runs, conversion errors, resumed rows) finish here, without a task.
          // Prepared even after a stop: rows carried over from an earlier run keep their outcome and id.
          let prepared = this.prepareRow(record);
          if (this.stop && !('status' in prepared)) prepared = this.notSent(record);
          if ('status' in prepared) {
            this.finish(mySeq, prepared);
          } else {
            if (record.line < this.lastCarriedLine) {
              const lock = this.lockOf(prepared);
              if (lock !== undefined) this.sentLocks.add(lock);
            }
            const task = limiter(() => this.sendRow(record, prepared))
              .then((row) => this.finish(mySeq, row))
              .catch((error: unknown) => {
                internalError ??= error;
              });
            tasks.add(task);
            void task.finally(() => tasks.delete(task));
          }
          if (this.s.limit !== undefined && seq >= this.s.limit) break reading;
        }
        if (this.writer.needsDrain) await this.writer.drain();
      }
    } catch (error) {
      readError = error;
    }
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
    if (this.uncertainFailed.length > 0) {
      this.s.hooks.onNotice?.(
        `outcome unknown for line${this.uncertainFailed.length > 1 ? 's' : ''} ${formatLines(this.uncertainFailed)}: ` +
          'these rows may or may not exist in Coupa (the mapping has no key to look them up); check them in Coupa. ' +
          'To send one again, delete its row from the results file and run with --resume.',
      );
    }
    if (this.stop && this.stop.code !== 'INTERRUPTED')
      this.s.hooks.onNotice?.(`stopped: ${this.stop.message}`);
    return { rows: seq, ...this.counts, stop: this.stop };
  }

  private nextWake(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private halt(stop: ImportStop): void {
    this.stop ??= stop;
  }

  private finish(seq: number, row: ResultRow): void {
    switch (row.carried ? 'carried' : row.status) {
      case 'carried':
        this.counts.skipped++;
        break;
      case 'created':
      case 'updated':
      case 'valid':
      case 'invalid':
        this.counts[row.status as 'created' | 'updated' | 'valid' | 'invalid']++;
        break;
      case 'failed':
        this.counts.failed++;
        break;
    }
    this.done++;
    this.writer.put(seq, row);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    this.s.hooks.onProgress?.({
      done: this.done,
      ...(this.s.total !== undefined ? { total: this.s.total } : {}),
      ...this.pickCounts(),
    });
  }

  private pickCounts(): {
    created: number;
    updated: number;
    failed: number;
    invalid: number;
    valid: number;
    skipped: number;
  } {
    const { created, updated, failed, invalid, valid, skipped } = this.counts;
    return { created, updated, failed, invalid, valid, skipped };
  }

  private notSent(record: CsvRecord): ResultRow {
    const stop = this.stop;
    let why = 'run interrupted; finish with --resume';
    if (stop && stop.code !== 'INTERRUPTED') why = `${stop.message}; finish with --resume`;
    this.counts.notSent++;
    return this.failed(record, 'failed', `${NOT_SENT}${why}`);
  }

  private row(
    record: CsvRecord,
    status: ResultRow['status'],
    extra: { id?: number | undefined; error?: string | undefined } = {},
  ): ResultRow {
    return { line: record.line, cells: record.cells, status, id: extra.id, error: extra.error };
  }

  private fail(record: CsvRecord, error: string, id?: number): ResultRow {
    return this.failed(record, this.s.dryRun ? 'invalid' : 'failed', error, id);
  }

  /**
   * A row that fails now may have been stored by an earlier run: it keeps the id of a record stored with a dropped
   * field, and a line whose earlier create had an unknown outcome stays marked so, so that the next --resume
   * neither loses that record nor creates it again.
   */
  private failed(record: CsvRecord, status: 'failed' | 'invalid', error: string, id?: number): ResultRow {
    const { done, uncertain } = this.s.resumeState;
    const previous = done.get(record.line);
    const storedId = id ?? (previous?.status === 'failed' ? previous.id : undefined);
    const message =
      uncertain.has(record.line) && !error.startsWith('outcome unknown')
        ? `outcome unknown (an earlier run may have created it): ${error}`
        : error;
    return this.row(record, status, { error: message, id: storedId });
  }

  /** Never throws: the final results row of a record that needs no request, or its converted fields to send. */
  private prepareRow(record: CsvRecord): ResultRow | Converted {
    try {
      return this.convert(record);
    } catch (error) {
      return this.fail(record, `unexpected error: ${errorText(error)}`);
    }
  }

  /** Never throws: every record ends as a results row. */
  private async sendRow(record: CsvRecord, conv: Converted): Promise<ResultRow> {
    try {
      if (this.stop) return this.notSent(record);
      // Rows for the same record go one after another, in input order: the same key (create, upsert) or the same
      // instance id (update), so the last row of the file is the one that wins.
      const lock = this.lockOf(conv);
      if (lock === undefined) return await this.send(record, conv);
      return await this.withKeyLock(lock, () => this.send(record, conv));
    } catch (error) {
      return this.fail(record, `unexpected error: ${errorText(error)}`);
    }
  }

  /** The record a row is sent to, as rows of one record are ordered: its key (create, upsert) or id (update). */
  private lockOf(conv: Converted): string | undefined {
    if (this.s.mode === 'update') return conv.id === undefined ? undefined : `id:${conv.id}`;
    const keyText = this.keyText(conv);
    return keyText === undefined ? undefined : `key:${this.keyForm(keyText)}`;
  }

  /**
   * A row the run being resumed applied, whose record an earlier row of this run is sent to again (that row failed,
   * or was not sent, before): sent again after it, or the earlier row's values would win over the later row's.
   * Its conversion when it is, else undefined (carried over).
   */
  private reapplied(record: CsvRecord): RowConversion | undefined {
    if (this.sentLocks.size === 0) return undefined;
    const conv = convertRow(this.s.bound, record.cells, this.s.timezone);
    const lock = conv.ok ? this.lockOf(conv) : undefined;
    if (lock === undefined || !this.sentLocks.has(lock)) return undefined;
    this.s.journal?.reapplied(record.line);
    return conv;
  }

  /**
   * The status of a row whose request updated `target`: `created` when this import created that record for this row
   * (in the run being resumed: a create of this row re-applied, or a create a killed run stored and lost the answer
   * of), else `updated`.
   */
  private updateStatus(record: CsvRecord, target: ObjectInstance): 'created' | 'updated' {
    const { done, uncertain, sentSince } = this.s.resumeState;
    const before = done.get(record.line);
    if (before?.status === 'created' && before.id === target.id) return 'created';
    const since = sentSince?.get(record.line);
    const created = createdAt(target);
    // Only an upsert row may have created its record (an update row never creates one).
    const ours =
      this.s.mode === 'upsert' &&
      uncertain.has(record.line) &&
      since !== undefined &&
      created !== undefined &&
      !createdBefore(target, since) &&
      !this.claimed.has(target.id) &&
      !this.resumedIds.has(target.id);
    return ours ? 'created' : 'updated';
  }

  private convert(record: CsvRecord): ResultRow | Converted {
    const { resumeState, mode, bound, mapping } = this.s;
    const carried = resumeState.done.get(record.line);
    let again: RowConversion | undefined;
    if (carried && carried.status !== 'failed') {
      again = this.reapplied(record);
      if (again === undefined)
        return { ...this.row(record, carried.status, { id: carried.id }), carried: true };
    }
    if (record.error !== undefined) return this.fail(record, record.error);
    const conv = again ?? convertRow(bound, record.cells, this.s.timezone);
    if (!conv.ok) return this.fail(record, conv.error);
    if (mode === 'update' && conv.id === undefined) {
      const raw = (bound.idIndex === undefined ? '' : record.cells[bound.idIndex]) ?? '';
      const column = mapping.id ?? 'id';
      return this.fail(
        record,
        raw.trim() === ''
          ? `column "${column}" is blank: --mode update needs the Coupa instance id`
          : `column "${column}": "${raw}" is not a Coupa instance id`,
      );
    }
    if (mode === 'upsert' && (conv.key === undefined || conv.key === null)) {
      return this.fail(
        record,
        `the key field "${mapping.key ?? ''}" is blank: --mode upsert needs it to find the record`,
      );
    }
    if (this.s.dryRun) return this.row(record, 'valid');
    return conv;
  }

  /**
   * A key value as compared (rows of one key are sent in turn; a lookup's answers must carry the key): trimmed and
   * case-folded, and for a decimal key the number without trailing zeros, as the instance may store it with more
   * (777.50 and 777.5000 are 777.5).
   */
  private keyForm(text: string): string {
    const folded = text.trim().toLowerCase();
    if (!this.decimalKey) return folded;
    const n = parseDecimal(folded, '.');
    return n === undefined ? folded : n.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  }

  private keyText(conv: Converted): string | undefined {
    if (this.s.mapping.key === undefined || conv.key === undefined || conv.key === null) return undefined;
    const k = conv.key;
    if (typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean') return String(k);
    return undefined;
  }

  /** Notes that a row stands for record `id` (see {@link claimed}); now and then forgets the old claims. */
  private claim(id: number): void {
    const now = Date.now();
    this.claimed.delete(id); // re-inserted last: the map stays in claim order
    this.claimed.set(id, now);
    if (++this.claimsSincePrune < 256) return;
    this.claimsSincePrune = 0;
    for (const [old, at] of this.claimed) {
      if (at >= now - CLAIM_WINDOW_MS) break;
      this.claimed.delete(old);
    }
  }

  /** The records with the row's key that a lost create of this row may have made: those no other row stands for. */
  private async lookupOwnCreate(conv: Converted): Promise<ObjectInstance[]> {
    return (await this.lookupKey(conv)).filter(
      (record) => !this.claimed.has(record.id) && !this.resumedIds.has(record.id),
    );
  }

  /** Rows with the same key are sent one after another, so an upsert never creates the same key twice. */
  private async withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    // Each holder's promise settles only after its own turn, which waited for the one before: a chain per key.
    const previous = this.keyLocks.get(key);
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.keyLocks.set(key, mine);
    if (previous) await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.keyLocks.get(key) === mine) this.keyLocks.delete(key);
    }
  }

  /**
   * The write options of a row's request: once the request may leave (rate limiter and concurrency cap passed), the
   * journal records that it is sent, synchronously, right before it goes; a run that stopped meanwhile sends nothing
   * (the row ends not sent). So after a kill -9 only requests that really left count as in flight.
   */
  private journaled(record: CsvRecord): { beforeSend: () => boolean } {
    let hash: number | undefined;
    return {
      beforeSend: () => {
        if (this.stop) return false;
        hash ??= hashCells(record.cells);
        this.s.journal?.sent(record.line, hash);
        return true;
      },
    };
  }

  private async send(record: CsvRecord, conv: Converted): Promise<ResultRow> {
    const client = this.s.client;
    if (!client || !this.s.journal) throw new Error('internal: no client');
    const { mode, objectId } = this.s;
    const line = record.line;
    try {
      if (this.stop) return this.notSent(record);
      if (mode === 'update') {
        const id = conv.id ?? 0;
        const returned = await client.update(objectId, id, conv.fields, this.journaled(record));
        return this.applied(record, conv, returned, this.updateStatus(record, returned));
      }
      if (mode === 'upsert') {
        const matches = await this.lookupKey(conv);
        if (matches.length > 1) return this.severalMatches(record, conv, matches);
        if (this.stop) return this.notSent(record);
        const match = matches[0];
        if (match) {
          const status = this.updateStatus(record, match);
          const returned = await client.update(objectId, match.id, conv.fields, this.journaled(record));
          return this.applied(record, conv, returned, status);
        }
        return await this.createWithRecovery(record, conv);
      }
      // create
      const previous = this.s.resumeState.done.get(line);
      if (previous?.status === 'failed') {
        // Stored by an earlier run with a field dropped: complete that record rather than create another.
        const returned = await client.update(objectId, previous.id, conv.fields, this.journaled(record));
        return this.applied(record, conv, returned, 'created');
      }
      const uncertain = this.s.resumeState.uncertain.get(line);
      if (uncertain !== undefined) {
        if (this.keyText(conv) === undefined) {
          return this.unknownOutcome(
            record,
            uncertain === 'in-flight' ? IN_FLIGHT_MESSAGE : UNKNOWN_OUTCOME_MESSAGE,
          );
        }
        const since = this.s.resumeState.sentSince?.get(line);
        const found = this.ownCreate(record, conv, await this.lookupOwnCreate(conv), since ?? 0);
        if (found) return found;
      }
      return await this.createWithRecovery(record, conv);
    } catch (error) {
      return this.requestFailed(record, conv, error);
    }
  }

  private async createWithRecovery(record: CsvRecord, conv: Converted): Promise<ResultRow> {
    const client = this.s.client;
    const journal = this.s.journal;
    if (!client || !journal) throw new Error('internal: no client');
    const line = record.line;
    const sending = this.journaled(record);
    let firstSentAt: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const returned = await client.create(this.s.objectId, conv.fields, {
          beforeSend: () => {
            firstSentAt ??= Date.now();
            return sending.beforeSend();
          },
        });
        return this.applied(record, conv, returned, 'created');
      } catch (error) {
        if (!(error instanceof OutcomeUnknownError)) throw error;
        if (this.keyText(conv) === undefined) return this.unknownOutcome(record, UNKNOWN_OUTCOME_MESSAGE);
        // The key tells whether the first create landed: never POST twice for a record that exists.
        let matches: ObjectInstance[];
        try {
          matches = await this.lookupOwnCreate(conv);
        } catch (lookupError) {
          return this.lookupFailed(record, lookupError, firstSentAt ?? Date.now());
        }
        const found = this.ownCreate(record, conv, matches, firstSentAt ?? Date.now());
        if (found) return found;
        if (attempt >= MAX_CREATE_ATTEMPTS) {
          journal.refused(line);
          return this.fail(
            record,
            `not created: ${MAX_CREATE_ATTEMPTS} attempts ended without an answer (${error.reason}) and no record with this key exists; run again with --resume`,
          );
        }
        if (this.stop) {
          journal.refused(line);
          return this.notSent(record);
        }
        this.counts.resent++;
      }
    }
  }

  /**
   * What the records a lost create's lookup found (see {@link lookupOwnCreate}) say about the row sent since `sentAt`
   * (0: unknown): none, nothing yet (undefined: it was not stored); one created after it was sent, its record; one
   * created clearly before, someone else's (the row fails: its create was lost on the way); several, an ambiguous key.
   */
  private ownCreate(
    record: CsvRecord,
    conv: Converted,
    matches: ObjectInstance[],
    sentAt: number,
  ): ResultRow | undefined {
    if (matches.length > 1) return this.severalMatches(record, conv, matches);
    const match = matches[0];
    if (match === undefined) return undefined;
    if (!createdBefore(match, sentAt)) return this.applied(record, conv, match, 'created');
    this.s.journal?.refused(record.line);
    return this.fail(
      record,
      `not created: a record with ${this.s.mapping.key ?? 'this key'} = ${this.keyText(conv) ?? ''} already existed before this row was sent (id ${match.id}); use --mode upsert to update it`,
    );
  }

  /**
   * A create that may or may not have been stored, and the lookup by key that would tell failed too (the instance
   * went down or answers 5xx): the row fails as outcome unknown, so that --resume (from the journal or the results
   * file) looks the key up again before it sends anything. An unreachable instance or refused credentials still stop
   * the run.
   */
  private lookupFailed(record: CsvRecord, error: unknown, sentAt: number): ResultRow {
    if (error instanceof AuthError || error instanceof AbortedError)
      this.halt({ code: error.code, message: error.message, exitCode: 3 });
    this.counts.unknown++;
    this.s.journal?.unknown(record.line);
    return this.fail(
      record,
      `outcome unknown: the create's answer was lost and looking its key up failed too (${errorText(error)}); --resume looks it up again before sending it` +
        sentAtNote(sentAt),
    );
  }

  /** A create that may or may not have been stored, and no key to tell: the row fails and its line is named. */
  private unknownOutcome(record: CsvRecord, message: string): ResultRow {
    this.counts.unknown++;
    this.uncertainFailed.push(record.line);
    this.s.journal?.unknown(record.line);
    return this.fail(record, message);
  }

  /** Index query on the key field; keeps only records whose key really equals the row's (case-insensitive). */
  private async lookupKey(conv: Converted): Promise<ObjectInstance[]> {
    const client = this.s.client;
    const key = this.s.mapping.key;
    const value = this.keyText(conv);
    if (!client || key === undefined || value === undefined) return [];
    const found = await client.list(this.s.objectId, [
      [key, value],
      ['limit', '2'],
    ]);
    const wanted = this.keyForm(value);
    const matches = found.filter((r) => this.keyForm(plainText(readField(r, key))) === wanted);
    if (matches.length !== found.length) {
      // The instance ignored the filter: trusting it would update or skip the wrong records.
      this.halt({
        code: 'KEY_FILTER',
        message: `the instance ignored the index filter ${key}=${value} (it returned other records), so the key cannot be used safely`,
        exitCode: 3,
      });
      throw new AbortedError(
        `the key lookup ${key}=${value} returned records with another ${key}`,
        'KEY_FILTER',
      );
    }
    return matches;
  }

  private severalMatches(record: CsvRecord, conv: Converted, matches: ObjectInstance[]): ResultRow {
    this.s.journal?.refused(record.line);
    const key = this.s.mapping.key ?? 'key';
    const ids = matches.map((m) => m.id).join(', ');
    return this.fail(
      record,
      `several records have ${key} = ${this.keyText(conv) ?? ''} (ids ${ids}): make the key unique in Coupa, then run again with --resume`,
    );
  }

  /** A create/update answered: check that Coupa kept every field sent. */
  private applied(
    record: CsvRecord,
    conv: Converted,
    returned: ObjectInstance,
    status: 'created' | 'updated',
  ): ResultRow {
    const journal = this.s.journal;
    const dropped = droppedFields(conv.fields, returned);
    if (dropped.length > 0) {
      journal?.done(record.line, 'failed', returned.id);
      this.claim(returned.id);
      const names = dropped.map((f) => `"${f}"`).join(', ');
      const message = `Coupa ignored field${dropped.length > 1 ? 's' : ''} ${names} (the record was ${status} without ${dropped.length > 1 ? 'them' : 'it'}): the object probably has no such field; check the field names in ${path.basename(this.s.mapping.file)}`;
      this.halt({
        code: 'DROPPED_FIELD',
        message: `Coupa ignored field${dropped.length > 1 ? 's' : ''} ${names} on line ${record.line}, so every other row would lose ${dropped.length > 1 ? 'them' : 'it'} too; fix the mapping`,
        exitCode: 1,
      });
      return this.row(record, 'failed', { id: returned.id, error: message });
    }
    journal?.done(record.line, status, returned.id);
    this.claim(returned.id);
    return this.row(record, status, { id: returned.id });
  }

  private requestFailed(record: CsvRecord, conv: Converted, error: unknown): ResultRow {
    const journal = this.s.journal;
    if (error instanceof AuthError) {
      journal?.refused(record.line);
      this.halt({ code: error.code, message: error.message, exitCode: 3 });
      this.counts.notSent++;
      return this.fail(record, `${NOT_SENT}${error.message}`);
    }
    if (error instanceof AbortedError) {
      // Held back right before it would have left, because the run stopped: nothing was sent for this row.
      if (error.code === 'NOT_SENT') return this.notSent(record);
      this.halt({ code: error.code, message: error.message, exitCode: 3 });
      return this.fail(record, error.message);
    }
    if (error instanceof CoupaApiError) {
      if (error.status < 500) journal?.refused(record.line);
      if (error.status === 404 && this.s.mode === 'update') {
        return this.fail(
          record,
          `no record with id ${conv.id ?? '?'} in object ${this.s.objectId} (HTTP 404)`,
        );
      }
      const messages = error.messages.length > 0 ? error.messages.join('; ') : `HTTP ${error.status}`;
      return this.fail(record, `Coupa refused the row (HTTP ${error.status}): ${messages}`);
    }
    if (error instanceof OutcomeUnknownError) return this.unknownOutcome(record, UNKNOWN_OUTCOME_MESSAGE);
    return this.fail(record, `unexpected error: ${errorText(error)}`);
  }
}

/** Rows a second, one decimal: the rows this run handled (not carried over, not left unsent by a stop). */
function rate(rows: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((rows / elapsedMs) * 1000 * 10) / 10 : rows;
}

/** Clock skew allowed between this machine and the instance when telling records created by this run. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** How long a claimed id is remembered: beyond twice the skew, a record fails the created-before check anyway. */
const CLAIM_WINDOW_MS = 2 * CLOCK_SKEW_MS;

/** The record's `created-at` in epoch ms; undefined when it has none that reads as a time. */
function createdAt(record: ObjectInstance): number | undefined {
  const created = Date.parse(String(record['created-at'] ?? ''));
  return Number.isFinite(created) ? created : undefined;
}

/** True when the record's `created-at` is clearly before `sentAt` (beyond clock skew); false when unknown. */
function createdBefore(record: ObjectInstance, sentAt: number): boolean {
  const created = createdAt(record);
  return created !== undefined && created < sentAt - CLOCK_SKEW_MS;
}

/** A custom field of a returned record, accepting `_`/`-` spellings of the name. */
function readField(record: ObjectInstance | undefined, field: string): unknown {
  if (!record) return undefined;
  const fields = record['custom-fields'];
  if (field in fields) return fields[field];
  const hyphen = field.replace(/_/g, '-');
  if (hyphen in fields) return fields[hyphen];
  const underscore = field.replace(/-/g, '_');
  return fields[underscore];
}

function plainText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function formatLines(lines: number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  return sorted.length > 20
    ? `${sorted.slice(0, 20).join(', ')} and ${sorted.length - 20} more`
    : sorted.join(', ');
}
