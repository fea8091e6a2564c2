import { describe, expect, it } from 'vitest';
import {
  buildFailure,
  describeContentType,
  describeDetail,
  readJson,
  toInstance,
  toInstanceList,
  type Answer,
  type FailureContext,
} from '../../src/coupa/answers.js';
import { CoupaApiError } from '../../src/coupa/errors.js';
import { AuthError } from '../../src/shared/errors.js';

const req = { method: 'GET', path: '/api/custom_objects/101/object_instances' };

function answer(status: number, text = '', contentType: string | undefined = 'application/json'): Answer {
  return { status, contentType, retryAfter: undefined, location: undefined, text };
}

const hide = (text: string): string => text.split('s3cret').join('[redacted]');
const oauth: FailureContext = {
  host: 'acme.coupahost.com',
  credentials: { kind: 'oauth', clientId: 'id', clientSecret: 's3cret', scopes: 'a b' },
  maxRetries: 4,
  redact: hide,
};
const apiKey: FailureContext = { ...oauth, credentials: { kind: 'api-key', apiKey: 's3cret' } };

describe('buildFailure', () => {
  it('401 with an API key: AuthError about the key and API keys having ended', () => {
    const error = buildFailure(req, answer(401), apiKey);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain('COUPA_API_KEY was refused by acme.coupahost.com (HTTP 401 on GET /api/');
    expect(error.message).toContain('R35');
  });

  it('401 with OAuth: AuthError about the token, even a renewed one', () => {
    const error = buildFailure(req, answer(401), oauth);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain('even a freshly renewed one');
  });

  it('403 with OAuth names the requested scopes and the server message, redacted', () => {
    const error = buildFailure(req, answer(403, '{"errors":["no scope for s3cret"]}'), oauth);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain('Requested scopes: a b');
    expect(error.message).toContain('no scope for [redacted]');
    expect(error.message).not.toContain('s3cret');
  });

  it("403 with an API key: AuthError about the key's permissions", () => {
    expect(buildFailure(req, answer(403), apiKey).message).toContain('has no permission for custom objects');
  });

  it('429 after the retries: CoupaApiError saying how many retries were made', () => {
    const error = buildFailure(req, answer(429), oauth);
    expect(error).toBeInstanceOf(CoupaApiError);
    expect((error as CoupaApiError).messages).toContain('still rate limited after 4 retries');
  });

  it('a redirect names its target without the query, redacted', () => {
    const redirected = { ...answer(302), location: 'https://login.example.com/s3cret?token=x' };
    const error = buildFailure(req, redirected, oauth) as CoupaApiError;
    expect(error.status).toBe(302);
    expect(error.messages).toEqual([
      'redirected to https://login.example.com/[redacted]: check the instance URL (--instance / COUPA_INSTANCE)',
    ]);
  });

  it("any other status: CoupaApiError with Coupa's messages", () => {
    const error = buildFailure(
      req,
      answer(422, '{"errors":{"vendor-code":["is taken"]}}'),
      oauth,
    ) as CoupaApiError;
    expect(error).toBeInstanceOf(CoupaApiError);
    expect(error.status).toBe(422);
    expect(error.method).toBe('GET');
    expect(error.messages.join(' ')).toContain('is taken');
  });
});

describe('describeDetail and describeContentType', () => {
  it("gives the server's messages as the end of a sentence, or nothing", () => {
    expect(describeDetail(answer(500, '{"errors":["boom"]}'), hide)).toContain(': ');
    expect(describeDetail(answer(500, '{"errors":["boom"]}'), hide)).toContain('boom');
    expect(describeDetail(answer(500, ''), hide)).toBe('');
  });

  it('names the media type without parameters', () => {
    expect(describeContentType({ contentType: 'text/html; charset=utf-8' })).toBe('text/html');
    expect(describeContentType({ contentType: undefined })).toBe('no content type');
  });
});

describe('readJson', () => {
  it('decodes JSON, also without a content type when the body looks like JSON', () => {
    expect(readJson(req, answer(200, ' {"id": 1} '))).toEqual({ id: 1 });
    expect(readJson(req, answer(200, '[1]', undefined))).toEqual([1]);
  });

  it('says what came instead of JSON', () => {
    const fail = (a: Answer): string => {
      try {
        readJson(req, a);
      } catch (error) {
        expect(error).toBeInstanceOf(CoupaApiError);
        return (error as CoupaApiError).messages.join();
      }
      throw new Error('no error');
    };
    expect(fail(answer(200, '  '))).toContain('the answer was empty');
    expect(fail(answer(200, '<html><body>login</body></html>', 'text/html'))).toContain('an HTML page');
    expect(fail(answer(200, 'plain', 'text/plain'))).toContain('not JSON (text/plain)');
    expect(fail(answer(200, '{"id": ', 'application/json'))).toContain('not valid JSON (application/json)');
  });
});

describe('toInstance and toInstanceList', () => {
  it('reads a record with a numeric id (a digit string too) and custom fields (an object, else empty)', () => {
    expect(toInstance(req, answer(200), { id: '42', 'custom-fields': { a: 1 }, other: true })).toEqual({
      id: 42,
      'custom-fields': { a: 1 },
      other: true,
    });
    expect(toInstance(req, answer(200), { id: 7, 'custom-fields': [1] })).toEqual({
      id: 7,
      'custom-fields': {},
    });
  });

  it('refuses what is not a record or has no numeric id', () => {
    expect(() => toInstance(req, answer(200), [])).toThrow('the answer was not a record');
    expect(() => toInstance(req, answer(200), { id: 'x1' })).toThrow('has no numeric id');
    expect(() => toInstance(req, answer(200), { id: 1.5 })).toThrow('has no numeric id');
  });

  it('reads a list, refusing anything else', () => {
    expect(toInstanceList(req, answer(200), [{ id: 1 }, { id: 2 }]).map((r) => r.id)).toEqual([1, 2]);
    expect(() => toInstanceList(req, answer(200), { id: 1 })).toThrow('not a list of records');
  });
});
