import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { request as httpRequest } from 'node:http';
import { buildPage } from '../../scripts/build-page.mjs';
import { DEFAULT_SCOPES } from '../../src/coupa/index.js';
import type { Simulator } from '../../src/sim/index.js';
import { startUiServer, type UiServer, type UiServerOptions } from '../../src/ui/index.js';

let built: Promise<string> | undefined;

/** The page, built once per test file into a temp folder (so the tests never serve a stale dist/). */
export function buildTestPage(): Promise<string> {
  built ??= buildPage(fs.mkdtempSync(path.join(os.tmpdir(), 'coupa-csv-ui-page-')));
  return built;
}

/** A ui server connected to a simulator, with its remembered mappings in `configDir`. */
export async function startTestUi(
  sim: Simulator,
  configDir: string,
  extra: Partial<UiServerOptions> = {},
): Promise<UiServer> {
  return startUiServer({
    clientOptions: {
      instance: sim.url,
      credentials: {
        kind: 'oauth',
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
        scopes: DEFAULT_SCOPES,
      },
      rate: 1000,
    },
    timezone: 'America/Los_Angeles',
    configDir,
    assetsDir: await buildTestPage(),
    ...extra,
  });
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request with exactly the headers given (Host included), as an attacker's page or tool could send. */
export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** The token of a server's printed URL. */
export function tokenOf(server: UiServer): string {
  return new URL(server.url).searchParams.get('token') ?? '';
}
