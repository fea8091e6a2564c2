import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { runImport } from '../import/index.js';
import type { ImportMode, ImportProgress, ImportSummary } from '../import/index.js';
import type { ClientOptions } from '../coupa/index.js';
import type { Mapping } from '../mapping/index.js';
import { openCsv } from '../csv/index.js';
import { throttledBroadcast } from './http.js';
import { newId, type Upload } from './uploads.js';
import type { ResultRow, ResultRows } from './wire.js';

/** What the page sees of a running or finished import, pushed over Server-Sent Events. */
export interface JobState {
  id: string;
  kind: 'validate' | 'plan' | 'import';
  state: 'running' | 'done' | 'error';
  progress: ImportProgress & { elapsedMs: number; rowsPerSecond: number; etaSeconds?: number };
  notices: string[];
  summary?: ImportSummary;
  /** A message in plain words when the run could not start or stopped on an error. */
  error?: string;
}

export interface ImportJob {
  id: string;
  upload: Upload;
  results: string;
  /** The download name of the results file. */
  resultsName: string;
  /** For a workbook input, after a run that went to its end: the `.xlsx` results file and its download name. */
  resultsXlsx?: { path: string; name: string };
  state: JobState;
  controller: AbortController;
  listeners: Set<ServerResponse>;
  done: Promise<void>;
}

export interface StartImportOptions {
  upload: Upload;
  mapping: Mapping;
  mode: ImportMode;
  dryRun: boolean;
  /** Read-only: says what an import would create, update or leave unchanged (`would-create`, `would-update`). */
  plan?: boolean;
  resume: boolean;
  /** The results file: a new one in the upload's folder, or the one of the run being resumed. */
  results?: string;
  objectId?: number;
  timezone?: string;
  clientOptions: ClientOptions;
  /** Turns a thrown error into words for the page (paths of the private folder replaced by file names). */
  describeError: (error: unknown) => string;
}

export function resultsNameFor(name: string, dryRun: boolean, plan = false): string {
  const base = name.replace(/\.(csv|txt|tsv|xlsx|xlsm)$/i, '');
  return `${base}${plan ? '.plan' : dryRun ? '.validation' : ''}.results.csv`;
}

/** Starts `runImport` in the background; the page follows it through `subscribe` (http.ts). */
export function startImportJob(options: StartImportOptions): ImportJob {
  const id = newId();
  const plan = options.plan === true;
  const resultsName = resultsNameFor(options.upload.name, options.dryRun, plan);
  const results = options.results ?? join(options.upload.dir, `${id}-${resultsName}`);
  const controller = new AbortController();
  const startedAt = Date.now();
  const state: JobState = {
    id,
    kind: plan ? 'plan' : options.dryRun ? 'validate' : 'import',
    state: 'running',
    progress: {
      done: 0,
      created: 0,
      updated: 0,
      failed: 0,
      invalid: 0,
      valid: 0,
      skipped: 0,
      unchanged: 0,
      elapsedMs: 0,
      rowsPerSecond: 0,
    },
    notices: [],
  };
  const job: ImportJob = {
    id,
    upload: options.upload,
    results,
    resultsName,
    state,
    controller,
    listeners: new Set(),
    done: Promise.resolve(),
  };
  const { push, end } = throttledBroadcast(job);
  job.done = (async () => {
    try {
      const summary = await runImport(
        {
          file: options.upload.path,
          mapping: options.mapping,
          mode: options.mode,
          results,
          dryRun: options.dryRun,
          ...(plan ? { plan: true } : {}),
          ...(options.upload.sheet === undefined ? {} : { sheet: options.upload.sheet }),
          ...(options.upload.headerRow === undefined ? {} : { headerRow: options.upload.headerRow }),
          resume: options.resume,
          clientOptions: options.clientOptions,
          signal: controller.signal,
          ...(options.objectId === undefined ? {} : { objectId: options.objectId }),
          ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
        },
        {
          onProgress: (p) => {
            const elapsedMs = Date.now() - startedAt;
            const handled = p.done - p.skipped;
            const rowsPerSecond = elapsedMs > 0 ? (handled * 1000) / elapsedMs : 0;
            const left = p.total === undefined ? undefined : p.total - p.done;
            state.progress = {
              ...p,
              elapsedMs,
              rowsPerSecond,
              ...(left !== undefined && rowsPerSecond > 0 ? { etaSeconds: left / rowsPerSecond } : {}),
            };
            push();
          },
          onNotice: (message) => {
            state.notices.push(options.describeError(message));
            push();
          },
        },
      );
      if (summary.resultsXlsx !== undefined) {
        job.resultsXlsx = { path: summary.resultsXlsx, name: job.resultsName.replace(/\.csv$/, '.xlsx') };
      }
      const { resultsXlsx, ...rest } = summary;
      // Paths of the private folder stay on the server: the page gets download names.
      state.summary = {
        ...rest,
        file: options.upload.name,
        results: job.resultsName,
        ...(resultsXlsx === undefined || job.resultsXlsx === undefined
          ? {}
          : { resultsXlsx: job.resultsXlsx.name }),
      };
      state.progress = {
        ...state.progress,
        done: summary.rows,
        total: summary.rows,
        created: summary.created,
        updated: summary.updated,
        failed: summary.failed,
        invalid: summary.invalid,
        valid: summary.valid,
        skipped: summary.skipped,
        unchanged: summary.unchanged,
        elapsedMs: summary.elapsedMs,
        rowsPerSecond: summary.rowsPerSecond,
      };
      delete state.progress.etaSeconds;
      state.state = 'done';
    } catch (error) {
      state.state = 'error';
      state.error = options.describeError(error);
    } finally {
      end();
    }
  })();
  return job;
}

/**
 * Reads rows of a finished run's results file: all, or only those that did not succeed, up to `limit` of them
 * (the file itself may be large; the page shows the first ones and links the whole file).
 */
export async function readResultRows(
  results: string,
  /** `problems`: failed and invalid rows; `changes`: those and the rows a plan would update. */
  only: 'all' | 'problems' | 'changes',
  limit: number,
): Promise<ResultRows> {
  const source = await openCsv(results, { allowDuplicateHeaders: true });
  // Optional columns after `_error`: `_code`, then `_changes` in a plan; the input's columns follow them.
  let first = 4;
  const codeAt = source.header[first] === '_code' ? first++ : -1;
  const changesAt = source.header[first] === '_changes' ? first++ : -1;
  const header = source.header.slice(first);
  const rows: ResultRow[] = [];
  let matching = 0;
  let total = 0;
  for await (const batch of source.batches()) {
    for (const record of batch) {
      total++;
      const [line = '', status = '', id = '', error = ''] = record.cells;
      const problem = status === 'failed' || status === 'invalid';
      const wanted = only === 'all' || problem || (only === 'changes' && status === 'would-update');
      if (!wanted) continue;
      matching++;
      if (rows.length < limit) {
        rows.push({
          line: Number(line),
          status,
          id,
          error,
          code: codeAt < 0 ? '' : (record.cells[codeAt] ?? ''),
          ...(changesAt < 0 ? {} : { changes: record.cells[changesAt] ?? '' }),
          cells: record.cells.slice(first),
        });
      }
    }
  }
  return { header, rows, matching, total };
}
