import { describe, expect, it } from 'vitest';
import { redactHeaders, SecretRedactor } from '../../src/coupa/redact.js';

describe('SecretRedactor', () => {
  it('replaces every occurrence of a secret', () => {
    const { redact } = new SecretRedactor('s3cret');
    expect(redact('s3cret and s3cret again')).toBe('[redacted] and [redacted] again');
    expect(redact('nothing here')).toBe('nothing here');
  });

  it('replaces the secret as a server echoes it: URL-encoded, form-encoded, JSON-escaped', () => {
    const secret = 'a b/c+"d"';
    const { redact } = new SecretRedactor(secret);
    expect(redact(`url ${encodeURIComponent(secret)}`)).toBe('url [redacted]');
    expect(redact(`form ${new URLSearchParams({ s: secret }).toString().slice(2)}`)).toBe('form [redacted]');
    expect(redact(`json ${JSON.stringify(secret)}`)).toBe('json "[redacted]"');
  });

  it('replaces a secret with white space runs as a message folds them', () => {
    const { redact } = new SecretRedactor('two\n  words');
    expect(redact('bad secret two words')).toBe('bad secret [redacted]');
  });

  it('replaces the longest secret first, so that a secret inside another leaves nothing of the longer one', () => {
    const redactor = new SecretRedactor('abc');
    redactor.add('xxabcxx');
    expect(redactor.redact('token xxabcxx')).toBe('token [redacted]');
  });

  it('redacts a secret added later (a token issued during the run), also through a detached redact', () => {
    const redactor = new SecretRedactor('first');
    const { redact } = redactor;
    expect(redact('tok-123')).toBe('tok-123');
    redactor.add('tok-123');
    expect(redact('tok-123 first')).toBe('[redacted] [redacted]');
  });

  it('redacts the start of a secret at the end of a message cut with an ellipsis', () => {
    const { redact } = new SecretRedactor('supersecret');
    expect(redact('the secret was supers…')).toBe('the secret was [redacted]…');
    // Without the ellipsis the text was not cut: a prefix is just text.
    expect(redact('the secret was supers')).toBe('the secret was supers');
  });

  it('redacts a secret of a single character (a garbled message is better than a shown secret)', () => {
    const { redact } = new SecretRedactor('q');
    expect(redact('quick')).toBe('[redacted]uick');
  });
});

describe('redactHeaders', () => {
  it('hides the values of the credential headers, keeps the scheme and every other header', () => {
    const headers = {
      authorization: 'Bearer tok-123',
      'x-coupa-api-key': 'key-456',
      accept: 'application/json',
    };
    expect(redactHeaders(headers)).toEqual({
      authorization: 'Bearer [redacted]',
      'x-coupa-api-key': '[redacted]',
      accept: 'application/json',
    });
    // A copy: the headers sent keep their values.
    expect(headers.authorization).toBe('Bearer tok-123');
  });
});
