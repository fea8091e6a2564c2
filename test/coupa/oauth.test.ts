import { describe, expect, it } from 'vitest';
import type { Answer } from '../../src/coupa/answers.js';
import { readIssuedToken, readOAuthErrorCode, tokenFailure } from '../../src/coupa/oauth.js';
import { AbortedError, AuthError } from '../../src/shared/errors.js';

const credentials = { kind: 'oauth' as const, clientId: 'id', clientSecret: 's3cret', scopes: 'core.read' };
const host = 'acme.coupahost.com';
const hide = (text: string): string => text.split('s3cret').join('[redacted]');

function answer(status: number, text = '', contentType = 'application/json'): Answer {
  return { status, contentType, retryAfter: undefined, location: undefined, text };
}

describe('readIssuedToken', () => {
  it('reads the token and its life (a number or a digit string), 3600 s when it does not say', () => {
    expect(readIssuedToken(answer(200, '{"access_token":"t1","expires_in":86399}'), host)).toEqual({
      accessToken: 't1',
      expiresInS: 86399,
    });
    expect(readIssuedToken(answer(200, '{"access_token":"t1","expires_in":"60"}'), host).expiresInS).toBe(60);
    expect(readIssuedToken(answer(200, '{"access_token":"t1"}'), host).expiresInS).toBe(3600);
  });

  it('refuses an answer without a token that can go in a header (TOKEN_ENDPOINT)', () => {
    for (const text of ['<html></html>', '{"access_token":"a\\nb"}', '{"access_token":5}']) {
      let caught: unknown;
      try {
        readIssuedToken(answer(200, text, 'text/html'), host);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(AbortedError);
      expect((caught as AbortedError).code).toBe('TOKEN_ENDPOINT');
      expect((caught as Error).message).toContain('without a usable access token (text/html)');
    }
  });
});

describe('readOAuthErrorCode', () => {
  it('reads the error of an OAuth error answer, nothing from anything else', () => {
    expect(readOAuthErrorCode('{"error":"invalid_scope"}')).toBe('invalid_scope');
    expect(readOAuthErrorCode('{"error":{"x":1}}')).toBeUndefined();
    expect(readOAuthErrorCode('not json')).toBeUndefined();
  });
});

describe('tokenFailure', () => {
  const fail = (status: number, text = ''): Error =>
    tokenFailure(answer(status, text), credentials, host, hide);

  it('a refused scope (403 or invalid_scope) names the scopes', () => {
    for (const error of [fail(403), fail(400, '{"error":"invalid_scope"}')]) {
      expect(error).toBeInstanceOf(AuthError);
      expect(error.message).toContain('refused the scope(s) "core.read"');
    }
  });

  it('refused credentials (401 or invalid_client), redacting what the server echoes', () => {
    const error = fail(401, '{"error":"invalid_client","error_description":"bad secret s3cret"}');
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toContain('COUPA_CLIENT_ID / COUPA_CLIENT_SECRET were refused');
    expect(error.message).not.toContain('s3cret');
  });

  it('a refused grant type asks for client credentials', () => {
    expect(fail(400, '{"error":"unauthorized_client"}').message).toContain('grant type "client credentials"');
  });

  it('another 400 is a refused token request; 404 means no token endpoint; the rest a failed endpoint', () => {
    expect(fail(400).message).toContain('refused the token request');
    const missing = fail(404);
    expect(missing).toBeInstanceOf(AbortedError);
    expect(missing.message).toContain('has no OAuth token endpoint');
    expect(fail(502).message).toContain('the token endpoint of acme.coupahost.com failed: HTTP 502');
  });
});
