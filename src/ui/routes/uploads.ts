// The spreadsheets the page sends: POST /api/uploads (the file itself), .../<id>/source (a workbook's sheet and
// header row), .../<id>/corrections (a corrected copy) and GET .../<id>/file (that copy's download).
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CsvSource } from '../../csv/index.js';
import { findById, type Route, type UiContext } from '../context.js';
import { CorrectionError, writeCorrectedCopy, type CellEdit } from '../corrected-copy.js';
import { HttpError, decodeHeader, field, readJson, sendFile, sendJson } from '../http.js';
import { describeUpload, newId, receiveUpload, type Upload } from '../uploads.js';
import { NOT_YET } from './info.js';

const uploadById = (ctx: UiContext, id: string | undefined): Upload =>
  findById(ctx.uploads, id, 'That spreadsheet is no longer here: choose it again.');

export const uploadRoutes: Record<string, Route> = {
  'POST uploads': async (ctx, { req, res }) => {
    const name = decodeHeader(req.headers['x-file-name']) ?? 'upload.csv';
    if (/\.xls$/i.test(name)) {
      req.resume();
      throw new HttpError(415, NOT_YET.xls);
    }
    const upload = await receiveUpload(req, ctx.uploadsDir, name, ctx.maxUploadBytes);
    ctx.uploads.set(upload.id, upload);
    try {
      const described = await describeUpload(upload);
      upload.info = described;
      return sendJson(res, 200, described);
    } catch (error) {
      throw new HttpError(422, `${upload.name} cannot be read: ${ctx.describeError(error)}`);
    }
  },

  'POST uploads corrections': async (ctx, { req, res, id }) => {
    const original = uploadById(ctx, id);
    const body = await readJson(req);
    const edits = editList(field(body, 'edits'));
    if (!original.info) throw new HttpError(409, 'That spreadsheet could not be read: choose it again.');
    const name = correctedName(original, [...ctx.uploads.values()]);
    const corrected: Upload = {
      id: newId(),
      name,
      path: join(original.dir, name),
      dir: original.dir,
      size: 0,
      correctedFrom: original.correctedFrom ?? original.id,
    };
    let changed: number;
    try {
      ({ changed } = await writeCorrectedCopy({
        source: original.path,
        target: corrected.path,
        edits,
        encoding: original.info.encoding as CsvSource['encoding'],
        delimiter: original.info.delimiter as CsvSource['delimiter'],
      }));
    } catch (error) {
      if (error instanceof CorrectionError) throw new HttpError(422, error.message);
      throw error;
    }
    corrected.size = (await stat(corrected.path)).size;
    corrected.info = await describeUpload(corrected);
    ctx.uploads.set(corrected.id, corrected);
    return sendJson(res, 200, {
      ...corrected.info,
      changed,
      correctedFrom: ctx.uploads.get(corrected.correctedFrom ?? '')?.name ?? original.name,
    });
  },

  'POST uploads source': async (ctx, { req, res, id }) => {
    // A workbook's sheet and header row, chosen in the page: read again, and used by every later run of it.
    const upload = uploadById(ctx, id);
    const body = await readJson(req);
    const sheet = field(body, 'sheet');
    const rawHeaderRow = field(body, 'headerRow');
    const headerRow =
      rawHeaderRow === undefined || rawHeaderRow === null || rawHeaderRow === ''
        ? undefined
        : Number(rawHeaderRow);
    if (headerRow !== undefined && (!Number.isInteger(headerRow) || headerRow < 1))
      throw new HttpError(400, 'The header row is a line number: 1 or more.');
    const before = { sheet: upload.sheet, headerRow: upload.headerRow };
    if (typeof sheet === 'string' && sheet !== '') upload.sheet = sheet;
    else delete upload.sheet;
    if (headerRow === undefined) delete upload.headerRow;
    else upload.headerRow = headerRow;
    try {
      upload.info = await describeUpload(upload);
    } catch (error) {
      if (before.sheet === undefined) delete upload.sheet;
      else upload.sheet = before.sheet;
      if (before.headerRow === undefined) delete upload.headerRow;
      else upload.headerRow = before.headerRow;
      throw new HttpError(422, `${upload.name} cannot be read so: ${ctx.describeError(error)}`);
    }
    return sendJson(res, 200, upload.info);
  },

  'GET uploads file': (ctx, { res, id }) => {
    // Only the copies the page made can be downloaded: the user has the original already.
    const upload = uploadById(ctx, id);
    if (upload.correctedFrom === undefined) throw new HttpError(404, 'There is no such file.');
    return sendFile(res, upload.path, upload.name, 'text/csv');
  },
};

/** The cells the page corrected: `{line, column, value, was}`. */
function editList(value: unknown): CellEdit[] {
  if (!Array.isArray(value) || value.length === 0) throw new HttpError(400, 'No cell was changed.');
  return value.map((e: unknown) => {
    const { line, column, value: v, was } = (e ?? {}) as Record<string, unknown>;
    if (
      !Number.isInteger(line) ||
      !Number.isInteger(column) ||
      (column as number) < 0 ||
      typeof v !== 'string'
    ) {
      throw new HttpError(400, 'Each correction needs a row, a column and the new text.');
    }
    return {
      line: line as number,
      column: column as number,
      value: v,
      ...(typeof was === 'string' ? { was } : {}),
    };
  });
}

/** `vendors.corrected.csv` beside `vendors.csv` (then `.corrected-2`...): a new name, never the original's. */
function correctedName(original: Upload, all: readonly Upload[]): string {
  const root = all.find((u) => u.id === original.correctedFrom) ?? original;
  const dot = root.name.lastIndexOf('.');
  const [base, ext] = dot > 0 ? [root.name.slice(0, dot), root.name.slice(dot)] : [root.name, '.csv'];
  const taken = new Set(all.filter((u) => u.dir === original.dir).map((u) => u.name));
  taken.add(root.name);
  for (let n = 1; ; n++) {
    const name = `${base}.corrected${n === 1 ? '' : `-${n}`}${ext}`;
    if (!taken.has(name) && !existsSync(join(original.dir, name))) return name;
  }
}
