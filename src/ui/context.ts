// What the routes of the page's server share: the connection settings, the private folder's parts, the remembered
// mappings and the uploads and runs of this server. One per server, made by startUiServer (server.ts) and passed to
// every route: no route keeps state of its own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientOptions } from '../coupa/index.js';
import { errorText } from '../shared/index.js';
import type { ExportJob } from './export-jobs.js';
import { HttpError } from './http.js';
import type { ImportJob } from './jobs.js';
import type { RememberedStore } from './remembered.js';
import { ID_PATTERN, type Upload } from './uploads.js';

export interface UiContext {
  /** Connection settings for every run; the credentials in them never leave the server. */
  clientOptions: ClientOptions;
  /** The instance's time zone (flag or environment), when one was given. */
  timezone?: string;
  /** The instance's address (the page shows its host). */
  instance: URL;
  /** The built page (index.html, app.js, app.css). */
  assetsDir: string;
  /** Where uploads (and the results of their runs) and exports are kept: inside the private folder. */
  uploadsDir: string;
  exportsDir: string;
  /** Largest spreadsheet accepted, in bytes. */
  maxUploadBytes: number;
  store: RememberedStore;
  uploads: Map<string, Upload>;
  imports: Map<string, ImportJob>;
  exports: Map<string, ExportJob>;
  /** Error text for the page: the private folder's paths become plain file names. */
  describeError: (error: unknown) => string;
}

/** {@link UiContext.describeError} for a server whose private folder is `workDir`. */
export function describeErrorIn(workDir: string): (error: unknown) => string {
  return (error) => {
    const text = typeof error === 'string' ? error : errorText(error);
    return text
      .split(workDir)
      .join('')
      .replace(/\/(uploads|exports)\/[0-9a-f]{16}\//g, '');
  };
}

/** Where an API request goes: `/api/<name>/<id>/<action>`, with the query in `url`. */
export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The second part of the path: an upload's or a run's id (or `parse`, `yaml`, `find`). */
  id: string | undefined;
}

/** One API route; the routes of each file are a table by `"<METHOD> <name>[ <action>]"` (server.ts dispatches). */
export type Route = (ctx: UiContext, request: RouteRequest) => Promise<void> | void;

/** The upload or run of this server with the id of a URL; 404 with `missing` for any other id. */
export function findById<T>(items: Map<string, T>, id: string | undefined, missing: string): T {
  const item = id !== undefined && ID_PATTERN.test(id) ? items.get(id) : undefined;
  if (item === undefined) throw new HttpError(404, missing);
  return item;
}
