// Runs of a spreadsheet: POST /api/imports (an import, or a validation with `dryRun`, or the resume of an import),
// POST /api/plan (read-only: what an import would do), and of a run: its rows (GET .../<id>/rows) and its results
// file (GET .../<id>/results), besides its progress stream and Stop (run-control.ts).
import { findById, type Route, type UiContext } from '../context.js';
import {
  HttpError,
  XLSX_TYPE,
  field,
  optionalNumber,
  readJson,
  sendFile,
  sendJson,
  stringField,
} from '../http.js';
import { readResultRows, startImportJob, type ImportJob } from '../jobs.js';
import { mappingFromDocument } from '../mapping-document.js';
import { runControlRoutes } from './run-control.js';

const importJob = (ctx: UiContext, id: string | undefined): ImportJob =>
  findById(ctx.imports, id, 'That run is no longer here.');

/** Starts an import, a validation (`dryRun`) or, with `plan`, a plan. */
const startRun =
  (plan: boolean): Route =>
  async (ctx, { req, res }) => {
    const body = await readJson(req);
    // A plan reads Coupa and writes nothing: it runs beside an import as a validation does.
    const upload = ctx.uploads.get(stringField(body, 'upload'));
    if (!upload) throw new HttpError(404, 'That spreadsheet is no longer here: choose it again.');
    const mapping = mappingFromDocument(field(body, 'mapping'), ctx.describeError);
    const mode = stringField(body, 'mode', 'create');
    if (mode !== 'create' && mode !== 'update' && mode !== 'upsert')
      throw new HttpError(400, `unknown mode ${mode}`);
    const dryRun = !plan && field(body, 'dryRun') === true;
    let results: string | undefined;
    const resumeOf = field(body, 'resumeOf');
    if (!plan && resumeOf !== undefined && resumeOf !== null) {
      const previous = typeof resumeOf === 'string' ? ctx.imports.get(resumeOf) : undefined;
      if (!previous || previous.state.kind !== 'import')
        throw new HttpError(404, 'There is no import to resume.');
      if (previous.state.state === 'running') throw new HttpError(409, 'That import is still running.');
      results = previous.results;
    }
    const running = [...ctx.imports.values()].find(
      (j) => j.state.state === 'running' && j.state.kind === 'import',
    );
    if (running && !dryRun && !plan)
      throw new HttpError(409, 'An import is running: wait for it or stop it first.');
    const objectId = optionalNumber(field(body, 'objectId'));
    const job = startImportJob({
      upload,
      mapping,
      mode: mode,
      dryRun,
      plan,
      resume: results !== undefined,
      ...(results === undefined ? {} : { results }),
      ...(objectId === undefined ? {} : { objectId }),
      ...(ctx.timezone === undefined ? {} : { timezone: ctx.timezone }),
      clientOptions: ctx.clientOptions,
      describeError: ctx.describeError,
    });
    ctx.imports.set(job.id, job);
    return sendJson(res, 200, job.state);
  };

export const importRoutes: Record<string, Route> = {
  'POST plan': startRun(true),
  'POST imports': startRun(false),
  ...runControlRoutes('imports', importJob),

  'GET imports rows': async (ctx, { res, id, url }) => {
    const job = importJob(ctx, id);
    if (job.state.state === 'running') throw new HttpError(409, 'The run is still going.');
    const onlyParam = url.searchParams.get('only');
    const only = onlyParam === 'problems' || onlyParam === 'changes' ? onlyParam : 'all';
    const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 200) || 200));
    return sendJson(res, 200, await readResultRows(job.results, only, limit));
  },

  'GET imports results': (ctx, { res, id, url }) => {
    const job = importJob(ctx, id);
    if (job.state.state === 'running') throw new HttpError(409, 'The run is still going.');
    if (url.searchParams.get('format') === 'xlsx') {
      if (!job.resultsXlsx) throw new HttpError(404, 'This run has no workbook results file.');
      return sendFile(res, job.resultsXlsx.path, job.resultsXlsx.name, XLSX_TYPE);
    }
    return sendFile(res, job.results, job.resultsName, 'text/csv');
  },
};
