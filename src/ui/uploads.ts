import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { parse as parseYaml } from 'yaml';
import { isWorkbookFile, listXlsxSheets, openInput } from '../csv/index.js';
import { guessMapping } from '../mapping/index.js';
import type { UploadInfo } from './wire.js';

export type { UploadInfo };

/** Rows read to guess the columns' types. */
const GUESS_ROWS = 50;

/** A file the browser sent, kept in the server's private folder under a server-made id. */
export interface Upload {
  id: string;
  /** The name the browser gave, for display and download names only (never a path). */
  name: string;
  /** Where it is on disk (inside the private folder). */
  path: string;
  /** The folder of this upload: results and dry runs of it are written here. */
  dir: string;
  size: number;
  /** For a corrected copy the page wrote: the id of the upload it was made from. */
  correctedFrom?: string;
  /** What was read of it when it arrived (header, first rows, guessed mapping). */
  info?: UploadInfo;
  /** For a workbook: the sheet and header row the page chose (passed to validate, plan and import). */
  sheet?: string;
  headerRow?: number;
}

export class UploadTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the file is larger than ${Math.round(limit / 1024 / 1024)} MB, the most this page accepts`);
  }
}

/** A server-made id: 16 hex characters. Anything else in a URL is not one of ours. */
export function newId(): string {
  return randomBytes(8).toString('hex');
}
export const ID_PATTERN = /^[0-9a-f]{16}$/;

/**
 * A display name reduced to a plain file name: no folders, no leading dots, only letters, digits, spaces and
 * `._-()`; used for the copy on disk (so the results file is `<name>.results.csv`) and download names.
 */
export function safeFileName(name: string, fallback: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(/[^\p{L}\p{N} ._()-]/gu, '_')
    .replace(/^[.\s]+/, '')
    .slice(0, 120)
    .trim();
  return cleaned === '' ? fallback : cleaned;
}

/** Streams the request body to `<root>/<id>/<name>`, refusing more than `limit` bytes (the partial file is removed). */
export async function receiveUpload(
  req: IncomingMessage,
  root: string,
  displayName: string,
  limit: number,
): Promise<Upload> {
  const id = newId();
  const dir = join(root, id);
  await mkdir(dir, { mode: 0o700 });
  const name = safeFileName(displayName, 'upload.csv');
  const path = join(dir, name);
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) callback(new UploadTooLarge(limit));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(req, counter, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return { id, name, path, dir, size: (await stat(path)).size };
}

/** Reads what the page shows of a spreadsheet: detected format, header, row count and the first rows. */
export async function describeUpload(upload: Upload, previewRows = 8): Promise<UploadInfo> {
  const source = await openInput(upload.path, {
    allowDuplicateHeaders: true,
    ...(upload.sheet === undefined ? {} : { sheet: upload.sheet }),
    ...(upload.headerRow === undefined ? {} : { headerRow: upload.headerRow }),
  });
  // The workbook's sheets are listed only for a workbook (a CSV has none), so the page shows the choice for it alone.
  const sheets = (await isWorkbookFile(upload.path)) ? await listXlsxSheets(upload.path) : undefined;
  const sample: string[][] = [];
  let rows = 0;
  for await (const batch of source.batches()) {
    for (const record of batch) {
      if (sample.length < GUESS_ROWS) sample.push(record.cells);
      rows++;
    }
  }
  const suggested: unknown = parseYaml(guessMapping(source.header, sample));
  return {
    id: upload.id,
    name: upload.name,
    size: upload.size,
    encoding: source.encoding,
    delimiter: source.delimiter,
    lineEnding: source.lineEnding,
    header: source.header,
    rows,
    preview: sample.slice(0, previewRows),
    suggested,
    ...(sheets === undefined
      ? {}
      : { workbook: { sheets, sheet: source.sheet ?? sheets[0] ?? '', headerRow: source.headerLine ?? 1 } }),
  };
}
