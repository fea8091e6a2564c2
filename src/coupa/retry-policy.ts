/** Longest pause between attempts computed by backoff. */
export const BACKOFF_CAP_MS = 30_000;
/** Longest Retry-After honoured: beyond it the client waits this long and asks again. */
export const RETRY_AFTER_CAP_MS = 300_000;

/**
 * Exponential backoff with full jitter: a random delay in [0, min(cap, base * 2^retry)], so that many clients
 * (or workers) that failed together do not come back together.
 */
export function computeBackoff(
  baseMs: number,
  retry: number,
  random: () => number = Math.random,
  capMs = BACKOFF_CAP_MS,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retry));
  return Math.round(random() * ceiling);
}

/**
 * Reads a `Retry-After` header: delay-seconds (`"3"`, `"1.5"`) or an HTTP date. Returns milliseconds (0 for a
 * date in the past, capped at five minutes), or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    // HTTP dates have a weekday and month name; Date.parse would also take "-3" as a year.
    if (!/[a-z]/i.test(text)) return undefined;
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, Math.round(ms)));
}

/** What went wrong below HTTP, and what that means for a retry. */
export interface NetworkFailure {
  code: string;
  /** Human words, e.g. "connection refused". */
  description: string;
  /** Worth another attempt (the next one may work). */
  retryable: boolean;
  /** The request surely never reached the server (no connection was made): safe to resend even a create. */
  neverSent: boolean;
}

const NEVER_SENT_RETRYABLE: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EAI_AGAIN: 'temporary DNS failure',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  EADDRNOTAVAIL: 'address not available',
  UND_ERR_CONNECT_TIMEOUT: 'timed out while connecting',
};

const SENT_RETRYABLE: Record<string, string> = {
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  ETIMEDOUT: 'timed out',
  ECONNABORTED: 'connection aborted',
  UND_ERR_SOCKET: 'connection closed by the other side',
  UND_ERR_HEADERS_TIMEOUT: 'timed out waiting for the answer',
  UND_ERR_BODY_TIMEOUT: 'timed out reading the answer',
};

function collectCodes(error: unknown, depth = 0): string[] {
  if (!error || typeof error !== 'object' || depth > 3) return [];
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
  const codes: string[] = [];
  if (typeof record.code === 'string') codes.push(record.code);
  if (record.name === 'TimeoutError') codes.push('ETIMEDOUT');
  codes.push(...collectCodes(record.cause, depth + 1));
  // Happy-eyeballs connects (autoSelectFamily) fail with an AggregateError of one error per address.
  if (Array.isArray(record.errors))
    for (const inner of record.errors) codes.push(...collectCodes(inner, depth + 1));
  return codes;
}

function isTlsCode(code: string): boolean {
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.includes('CERT') ||
    code.startsWith('UNABLE_TO_') ||
    code === 'EPROTO'
  );
}

/**
 * Classifies an error thrown by undici's `request` (or while reading the body). Returns undefined for errors that
 * are not about the network (a bug: the caller rethrows it).
 */
export function classifyNetworkError(error: unknown): NetworkFailure | undefined {
  const codes = collectCodes(error);
  for (const code of codes) {
    const words = NEVER_SENT_RETRYABLE[code];
    if (words !== undefined) return { code, description: words, retryable: true, neverSent: true };
  }
  for (const code of codes) {
    if (code === 'ENOTFOUND') {
      return {
        code,
        description: 'host name not found (check the instance URL)',
        retryable: false,
        neverSent: true,
      };
    }
    if (isTlsCode(code)) {
      return {
        code,
        description: 'TLS handshake failed (certificate not trusted or not for this host)',
        retryable: false,
        neverSent: true,
      };
    }
  }
  for (const code of codes) {
    const words = SENT_RETRYABLE[code];
    if (words !== undefined) return { code, description: words, retryable: true, neverSent: false };
    if (code.startsWith('HPE_')) {
      return { code, description: 'malformed HTTP answer', retryable: true, neverSent: false };
    }
  }
  return undefined;
}
