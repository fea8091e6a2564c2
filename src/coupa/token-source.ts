import { performance } from 'node:perf_hooks';

/** What the token endpoint gave. */
export interface IssuedToken {
  accessToken: string;
  expiresInS: number;
}

/** Coupa advises renewing every 20 hours (tokens last about 24). */
const MAX_TOKEN_USE_MS = 20 * 3600 * 1000;

/**
 * When to ask for a new token: at min(90 % of its life, its life minus a minute, 20 h), but never before half of
 * its life (short-lived tokens would otherwise be renewed on every request).
 */
export function computeRenewDelayMs(expiresInS: number): number {
  const lifeMs = expiresInS * 1000;
  const preferred = Math.min(lifeMs * 0.9, lifeMs - 60_000, MAX_TOKEN_USE_MS);
  return Math.max(preferred, lifeMs * 0.5);
}

/**
 * Holds the OAuth access token: fetched on first use (concurrent callers share one in-flight fetch), reused,
 * renewed ahead of expiry, and dropped when the server refuses it so that the next caller fetches a new one.
 */
export class TokenSource {
  private current: { token: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A token good for the next request. */
  get(): Promise<string> {
    if (this.current && this.now() < this.current.renewAt) return Promise.resolve(this.current.token);
    if (!this.pending) {
      const fetchedAt = this.now();
      this.pending = this.fetchToken()
        .then((issued) => {
          this.current = {
            token: issued.accessToken,
            renewAt: fetchedAt + computeRenewDelayMs(issued.expiresInS),
          };
          return issued.accessToken;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }

  /** The server refused `token` (401): forget it, unless another caller already replaced it. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }
}
