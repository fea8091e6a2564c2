// The page server's small HTTP helpers, shared by every route: answers (JSON, files, the refusal page), request
// bodies (JSON with a size limit, and the fields read out of it), and the Server-Sent Events of a running job.
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UploadTooLarge } from './uploads.js';

/** The largest JSON body the page sends (a mapping, a list of corrected cells). */
const JSON_LIMIT = 2 * 1024 * 1024;

/** Server-Sent Events: at most one progress message per this many ms per job (the page stays live, the wire quiet). */
const PUSH_EVERY_MS = 200;

/** The content type of an Excel workbook (.xlsx) download. */
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A refusal with its status: answered as `{error}` to the page's calls, as a small HTML page otherwise. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function send(res: ServerResponse, status: number, type: string, body: Buffer): void {
  res.writeHead(status, { 'content-type': type, 'content-length': body.length });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(value)));
}

/** A download: the file streamed, with its name (ASCII, and exact in `filename*`). */
export function sendFile(res: ServerResponse, path: string, name: string, type: string): void {
  res.writeHead(200, {
    'content-type': type,
    'content-disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  });
  createReadStream(path).pipe(res);
}

/**
 * Answers a request that failed: a refusal (HttpError, an upload too large) with its own words and status, anything
 * else as 500 with `describeError`'s words. The page's calls (`/api/...`) get JSON, an address typed in the browser
 * a page.
 */
export function sendFailure(
  req: IncomingMessage,
  res: ServerResponse,
  error: unknown,
  describeError: (error: unknown) => string,
): void {
  const status = error instanceof HttpError ? error.status : error instanceof UploadTooLarge ? 413 : 500;
  const message =
    error instanceof HttpError || error instanceof UploadTooLarge ? error.message : describeError(error);
  if (res.headersSent) {
    res.end();
    return;
  }
  if (req.url?.startsWith('/api/')) sendJson(res, status, { error: message });
  else send(res, status, 'text/html; charset=utf-8', Buffer.from(refusalPage(message)));
  // An upload refused part-way: stop reading it, the connection closes after the answer.
  if (!req.complete) req.resume();
}

function refusalPage(message: string): string {
  const text = message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>coupa-csv</title></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem"><h1>coupa-csv</h1><p>${text}</p></body></html>`;
}

/** A header the page percent-encoded (a file name); as sent when it is not valid encoding. */
export function decodeHeader(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The request's JSON object, refused past {@link JSON_LIMIT} bytes (413) or when it is not an object (400). */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > JSON_LIMIT) throw new HttpError(413, 'The request is too large.');
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new HttpError(400, 'The page sent something the server cannot read.');
}

export function field(body: Record<string, unknown>, name: string): unknown {
  return body[name];
}

export function stringField(body: Record<string, unknown>, name: string, fallback?: string): string {
  const value = body[name];
  if (typeof value === 'string') return value;
  if (value === undefined && fallback !== undefined) return fallback;
  throw new HttpError(400, `missing ${name}`);
}

/** An object id the page sent (a number or its text); nothing when it is empty. */
export function optionalNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, 'The object id must be a whole number.');
  return n;
}

export function stringList(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new HttpError(400, 'missing header');
  return value as string[];
}

/** What a job's progress stream needs: its state (sent as JSON) and the streams open on it. */
export interface StreamedJob {
  state: { state: string };
  listeners: Set<ServerResponse>;
}

/** Sends the job's state to every stream open on it. */
export function broadcast(job: StreamedJob): void {
  const data = `event: state\ndata: ${JSON.stringify(job.state)}\n\n`;
  for (const res of job.listeners) res.write(data);
}

/**
 * Pushes a running job's state at most every {@link PUSH_EVERY_MS} ms: a change within that time is sent once, when
 * it is over. `push(true)` sends at once; `end()` sends the last state and closes every stream.
 */
export function throttledBroadcast(job: StreamedJob): {
  push: (force?: boolean) => void;
  end: () => void;
} {
  let lastPush = 0;
  let pending: NodeJS.Timeout | undefined;
  const push = (force = false): void => {
    const now = Date.now();
    if (!force && now - lastPush < PUSH_EVERY_MS) {
      pending ??= setTimeout(() => {
        pending = undefined;
        push(true);
      }, PUSH_EVERY_MS);
      return;
    }
    lastPush = now;
    broadcast(job);
  };
  const end = (): void => {
    if (pending) clearTimeout(pending);
    broadcast(job);
    for (const res of job.listeners) res.end();
    job.listeners.clear();
  };
  return { push, end };
}

/** Answers an EventSource request: the state now, then every change until the run (an import or an export) ends. */
export function subscribe(job: StreamedJob, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
  res.write(`retry: 1000\nevent: state\ndata: ${JSON.stringify(job.state)}\n\n`);
  if (job.state.state !== 'running') {
    res.end();
    return;
  }
  job.listeners.add(res);
  res.on('close', () => job.listeners.delete(res));
}
