// Exports: POST /api/exports (filters, columns and file format as the page chose them) and the file of a finished
// export (GET .../<id>/file), besides its progress stream and Stop (run-control.ts).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExportFormat } from '../../export/index.js';
import { findById, type Route, type UiContext } from '../context.js';
import { startExportJob, type ExportJob } from '../export-jobs.js';
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
import { mappingFromDocument } from '../mapping-document.js';
import { newId } from '../uploads.js';
import { runControlRoutes } from './run-control.js';

const exportJob = (ctx: UiContext, id: string | undefined): ExportJob =>
  findById(ctx.exports, id, 'That export is no longer here: run it again.');

export const exportRoutes: Record<string, Route> = {
  'POST exports': async (ctx, { req, res }) => {
    const body = await readJson(req);
    const objectId = optionalNumber(field(body, 'objectId'));
    const filters = filterList(field(body, 'filters'));
    const formatChoice = stringField(body, 'format', 'excel');
    if (!['excel', 'csv', 'jsonl', 'xlsx'].includes(formatChoice))
      throw new HttpError(400, `unknown format ${formatChoice}`);
    const mappingDoc = field(body, 'mapping');
    const mapping =
      mappingDoc === undefined || mappingDoc === null
        ? undefined
        : mappingFromDocument(mappingDoc, ctx.describeError);
    const format: ExportFormat = formatChoice === 'excel' ? 'csv' : (formatChoice as ExportFormat);
    const id = newId();
    const ext = format === 'jsonl' ? 'jsonl' : format === 'xlsx' ? 'xlsx' : 'csv';
    const name = `object-${objectId ?? mapping?.object ?? 'export'}-export.${ext}`;
    const dir = join(ctx.exportsDir, id);
    await mkdir(dir, { mode: 0o700 });
    const job = startExportJob(
      {
        client: ctx.clientOptions,
        filters,
        format,
        // Excel CSV: BOM, CRLF, formulas escaped and the spreadsheet's delimiter, as `export --excel` writes.
        ...(formatChoice === 'excel' ? { excel: true } : {}),
        ...(objectId === undefined ? {} : { objectId }),
        ...(mapping === undefined ? {} : { mapping }),
        ...(ctx.timezone === undefined ? {} : { timezone: ctx.timezone }),
      },
      join(dir, name),
      name,
      ctx.describeError,
    );
    ctx.exports.set(job.id, job);
    return sendJson(res, 200, job.state);
  },
  ...runControlRoutes('exports', exportJob),

  'GET exports file': (ctx, { res, id }) => {
    const job = exportJob(ctx, id);
    if (job.state.state !== 'done') throw new HttpError(409, 'That export has no file: run it again.');
    const name = job.state.name;
    const type = name.endsWith('.jsonl')
      ? 'application/x-ndjson'
      : name.endsWith('.xlsx')
        ? XLSX_TYPE
        : 'text/csv';
    return sendFile(res, job.path, name, type);
  },
};

/** Filters from the page, `{field, op, value}`, as the CLI's `--filter` text. */
function filterList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new HttpError(400, 'filters must be a list');
  return value.map((f: unknown) => {
    const { field: name, op, value: v } = (f ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || name.trim() === '' || typeof op !== 'string' || typeof v !== 'string') {
      throw new HttpError(400, 'Each filter needs a field, an operator and a value.');
    }
    return op === 'eq' ? `${name.trim()}=${v}` : `${name.trim()}[${op}]=${v}`;
  });
}
