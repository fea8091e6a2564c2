// /api/custom_objects/{object_id}/object_instances[/{id}]: rate limit, latency, faults, credentials, then the
// record routes (index, create, show, update).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimContext } from '../context.js';
import { JSON_TYPE, readBody, XML_TYPE } from '../http.js';
import { listRecords } from '../query.js';
import { renderRecordsXml, renderRecordXml } from '../render.js';
import { SimHttpError, type ReturnObject } from '../store.js';

/** The warning the `warnings` variation puts beside validation errors: not a failure, a client must not show it as one. */
export const VALIDATION_WARNING = 'Some fields are hidden on the form and were not validated';

export async function handleApi(
  ctx: SimContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  json: boolean,
): Promise<void> {
  const { counters, reply, faults, store, clock } = ctx;
  counters.inFlight++;
  counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
  res.once('close', () => counters.inFlight--);

  const throttle = (): void => {
    counters.throttled++;
    const withHeader = ctx.retryAfter === 'mixed' ? faults.coin() : ctx.retryAfter;
    reply.error(res, json, 429, ['Too many requests'], withHeader ? { 'Retry-After': '1' } : {});
  };
  if (!(await ctx.bucket.admit())) {
    throttle();
    return;
  }
  if (clock) {
    const due = clock.due();
    res.once('finish', () => clock.answered(due));
    await clock.hold(due);
  }
  if (ctx.isClosed() || res.destroyed) return;
  if (faults.extra429()) {
    throttle();
    return;
  }
  const fault = faults.error5xx();
  if (fault) {
    const { status } = fault;
    if (fault.html) {
      const title =
        status === 500 ? 'Internal Server Error' : status === 502 ? 'Bad Gateway' : 'Service Unavailable';
      const html = `<!DOCTYPE html>\n<html><head><title>${status} ${title}</title></head><body><h1>${title}</h1></body></html>\n`;
      reply.send(res, status, html, 'text/html; charset=utf-8');
    } else {
      reply.error(res, json, status, ['We are sorry, but something went wrong.']);
    }
    return;
  }
  const denied = ctx.tokens.authenticate(req);
  if (denied) {
    reply.error(
      res,
      json,
      denied.status,
      [denied.message],
      denied.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {},
    );
    return;
  }
  const route = /^\/api\/custom_objects\/([^/]+)\/object_instances(?:\/([^/]*))?\/?$/.exec(url.pathname);
  if (!route?.[1] || !/^\d+$/.test(route[1])) {
    reply.error(res, json, 404, ['The page you were looking for does not exist']);
    return;
  }
  const objectId = Number(route[1]);
  const memberPart = route[2] ?? '';
  const returnObject = readReturnObject(
    url.searchParams.get('return_object') ?? url.searchParams.get('return-object'),
  );
  const drop = (): void => {
    counters.dropped++;
    req.socket.destroy();
  };
  const respondRecord = (status: number, record: Record<string, unknown>, how: ReturnObject): void => {
    if (how === 'none') reply.send(res, status, '', json ? JSON_TYPE : XML_TYPE);
    else if (json) reply.json(res, status, record);
    else reply.send(res, status, renderRecordXml(record, dateTimeNames(ctx, objectId)), XML_TYPE);
  };
  let writing = false;
  try {
    if (memberPart === '') {
      if (req.method === 'GET') {
        const page = listRecords(
          store.object(objectId),
          ctx.ignoreFilters
            ? keptWhenIgnoring([...url.searchParams.entries()])
            : [...url.searchParams.entries()],
          store.directory,
          ctx.query,
        );
        const how = returnObject === 'none' ? 'full' : returnObject;
        const records = page.map((r) => store.present(objectId, r, how));
        if (json) reply.json(res, 200, records);
        else if (records.length === 0)
          reply.error(res, false, 404, ['No results match your search criteria.']);
        else reply.send(res, 200, renderRecordsXml(records, dateTimeNames(ctx, objectId)), XML_TYPE);
        return;
      }
      if (req.method === 'POST') {
        store.object(objectId);
        const fields = customFieldsOf(await readBody(req), req.headers['content-type']);
        if (faults.dropBeforeStore()) return drop();
        writing = true;
        const rec = store.create(objectId, fields);
        if (faults.dropAfterStore()) return drop();
        respondRecord(201, store.present(objectId, rec, returnObject), returnObject);
        return;
      }
      reply.error(res, json, 405, [`${req.method ?? ''} is not supported here`], { Allow: 'GET, POST' });
      return;
    }
    if (!/^\d+$/.test(memberPart)) {
      reply.error(res, json, 404, [`Unable to find record with id ${memberPart}`]);
      return;
    }
    const id = Number(memberPart);
    if (req.method === 'GET') {
      const rec = store.get(objectId, id);
      const how = returnObject === 'none' ? 'full' : returnObject;
      respondRecord(200, store.present(objectId, rec, how), how);
      return;
    }
    if (req.method === 'PUT' || req.method === 'PATCH') {
      store.get(objectId, id);
      const fields = customFieldsOf(await readBody(req), req.headers['content-type']);
      if (faults.dropBeforeStore()) return drop();
      writing = true;
      const rec = store.update(objectId, id, fields);
      if (faults.dropAfterStore()) return drop();
      respondRecord(200, store.present(objectId, rec, returnObject), returnObject);
      return;
    }
    // Coupa does not support deleting custom object records through the API.
    reply.error(res, json, 405, [`${req.method ?? ''} is not supported for object instances`], {
      Allow: 'GET, PUT, PATCH',
    });
  } catch (error) {
    if (!(error instanceof SimHttpError)) throw error;
    const validation = writing && error.status === 400;
    reply.error(res, json, error.status, error.messages, {}, validation ? [VALIDATION_WARNING] : []);
  }
}

/** The names typed `dateTime` in an object's XML: the timestamps and its date and datetime fields. */
function dateTimeNames(ctx: SimContext, objectId: number): Set<string> {
  const names = new Set(['created-at', 'updated-at']);
  for (const field of ctx.store.object(objectId).def.fields) {
    if (field.type === 'date' || field.type === 'datetime') names.add(field.name);
  }
  return names;
}

/**
 * The `custom-fields` (or `custom_fields`) of a JSON body; every other element is read-only and ignored. A body sent
 * with another content type (or none: curl's default is a form) is not read as JSON, as Coupa would not.
 */
function customFieldsOf(body: string, contentType: string | undefined): Record<string, unknown> {
  if (body.trim() === '') return {};
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new SimHttpError(400, [
      `Unable to parse the request body as ${type || 'a body without a content type'}: send JSON with Content-Type: application/json`,
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SimHttpError(400, [
      'Unable to parse the request body: send JSON with Content-Type: application/json',
    ]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SimHttpError(400, ['The request body must be a JSON object']);
  }
  const record = parsed as Record<string, unknown>;
  const fields = record['custom-fields'] ?? record.custom_fields;
  if (fields === undefined || fields === null) return {};
  if (typeof fields !== 'object' || Array.isArray(fields)) {
    throw new SimHttpError(400, ['custom-fields must be an object']);
  }
  return fields as Record<string, unknown>;
}

function readReturnObject(value: string | null): ReturnObject {
  if (value === 'none' || value === 'limited' || value === 'shallow') return value;
  return 'full';
}

/** Query arguments `ignoreFilters` keeps: paging, order, and filters on the standard attributes. */
const KEPT_WHEN_IGNORING =
  /^(id|created[-_]at|updated[-_]at|limit|offset|order[-_]by|dir|return[-_]object|fields)(\[|$)/i;

/** An instance that ignores filters it does not know: filters on custom fields are dropped. */
function keptWhenIgnoring(params: [string, string][]): [string, string][] {
  return params.filter(([k]) => KEPT_WHEN_IGNORING.test(k));
}
