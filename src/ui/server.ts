import { mkdtemp, readFile, rm, mkdir, stat } from 'node:fs/promises';
import { rmSync, existsSync, createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as stringifyYaml, parse as parseYaml } from 'yaml';
import { createClient, type ClientOptions } from '../coupa/index.js';
import { discoverFields, NO_RECORDS_HINT, type DiscoverFieldsResult } from '../fields/index.js';
import { FILTER_OPERATORS } from '../export/index.js';
import type { ExportFormat } from '../export/index.js';
import { parseMappingText, type Mapping } from '../mapping/index.js';
import { ConfigError, errorText } from '../shared/index.js';
import type { CsvSource } from '../csv/index.js';
import { CorrectionError, writeCorrectedCopy, type CellEdit } from './corrected-copy.js';
import { startExportJob, type ExportJob } from './export-jobs.js';
import { suggestFields } from './field-suggestions.js';
import { readResultRows, startImportJob, subscribe, type ImportJob } from './jobs.js';
import { openRememberedStore, defaultConfigDir } from './remembered.js';
import {
  COOKIE_NAME,
  SECURITY_HEADERS,
  createToken,
  isAllowedHost,
  isSameOriginWrite,
  readCookie,
  sameSecret,
  tokenCookie,
} from './security.js';
import {
  ID_PATTERN,
  UploadTooLarge,
  describeUpload,
  newId,
  receiveUpload,
  safeFileName,
  type Upload,
} from './uploads.js';

export interface UiServerOptions {
  /** Connection settings for every run; the credentials in them never leave the server. */
  clientOptions: ClientOptions;
  /** The instance's time zone (flag or environment), when one was given. */
  timezone?: string;
  /** Default 0: any free port. Always on 127.0.0.1. */
  port?: number;
  /** Where remembered mappings are kept. Default `$XDG_CONFIG_HOME/coupa-csv` (or `~/.config/coupa-csv`). */
  configDir?: string;
  /** The built page (index.html, app.js, app.css). Default: `dist/ui-page` of this package. */
  assetsDir?: string;
  /** Largest spreadsheet accepted, in bytes. Default 500 MB. */
  maxUploadBytes?: number;
  /** The token of the URL (tests); default a new random one. */
  token?: string;
}

export interface UiServer {
  /** The one URL to open: holds the token. */
  url: string;
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  port: number;
  /** The private folder where uploads and results are kept while the server runs. */
  workDir: string;
  /** Stops running imports (as Ctrl-C does), closes the server and removes the private folder. */
  close(): Promise<void>;
}

/** Features that other parts of coupa-csv bring later: the page shows them, disabled, with this reason. */
const NOT_YET = {
  xls: 'Old Excel files (.xls) cannot be read: save the sheet as an Excel workbook (.xlsx) or as CSV.',
} as const;

const JSON_LIMIT = 2 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Finds the built page: `dist/ui-page` of the package this file belongs to. */
export function defaultAssetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'dist', 'ui-page');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (existsSync(join(dir, 'ui-page', 'index.html'))) return join(dir, 'ui-page');
    dir = dirname(dir);
  }
  return join(process.cwd(), 'dist', 'ui-page');
}

/** Starts the local page's server on 127.0.0.1. */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const token = options.token ?? createToken();
  const assetsDir = options.assetsDir ?? defaultAssetsDir();
  const maxUpload = options.maxUploadBytes ?? 500 * 1024 * 1024;
  const workDir = await mkdtemp(join(tmpdir(), 'coupa-csv-ui-'));
  const uploadsDir = join(workDir, 'uploads');
  const exportsDir = join(workDir, 'exports');
  await mkdir(uploadsDir, { mode: 0o700 });
  await mkdir(exportsDir, { mode: 0o700 });
  const store = openRememberedStore(options.configDir ?? defaultConfigDir());
  const uploads = new Map<string, Upload>();
  const imports = new Map<string, ImportJob>();
  const exportJobs = new Map<string, ExportJob>();
  const instance = new URL(options.clientOptions.instance);
  let port = 0;

  /** Error text for the page: the private folder's paths become plain file names. */
  const describeError = (error: unknown): string => {
    const text = typeof error === 'string' ? error : errorText(error);
    return text
      .split(workDir)
      .join('')
      .replace(/\/(uploads|exports)\/[0-9a-f]{16}\//g, '');
  };

  const page = async (name: string): Promise<Buffer> => readFile(join(assetsDir, name));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    if (!isAllowedHost(req.headers.host, port)) {
      throw new HttpError(403, 'This page answers only at the address coupa-csv printed.');
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const method = req.method ?? 'GET';
    const given = url.searchParams.get('token');
    if (method === 'GET' && given !== null) {
      if (!sameSecret(given, token)) throw new HttpError(401, 'This link is not valid any more.');
      // The token leaves the address bar at once: the cookie carries it from now on.
      res.writeHead(303, { 'set-cookie': tokenCookie(token), location: '/' });
      res.end();
      return;
    }
    if (!sameSecret(readCookie(req, COOKIE_NAME), token)) {
      throw new HttpError(401, 'Open the link that coupa-csv ui printed in its window to use this page.');
    }
    if (method !== 'GET' && method !== 'HEAD' && !isSameOriginWrite(req, port)) {
      throw new HttpError(403, 'Changes are accepted only from this page itself.');
    }
    const path = url.pathname;
    if (method === 'GET' && (path === '/' || path === '/index.html')) {
      return send(res, 200, 'text/html; charset=utf-8', await page('index.html'));
    }
    if (method === 'GET' && path === '/app.js') {
      return send(res, 200, 'text/javascript; charset=utf-8', await page('app.js'));
    }
    if (method === 'GET' && path === '/app.css') {
      return send(res, 200, 'text/css; charset=utf-8', await page('app.css'));
    }
    if (!path.startsWith('/api/')) throw new HttpError(404, 'There is no such page.');
    return handleApi(req, res, method, url);
  };

  const handleApi = async (
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: URL,
  ): Promise<void> => {
    const parts = url.pathname.split('/').slice(2); // after '', 'api'
    const route = `${method} ${parts[0] ?? ''}${parts.length > 2 ? ` ${parts[2]}` : ''}`;
    switch (route) {
      case 'GET info':
        return sendJson(res, 200, {
          instance: instance.host,
          timezone: options.timezone ?? null,
          operators: ['eq', ...FILTER_OPERATORS],
          notAvailable: NOT_YET,
          features: { plan: true, fields: true, xlsxIn: true, xlsxOut: true },
        });
      case 'POST uploads': {
        const name = decodeHeader(req.headers['x-file-name']) ?? 'upload.csv';
        if (/\.xls$/i.test(name)) {
          req.resume();
          throw new HttpError(415, NOT_YET.xls);
        }
        const upload = await receiveUpload(req, uploadsDir, name, maxUpload);
        uploads.set(upload.id, upload);
        try {
          const described = await describeUpload(upload);
          upload.info = described;
          return sendJson(res, 200, described);
        } catch (error) {
          throw new HttpError(422, `${upload.name} cannot be read: ${describeError(error)}`);
        }
      }
      case 'POST uploads corrections': {
        const original = uploadById(parts[1]);
        const body = await readJson(req);
        const edits = editList(field(body, 'edits'));
        if (!original.info) throw new HttpError(409, 'That spreadsheet could not be read: choose it again.');
        const name = correctedName(original, [...uploads.values()]);
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
        uploads.set(corrected.id, corrected);
        return sendJson(res, 200, {
          ...corrected.info,
          changed,
          correctedFrom: uploads.get(corrected.correctedFrom ?? '')?.name ?? original.name,
        });
      }
      case 'POST uploads source': {
        // A workbook's sheet and header row, chosen in the page: read again, and used by every later run of it.
        const upload = uploadById(parts[1]);
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
          throw new HttpError(422, `${upload.name} cannot be read so: ${describeError(error)}`);
        }
        return sendJson(res, 200, upload.info);
      }
      case 'GET uploads file': {
        // Only the copies the page made can be downloaded: the user has the original already.
        const upload = uploadById(parts[1]);
        if (upload.correctedFrom === undefined) throw new HttpError(404, 'There is no such file.');
        return sendFile(res, upload.path, upload.name, 'text/csv');
      }
      case 'POST mapping': {
        const body = await readJson(req);
        if (parts[1] === 'parse') {
          const text = stringField(body, 'text');
          const name = safeFileName(stringField(body, 'name'), 'mapping.yaml');
          parseMappingForPage(text, name);
          return sendJson(res, 200, { mapping: normalizeDocument(parseYaml(text)) });
        }
        if (parts[1] === 'yaml') {
          const doc = normalizeDocument(field(body, 'mapping'));
          parseMappingForPage(mappingYaml(doc), 'mapping.yaml');
          return sendJson(res, 200, { yaml: mappingYaml(doc) });
        }
        throw new HttpError(404, 'There is no such page.');
      }
      case 'POST remembered': {
        const body = await readJson(req);
        const header = stringList(field(body, 'header'));
        if (parts[1] === 'find') return sendJson(res, 200, { mapping: await store.find(header) });
        await store.save(header, normalizeDocument(field(body, 'mapping')));
        return sendJson(res, 200, { saved: true });
      }
      case 'POST plan':
      case 'POST imports': {
        const body = await readJson(req);
        // A plan reads Coupa and writes nothing: it runs beside an import as a validation does.
        const plan = route === 'POST plan';
        const upload = uploads.get(stringField(body, 'upload'));
        if (!upload) throw new HttpError(404, 'That spreadsheet is no longer here: choose it again.');
        const doc = normalizeDocument(field(body, 'mapping'));
        const mapping = parseMappingForPage(mappingYaml(doc), 'the mapping');
        const mode = stringField(body, 'mode', 'create');
        if (mode !== 'create' && mode !== 'update' && mode !== 'upsert')
          throw new HttpError(400, `unknown mode ${mode}`);
        const dryRun = !plan && field(body, 'dryRun') === true;
        let results: string | undefined;
        const resumeOf = field(body, 'resumeOf');
        if (!plan && resumeOf !== undefined && resumeOf !== null) {
          const previous = typeof resumeOf === 'string' ? imports.get(resumeOf) : undefined;
          if (!previous || previous.state.kind !== 'import')
            throw new HttpError(404, 'There is no import to resume.');
          if (previous.state.state === 'running') throw new HttpError(409, 'That import is still running.');
          results = previous.results;
        }
        const running = [...imports.values()].find(
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
          ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
          clientOptions: options.clientOptions,
          describeError,
        });
        imports.set(job.id, job);
        return sendJson(res, 200, job.state);
      }
      case 'GET imports events':
        return subscribe(importJob(parts[1]), res);
      case 'POST imports stop': {
        const job = importJob(parts[1]);
        job.controller.abort(new Error('stopped from the page'));
        return sendJson(res, 200, { stopping: job.state.state === 'running' });
      }
      case 'GET imports rows': {
        const job = importJob(parts[1]);
        if (job.state.state === 'running') throw new HttpError(409, 'The run is still going.');
        const onlyParam = url.searchParams.get('only');
        const only = onlyParam === 'problems' || onlyParam === 'changes' ? onlyParam : 'all';
        const limit = Math.min(1000, Math.max(1, Number(url.searchParams.get('limit') ?? 200) || 200));
        return sendJson(res, 200, await readResultRows(job.results, only, limit));
      }
      case 'GET imports results': {
        const job = importJob(parts[1]);
        if (job.state.state === 'running') throw new HttpError(409, 'The run is still going.');
        if (url.searchParams.get('format') === 'xlsx') {
          if (!job.resultsXlsx) throw new HttpError(404, 'This run has no workbook results file.');
          return sendFile(
            res,
            job.resultsXlsx.path,
            job.resultsXlsx.name,
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          );
        }
        return sendFile(res, job.results, job.resultsName, 'text/csv');
      }
      case 'GET fields': {
        const objectId = optionalNumber(url.searchParams.get('object'));
        if (objectId === undefined) throw new HttpError(400, 'Enter the custom object id first.');
        const uploadId = url.searchParams.get('upload');
        const upload = uploadId === null ? undefined : uploads.get(uploadId);
        return sendJson(res, 200, await fieldsFor(objectId, upload));
      }
      case 'POST exports': {
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
            : parseMappingForPage(mappingYaml(normalizeDocument(mappingDoc)), 'the mapping');
        const format: ExportFormat = formatChoice === 'excel' ? 'csv' : (formatChoice as ExportFormat);
        const id = newId();
        const ext = format === 'jsonl' ? 'jsonl' : format === 'xlsx' ? 'xlsx' : 'csv';
        const name = `object-${objectId ?? mapping?.object ?? 'export'}-export.${ext}`;
        const dir = join(exportsDir, id);
        await mkdir(dir, { mode: 0o700 });
        const job = startExportJob(
          {
            client: options.clientOptions,
            filters,
            format,
            // Excel CSV: BOM, CRLF, formulas escaped and the spreadsheet's delimiter, as `export --excel` writes.
            ...(formatChoice === 'excel' ? { excel: true } : {}),
            ...(objectId === undefined ? {} : { objectId }),
            ...(mapping === undefined ? {} : { mapping }),
            ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
          },
          join(dir, name),
          name,
          describeError,
        );
        exportJobs.set(job.id, job);
        return sendJson(res, 200, job.state);
      }
      case 'GET exports events':
        return subscribe(exportJob(parts[1]), res);
      case 'POST exports stop': {
        const job = exportJob(parts[1]);
        job.controller.abort(new Error('stopped from the page'));
        return sendJson(res, 200, { stopping: job.state.state === 'running' });
      }
      case 'GET exports file': {
        const job = exportJob(parts[1]);
        if (job.state.state !== 'done') throw new HttpError(409, 'That export has no file: run it again.');
        const name = job.state.name;
        return sendFile(
          res,
          job.path,
          name,
          name.endsWith('.jsonl')
            ? 'application/x-ndjson'
            : name.endsWith('.xlsx')
              ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
              : 'text/csv',
        );
      }
      default:
        req.resume();
        throw new HttpError(404, 'There is no such page.');
    }
  };

  /** The object's fields as its records show them, and for an upload, the closest field for each column. */
  const fieldsFor = async (objectId: number, upload: Upload | undefined): Promise<unknown> => {
    const client = createClient(options.clientOptions);
    let found: DiscoverFieldsResult;
    try {
      found = await discoverFields(client, objectId);
    } catch (error) {
      if (error instanceof ConfigError && error.code === 'OBJECT_NOT_FOUND') {
        throw new HttpError(
          404,
          `Custom object ${objectId} was not found on ${instance.host}: check the object id (its number in Coupa).`,
        );
      }
      throw new HttpError(502, `Coupa could not be asked for the fields: ${describeError(error)}`);
    } finally {
      await client.close().catch(() => undefined);
    }
    const fields = found.fields.map((f) => ({
      name: f.name,
      type: f.type,
      label: f.label,
      ...(f.keys ? { keys: f.keys } : {}),
      ...(f.exampleText === undefined ? {} : { example: f.exampleText }),
    }));
    if (found.records === 0) {
      return {
        objectId,
        records: 0,
        fields,
        note: NO_RECORDS_HINT.replace('run this again', 'press Suggest fields from Coupa again'),
      };
    }
    const info = upload?.info;
    if (!info) return { objectId, records: found.records, fields };
    const guessed = normalizeDocument(info.suggested ?? {});
    const skip = typeof guessed.id === 'string' ? [guessed.id] : [];
    const suggestions = suggestFields(
      info.header,
      found.fields,
      (guessed.fields ?? {}) as Record<string, Record<string, unknown>>,
      skip,
    );
    return { objectId, records: found.records, fields, suggestions };
  };

  const exportJob = (id: string | undefined): ExportJob => {
    const job = id !== undefined && ID_PATTERN.test(id) ? exportJobs.get(id) : undefined;
    if (!job) throw new HttpError(404, 'That export is no longer here: run it again.');
    return job;
  };

  const uploadById = (id: string | undefined): Upload => {
    const upload = id !== undefined && ID_PATTERN.test(id) ? uploads.get(id) : undefined;
    if (!upload) throw new HttpError(404, 'That spreadsheet is no longer here: choose it again.');
    return upload;
  };

  const importJob = (id: string | undefined): ImportJob => {
    const job = id !== undefined && ID_PATTERN.test(id) ? imports.get(id) : undefined;
    if (!job) throw new HttpError(404, 'That run is no longer here.');
    return job;
  };

  const parseMappingForPage = (text: string, name: string): Mapping => {
    try {
      return parseMappingText(text, name);
    } catch (error) {
      throw new HttpError(422, describeError(error));
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
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
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => done());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  // A crash or exit while the server runs still removes the private folder.
  const removeWorkDir = (): void => rmSync(workDir, { recursive: true, force: true });
  process.on('exit', removeWorkDir);
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    workDir,
    async close() {
      for (const job of [...imports.values(), ...exportJobs.values()])
        job.controller.abort(new Error('the page was closed'));
      await Promise.allSettled([...imports.values(), ...exportJobs.values()].map((job) => job.done));
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await rm(workDir, { recursive: true, force: true });
      process.off('exit', removeWorkDir);
    },
  };
}

function send(res: ServerResponse, status: number, type: string, body: Buffer): void {
  res.writeHead(status, { 'content-type': type, 'content-length': body.length });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(value)));
}

function sendFile(res: ServerResponse, path: string, name: string, type: string): void {
  res.writeHead(200, {
    'content-type': type,
    'content-disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
  });
  createReadStream(path).pipe(res);
}

function refusalPage(message: string): string {
  const text = message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>coupa-csv</title></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem"><h1>coupa-csv</h1><p>${text}</p></body></html>`;
}

function decodeHeader(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
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

function field(body: Record<string, unknown>, name: string): unknown {
  return body[name];
}

function stringField(body: Record<string, unknown>, name: string, fallback?: string): string {
  const value = body[name];
  if (typeof value === 'string') return value;
  if (value === undefined && fallback !== undefined) return fallback;
  throw new HttpError(400, `missing ${name}`);
}

function optionalNumber(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new HttpError(400, 'The object id must be a whole number.');
  return n;
}

function stringList(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new HttpError(400, 'missing header');
  return value as string[];
}

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

/**
 * A mapping document as the page edits it: the YAML file's own structure (object, timezone, id, key, fields,
 * constants), with short `Column: field` entries written long. Anything else the file holds is kept as it is, so
 * that a loaded mapping downloads again with every key it had.
 */
export function normalizeDocument(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(422, 'the mapping must be a list of settings (object:, fields:, ...)');
  }
  const doc = { ...(value as Record<string, unknown>) };
  const fields = doc.fields;
  if (fields && typeof fields === 'object' && !Array.isArray(fields)) {
    const long: Record<string, unknown> = {};
    for (const [column, spec] of Object.entries(fields as Record<string, unknown>)) {
      long[column] = typeof spec === 'string' ? { field: spec } : spec;
    }
    doc.fields = long;
  }
  return doc;
}

/** The YAML the CLI reads, for a mapping document. */
export function mappingYaml(doc: Record<string, unknown>): string {
  return `# Made with coupa-csv ui. Use it with: coupa-csv import <file.csv> --mapping <this file>\n${stringifyYaml(
    doc,
    {
      lineWidth: 0,
    },
  )}`;
}
