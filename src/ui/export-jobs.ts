import type { ServerResponse } from 'node:http';
import { runExport, type ExportOptions } from '../export/index.js';
import { throttledBroadcast } from './http.js';
import { newId } from './uploads.js';
import type { ExportState } from './wire.js';

export interface ExportJob {
  id: string;
  /** Where the file is written (in the page's private folder). */
  path: string;
  state: ExportState;
  controller: AbortController;
  listeners: Set<ServerResponse>;
  done: Promise<void>;
}

/** Starts `runExport` in the background; the page follows it through `subscribe` (http.ts). */
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
  const { push, end } = throttledBroadcast(job);
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
      job.state.elapsedMs = Date.now() - startedAt;
      end();
    }
  })();
  return job;
}
