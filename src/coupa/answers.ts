/**
 * What an HTTP answer from Coupa means: its failure as the error a caller sees (`CoupaApiError`, `AuthError`), or
 * its JSON body as records. Pure functions of the answer; the transport decides only whether to retry.
 */
import { AuthError } from '../shared/index.js';
import { CoupaApiError } from './errors.js';
import { parseCoupaErrors } from './parse-errors.js';
import type { Credentials, ObjectInstance } from './types.js';

/** An HTTP answer as the transport read it (the body read to its end). */
export interface Answer {
  status: number;
  contentType: string | undefined;
  retryAfter: string | undefined;
  location: string | undefined;
  text: string;
}

/** The request an answer belongs to, as messages name it. */
export interface RequestLine {
  method: string;
  /** Path and query, relative to the instance base URL. */
  path: string;
}

/** What failure messages need to know about the client. */
export interface FailureContext {
  /** The instance's host, as messages name it. */
  host: string;
  credentials: Credentials;
  /** The retry budget (a 429 that outlasted it says so). */
  maxRetries: number;
  /** Hides the secrets known so far. */
  redact: (text: string) => string;
}

/** The media type of an answer for a message (`text/html`), or `no content type`. */
export function describeContentType(answer: Pick<Answer, 'contentType'>): string {
  return answer.contentType
    ? answer.contentType.split(';')[0]?.trim() || answer.contentType
    : 'no content type';
}

/**
 * Coupa's messages in an error answer. Redacted before the messages are parsed (where white space is folded and long
 * ones are cut) and after (a secret written as HTML or XML entities is only readable then).
 */
export function readServerMessages(answer: Answer, redact: (text: string) => string): string[] {
  return parseCoupaErrors(answer.status, answer.contentType, redact(answer.text)).map(redact);
}

/** The server's messages as the end of a sentence (`: msg1; msg2`), or '' when it gave none. */
export function describeDetail(answer: Answer, redact: (text: string) => string): string {
  const messages = readServerMessages(answer, redact).filter((m) => m !== 'no message');
  return messages.length > 0 ? `: ${messages.join('; ')}` : '';
}

/**
 * The error for a final answer outside 2xx to an /api request (the transport has retried what it could).
 *
 * @example
 * buildFailure({ method: 'GET', path: '/api/x' }, answer, context); // AuthError for 401/403, else CoupaApiError
 */
export function buildFailure(req: RequestLine, answer: Answer, context: FailureContext): Error {
  const { status } = answer;
  const { host, credentials, redact } = context;
  const where = `${req.method} ${req.path}`;
  if (status === 401) {
    if (credentials.kind === 'api-key') {
      return new AuthError(
        `COUPA_API_KEY was refused by ${host} (HTTP 401 on ${where}): check the key; Coupa stopped accepting API ` +
          'keys in release R35 (2023), newer instances need an OAuth client (COUPA_CLIENT_ID / COUPA_CLIENT_SECRET)',
        401,
      );
    }
    return new AuthError(
      `${host} refused the access token issued to COUPA_CLIENT_ID (HTTP 401 on ${where}), even a freshly renewed ` +
        'one: check that the OAuth client is active and allowed to call the API',
      401,
    );
  }
  if (status === 403) {
    if (credentials.kind === 'api-key') {
      return new AuthError(
        `${host} refused ${where} with HTTP 403: the API key in COUPA_API_KEY has no permission for custom objects`,
        403,
      );
    }
    const plural = credentials.scopes.includes(' ');
    return new AuthError(
      `${host} refused ${where} with HTTP 403${describeDetail(answer, redact)}: the access token lacks the scope for custom ` +
        `objects. Requested scope${plural ? 's' : ''}: ${credentials.scopes}; the OAuth client in Coupa needs ` +
        `${plural ? 'them' : 'it'} (Setup > OAuth2/OpenID Connect Clients), or set COUPA_SCOPES / --scopes to a ` +
        'scope it has (core.custom_objects.read_write)',
      403,
    );
  }
  if (status === 429) {
    const messages = readServerMessages(answer, redact).filter((m) => m !== 'no message');
    return new CoupaApiError(
      429,
      [...messages, `still rate limited after ${context.maxRetries} retries`],
      req.method,
      req.path,
    );
  }
  if (status >= 300 && status < 400) {
    const target = answer.location ? redact(answer.location.split('?')[0] ?? '') : 'elsewhere';
    return new CoupaApiError(
      status,
      [`redirected to ${target}: check the instance URL (--instance / COUPA_INSTANCE)`],
      req.method,
      req.path,
    );
  }
  return new CoupaApiError(status, readServerMessages(answer, redact), req.method, req.path);
}

/**
 * The JSON body of a 2xx answer; a CoupaApiError that says what came instead (nothing, an HTML page, another type,
 * broken JSON).
 */
export function readJson(req: RequestLine, answer: Answer): unknown {
  const type = (answer.contentType ?? '').toLowerCase();
  const text = answer.text.trim();
  const fail = (why: string): CoupaApiError => new CoupaApiError(answer.status, [why], req.method, req.path);
  if (text === '') throw fail('the answer was empty; a JSON record was expected');
  if (!type.includes('json') && !(type === '' && /^[[{]/.test(text))) {
    if (type.includes('html') || /^(<!doctype html|<html)/i.test(text)) {
      throw fail(
        'the answer was an HTML page, not JSON: check the instance URL (--instance / COUPA_INSTANCE)',
      );
    }
    throw fail(
      `the answer was not JSON (${describeContentType(answer)}): a proxy may have dropped the ` +
        '"Accept: application/json" header, or the instance URL does not point at Coupa',
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw fail(`the answer was not valid JSON (${describeContentType(answer)})`);
  }
}

/** One decoded JSON value as a record: an object with a numeric id (a digit string is read as a number). */
export function toInstance(req: RequestLine, answer: Answer, value: unknown): ObjectInstance {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new CoupaApiError(
      answer.status,
      ['the answer was not a record (a JSON object)'],
      req.method,
      req.path,
    );
  }
  const record = value as Record<string, unknown>;
  const rawId = record.id;
  const id = typeof rawId === 'string' && /^\d+$/.test(rawId) ? Number(rawId) : rawId;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    throw new CoupaApiError(
      answer.status,
      ['the record in the answer has no numeric id'],
      req.method,
      req.path,
    );
  }
  const fields = record['custom-fields'];
  const customFields =
    fields && typeof fields === 'object' && !Array.isArray(fields) ? (fields as Record<string, unknown>) : {};
  return { ...record, id, 'custom-fields': customFields };
}

/** A decoded JSON value as a list of records. */
export function toInstanceList(req: RequestLine, answer: Answer, value: unknown): ObjectInstance[] {
  if (!Array.isArray(value)) {
    throw new CoupaApiError(answer.status, ['the answer was not a list of records'], req.method, req.path);
  }
  return value.map((item) => toInstance(req, answer, item));
}
