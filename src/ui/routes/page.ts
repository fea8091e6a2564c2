// The page itself: index.html, app.js and app.css from the built page's folder (dist/ui-page).
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { UiContext } from '../context.js';
import { send } from '../http.js';

/** Path -> [file of the built page, content type]. */
const PAGE_FILES: Readonly<Record<string, readonly [string, string]>> = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/app.css': ['app.css', 'text/css; charset=utf-8'],
};

/** Answers a GET of one of the page's files; false for any other path. */
export async function servePageFile(ctx: UiContext, res: ServerResponse, path: string): Promise<boolean> {
  const file = PAGE_FILES[path];
  if (file === undefined) return false;
  send(res, 200, file[1], await readFile(join(ctx.assetsDir, file[0])));
  return true;
}
