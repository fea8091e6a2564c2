import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { request as httpRequest } from 'node:http';
import { parse } from 'csv-parse/sync';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { buildPage } from '../../scripts/build-page.mjs';
import { DEFAULT_SCOPES } from '../../src/coupa/index.js';
import type { Simulator } from '../../src/sim/index.js';
import { startUiServer, type UiServer, type UiServerOptions } from '../../src/ui/index.js';
import { startTestSim } from '../helpers/sim.js';

export const SAMPLES = path.resolve(import.meta.dirname, '../../samples');

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

/** A results or export file as rows of `{column: value}`. */
export function readCsv(file: string): Array<Record<string, string>> {
  return parse<Record<string, string>>(fs.readFileSync(file, 'utf8'), { columns: true, bom: true });
}

/**
 * Debian's chromium (CI installs it: .ci/run); CHROMIUM_PATH names another one. Undefined, with a line on stderr
 * saying that `testFile` is skipped, when there is none.
 */
export function findChromium(testFile: string): string | undefined {
  const found = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (p): p is string => p !== undefined && p !== '' && fs.existsSync(p),
  );
  if (!found) {
    process.stderr.write(
      `${testFile}: SKIPPED: no chromium found (/usr/bin/chromium; apt-get install chromium, or set CHROMIUM_PATH)\n`,
    );
  }
  return found;
}

/** The page in Chromium against a simulator, with a private folder for the test's files. */
export interface BrowserUi {
  sim: Simulator;
  ui: UiServer;
  context: BrowserContext;
  /** The page, opened on the server's printed URL. */
  page: Page;
  /** The test's own folder (files it writes, downloads, the browser profile, the remembered mappings). */
  work: string;
  /** Where screenshots go: UI_SCREENSHOTS, else a temp folder (its path is printed). */
  shots: string;
  /** Saves a screenshot of the page as `<shots>/<name>.png` (the whole page unless `fullPage` is false). */
  shot(name: string, fullPage?: boolean): Promise<void>;
  /** Closes the browser, the server and the simulator and removes `work`. */
  close(): Promise<void>;
}

/** Starts a simulator, a ui server on it and headless Chromium (`executablePath`) on the page's URL. */
export async function startBrowserUi(executablePath: string, workPrefix: string): Promise<BrowserUi> {
  // Loaded here, not at the top: the raw-HTTP tests use this file too and never start a browser.
  const { chromium } = await import('playwright-core');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), workPrefix));
  const shots = process.env.UI_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), 'coupa-csv-ui-shots-'));
  fs.mkdirSync(shots, { recursive: true });
  process.stderr.write(`coupa-csv ui screenshots: ${shots}\n`);
  const sim = await startTestSim();
  const ui = await startTestUi(sim, path.join(work, 'config'));
  const context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(ui.url);
  return {
    sim,
    ui,
    context,
    page,
    work,
    shots,
    async shot(name, fullPage = true) {
      await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage });
    },
    async close() {
      await context.close();
      await ui.close();
      await sim.close();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Clicks `target` and saves the download it starts: as `to.file`, or in `to.dir` under the name the page gave. */
export async function saveDownload(
  page: Page,
  target: Locator,
  to: { file: string } | { dir: string },
): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), target.click()]);
  const file = 'file' in to ? to.file : path.join(to.dir, download.suggestedFilename());
  await download.saveAs(file);
  return file;
}
