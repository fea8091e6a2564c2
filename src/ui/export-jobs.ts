import type { ServerResponse } from 'node:http';
import { runExport, type ExportOptions } from '../export/index.js';
import { broadcast } from './jobs.js';
import { newId } from './uploads.js';

/** What the page sees of an export, pushed over Server-Sent Events. */
export interface ExportState {
  id: string;
  state: 'running' | 'done' | 'stopped' | 'error';
  records: number;
  elapsedMs: number;
  /** The download name of the file. */
  name: string;
  columns?: number;
  error?: string;
  notices: string[];
}

export interface ExportJob {
  id: string;
  /** Where the file is written (in the page's private folder). */
  path: string;
  state: ExportState;
  controller: AbortController;
  listeners: Set<ServerResponse>;
  done: Promise<void>;
}

const PUSH_EVERY_MS = 200;

/** Starts `runExport` in the background; the page follows it through `subscribe` (jobs.ts). */
export function startExportJob(
  options: Omit<ExportOptions, 'out' | 'signal'>,
  path: string,
  name: string,
  describeError: (error: unknown) => string,
): ExportJob {
  const id = newId();
  const controller = new AbortController();
  const startedAt = Date.now();
  const job: ExportJob = {
    id,
    path,
    state: { id, state: 'running', records: 0, elapsedMs: 0, name, notices: [] },
    controller,
    listeners: new Set(),
    done: Promise.resolve(),
  };
  let lastPush = 0;
  let pending: NodeJS.Timeout | undefined;
  const push = (): void => {
    const now = Date.now();
    if (now - lastPush < PUSH_EVERY_MS) {
      pending ??= setTimeout(() => {
        pending = undefined;
        lastPush = Date.now();
        broadcast(job);
      }, PUSH_EVERY_MS);
      return;
    }
    lastPush = now;
    broadcast(job);
  };
  job.done = (async () => {
    try {
      const summary = await runExport(
        { ...options, out: path, signal: controller.signal },
        {
          onProgress: (p) => {
            job.state.records = p.records;
            job.state.elapsedMs = Date.now() - startedAt;
            push();
          },
          onNotice: (message) => {
            job.state.notices.push(describeError(message));
            push();
          },
        },
      );
      job.state.records = summary.records;
      job.state.columns = summary.columns.length;
      job.state.state = 'done';
    } catch (error) {
      if (controller.signal.aborted) job.state.state = 'stopped';
      else {
        job.state.state = 'error';
        job.state.error = describeError(error);
      }
    } finally {
      if (pending) clearTimeout(pending);
      job.state.elapsedMs = Date.now() - startedAt;
      broadcast(job);
      for (const res of job.listeners) res.end();
      job.listeners.clear();
    }
  })();
  return job;
}
