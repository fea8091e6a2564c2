import { describe, expect, it } from 'vitest';
import {
  classifyNetworkError,
  computeBackoff,
  parseRetryAfter,
  RETRY_AFTER_CAP_MS,
} from '../../src/coupa/retry-policy.js';
import { computeRenewDelayMs, TokenSource } from '../../src/coupa/token-source.js';

function coded(code: string): Error {
  return Object.assign(new Error(`failure ${code}`), { code });
}

describe('parseRetryAfter', () => {
  it('reads seconds, fractions and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(' 0.25 ')).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores missing or unreadable values and caps huge ones', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-3')).toBeUndefined();
    expect(parseRetryAfter('86400')).toBe(RETRY_AFTER_CAP_MS);
  });
});

describe('computeBackoff', () => {
  it('is full jitter under an exponential ceiling with a cap', () => {
    expect(computeBackoff(100, 0, () => 0.999999)).toBe(100);
    expect(computeBackoff(100, 3, () => 0.5)).toBe(400);
    expect(computeBackoff(100, 3, () => 0)).toBe(0);
    expect(computeBackoff(500, 20, () => 1)).toBe(30_000);
  });
});

describe('classifyNetworkError', () => {
  it('says a refused connection never sent anything and may be retried', () => {
    expect(classifyNetworkError(coded('ECONNREFUSED'))).toMatchObject({ retryable: true, neverSent: true });
    const aggregate = Object.assign(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]), {});
    expect(classifyNetworkError(aggregate)).toMatchObject({ code: 'ECONNREFUSED', neverSent: true });
    expect(classifyNetworkError(coded('UND_ERR_CONNECT_TIMEOUT'))).toMatchObject({ neverSent: true });
  });

  it('treats resets, closed sockets and timeouts as possibly sent', () => {
    for (const code of [
      'ECONNRESET',
      'UND_ERR_SOCKET',
      'UND_ERR_HEADERS_TIMEOUT',
      'UND_ERR_BODY_TIMEOUT',
      'EPIPE',
    ]) {
      expect(classifyNetworkError(coded(code))).toMatchObject({ code, retryable: true, neverSent: false });
    }
    const wrapped = Object.assign(new Error('fetch failed'), { cause: coded('ECONNRESET') });
    expect(classifyNetworkError(wrapped)).toMatchObject({ code: 'ECONNRESET' });
  });

  it('does not retry an unknown host or a TLS failure', () => {
    expect(classifyNetworkError(coded('ENOTFOUND'))).toMatchObject({ retryable: false, neverSent: true });
    expect(classifyNetworkError(coded('DEPTH_ZERO_SELF_SIGNED_CERT'))).toMatchObject({ retryable: false });
    expect(classifyNetworkError(coded('ERR_TLS_CERT_ALTNAME_INVALID'))).toMatchObject({ retryable: false });
  });

  it('leaves other errors alone', () => {
    expect(classifyNetworkError(new TypeError('bug'))).toBeUndefined();
    expect(classifyNetworkError(coded('UND_ERR_INVALID_ARG'))).toBeUndefined();
    expect(classifyNetworkError('text')).toBeUndefined();
  });
});

describe('token renewal timing', () => {
  it('renews at min(90%, life - 60 s, 20 h), never before half the life', () => {
    expect(computeRenewDelayMs(86_399)).toBe(20 * 3600 * 1000);
    expect(computeRenewDelayMs(3600)).toBe(3240 * 1000);
    expect(computeRenewDelayMs(300)).toBe(240 * 1000);
    expect(computeRenewDelayMs(2)).toBe(1000);
  });

  it('shares one fetch between concurrent callers, reuses, renews when due and after invalidate', async () => {
    let clock = 0;
    let fetches = 0;
    const source = new TokenSource(
      async () => {
        fetches += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { accessToken: `t${fetches}`, expiresInS: 100 };
      },
      () => clock,
    );
    expect(await Promise.all([source.get(), source.get(), source.get()])).toEqual(['t1', 't1', 't1']);
    expect(fetches).toBe(1);
    // 100 s life: min(90 s, 40 s, 20 h) = 40 s is under half the life, so renewal is due at 50 s
    clock = 49_999;
    expect(await source.get()).toBe('t1');
    clock = 50_000;
    expect(await source.get()).toBe('t2');
    source.invalidate('t1'); // stale: another caller already renewed
    expect(await source.get()).toBe('t2');
    source.invalidate('t2');
    expect(await source.get()).toBe('t3');
  });

  it('lets every waiter see a failed fetch, then tries again on the next call', async () => {
    let fail = true;
    const source = new TokenSource(() =>
      fail ? Promise.reject(new Error('refused')) : Promise.resolve({ accessToken: 'ok', expiresInS: 100 }),
    );
    await expect(Promise.all([source.get(), source.get()])).rejects.toThrow('refused');
    fail = false;
    expect(await source.get()).toBe('ok');
  });
});
