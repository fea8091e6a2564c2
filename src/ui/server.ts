// The page's server: the private folder, the security gate every request passes (Host, token cookie, same-origin
// writes), the page's own files, and the API routes (routes/*.ts), which get what they need in one UiContext.
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientOptions } from '../coupa/index.js';
import { describeErrorIn, type Route, type UiContext } from './context.js';
import { HttpError, sendFailure } from './http.js';
import { defaultConfigDir, openRememberedStore } from './remembered.js';
import { exportRoutes } from './routes/exports.js';
import { fieldRoutes } from './routes/fields.js';
import { importRoutes } from './routes/imports.js';
import { infoRoutes } from './routes/info.js';
import { mappingRoutes } from './routes/mapping.js';
import { servePageFile } from './routes/page.js';
import { uploadRoutes } from './routes/uploads.js';
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

/** Every API route, by `"<METHOD> <name>[ <action>]"` of `/api/<name>/<id>/<action>`. */
const API_ROUTES: Readonly<Record<string, Route>> = {
  ...infoRoutes,
  ...uploadRoutes,
  ...mappingRoutes,
  ...importRoutes,
  ...fieldRoutes,
  ...exportRoutes,
};

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
  const workDir = await mkdtemp(join(tmpdir(), 'coupa-csv-ui-'));
  const ctx: UiContext = {
    clientOptions: options.clientOptions,
    ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
    instance: new URL(options.clientOptions.instance),
    assetsDir: options.assetsDir ?? defaultAssetsDir(),
    uploadsDir: join(workDir, 'uploads'),
    exportsDir: join(workDir, 'exports'),
    maxUploadBytes: options.maxUploadBytes ?? 500 * 1024 * 1024,
    store: openRememberedStore(options.configDir ?? defaultConfigDir()),
    uploads: new Map(),
    imports: new Map(),
    exports: new Map(),
    describeError: describeErrorIn(workDir),
  };
  await mkdir(ctx.uploadsDir, { mode: 0o700 });
  await mkdir(ctx.exportsDir, { mode: 0o700 });
  let port = 0;

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
    if (method === 'GET' && (await servePageFile(ctx, res, url.pathname))) return;
    if (!url.pathname.startsWith('/api/')) throw new HttpError(404, 'There is no such page.');
    const parts = url.pathname.split('/').slice(2); // after '', 'api'
    const route = API_ROUTES[`${method} ${parts[0] ?? ''}${parts.length > 2 ? ` ${parts[2]}` : ''}`];
    if (route === undefined) {
      req.resume();
      throw new HttpError(404, 'There is no such page.');
    }
    return route(ctx, { req, res, url, id: parts[1] });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => sendFailure(req, res, error, ctx.describeError));
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
      const jobs = [...ctx.imports.values(), ...ctx.exports.values()];
      for (const job of jobs) job.controller.abort(new Error('the page was closed'));
      await Promise.allSettled(jobs.map((job) => job.done));
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await rm(workDir, { recursive: true, force: true });
      process.off('exit', removeWorkDir);
    },
  };
}
