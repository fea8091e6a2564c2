// The two routes every background run of the page has (an import, a validation, a plan, an export): its progress
// stream (GET /api/<runs>/<id>/events, Server-Sent Events) and Stop (POST /api/<runs>/<id>/stop).
import type { Route, UiContext } from '../context.js';
import { sendJson, subscribe, type StreamedJob } from '../http.js';

interface StoppableJob extends StreamedJob {
  controller: AbortController;
}

export function runControlRoutes(
  runs: string,
  find: (ctx: UiContext, id: string | undefined) => StoppableJob,
): Record<string, Route> {
  return {
    [`GET ${runs} events`]: (ctx, { res, id }) => subscribe(find(ctx, id), res),
    [`POST ${runs} stop`]: (ctx, { res, id }) => {
      const job = find(ctx, id);
      // As Ctrl-C: the rows on their way finish, the rest are kept for a resume.
      job.controller.abort(new Error('stopped from the page'));
      return sendJson(res, 200, { stopping: job.state.state === 'running' });
    },
  };
}
