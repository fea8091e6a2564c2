// Writing answers (with the instance's Date header and status counters) and reading request bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderErrors } from './render.js';
import type { SimVariations } from './types.js';

export const JSON_TYPE = 'application/json; charset=utf-8';
export const XML_TYPE = 'application/xml; charset=utf-8';
const MAX_BODY = 1024 * 1024;

/** Statuses whose body the `errorBody` variation decides. */
const VARIED_STATUSES = new Set([401, 403, 404, 429]);

/** Answers with counters and Coupa's error shapes. */
export class Replier {
  constructor(
    private readonly byStatus: Record<string, number>,
    private readonly instanceNow: () => number,
    private readonly variations: SimVariations,
  ) {}

  /** Writes one whole answer; nothing when the connection is gone or an answer was already started. */
  send(
    res: ServerResponse,
    status: number,
    body: string,
    contentType: string,
    headers: Record<string, string> = {},
    counted = true,
  ): void {
    if (res.destroyed || res.headersSent) return;
    if (counted) this.byStatus[String(status)] = (this.byStatus[String(status)] ?? 0) + 1;
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(body)),
      // The instance's clock, as Coupa's answers carry it (the client reads the clock difference from it).
      Date: new Date(this.instanceNow()).toUTCString(),
      ...headers,
    });
    res.end(body);
  }

  json(res: ServerResponse, status: number, value: unknown, counted = true): void {
    this.send(res, status, JSON.stringify(value), JSON_TYPE, {}, counted);
  }

  /**
   * Coupa's error answer, in the format the request asked for (`json`), unless the `errorBody` variation says
   * otherwise for this status. `warnings` go beside the errors when the `warnings` variation is on (JSON only).
   */
  error(
    res: ServerResponse,
    json: boolean,
    status: number,
    messages: string[],
    headers: Record<string, string> = {},
    warnings: readonly string[] = [],
  ): void {
    const shape = VARIED_STATUSES.has(status) ? this.variations.errorBody : 'default';
    if (shape === 'empty') {
      this.send(res, status, '', json ? JSON_TYPE : XML_TYPE, headers);
      return;
    }
    const asJson = shape === 'default' ? json : shape === 'json';
    const body = renderErrors(messages, asJson, {
      cdata: this.variations.cdata,
      ...(this.variations.warnings ? { warnings } : {}),
    });
    this.send(res, status, body, asJson ? JSON_TYPE : XML_TYPE, headers);
  }
}

/** A request body that cannot be read (too large): answered with its status. */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new BodyError(413, 'Request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** True when the request asks for JSON; Coupa answers everything else in XML. */
export function wantsJson(req: IncomingMessage): boolean {
  return /application\/json/i.test(req.headers.accept ?? '');
}
