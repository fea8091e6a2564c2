import type { ResultCode } from './result-codes.js';
import type { ResultRow } from './results-writer.js';
import type { ImportStop, TopError } from './types.js';

/** Without --max-failures, a run stops when this many rows sent first all failed on the server. */
export const EARLY_FAILURES = 10;

/** The codes of rows that failed on the server: Coupa refused them (4xx) or failed (5xx after retries). */
const SERVER_FAILURES: ReadonlySet<ResultCode> = new Set<ResultCode>([
  'rejected',
  'server-error',
  'not-found',
]);

/** Distinct messages counted for the most common one; past it, only those already seen are counted (flat memory). */
const MESSAGE_LIMIT = 1000;

/**
 * Stop early, pure: counts the rows that failed on the server and says when the run must stop sending. A run whose
 * first rows sent all fail (a wrong mapping, a required field left blank) stops after {@link EARLY_FAILURES} of
 * them instead of failing every row of a 50,000-row file; `maxFailures` also stops a run once that many rows failed
 * at all. Conversion errors (rows found invalid locally, never sent) do not count.
 *
 * {@link allowance} bounds the requests in flight, so that a stop never lets more rows fail than the limit.
 */
export class StopEarly {
  private failed = 0;
  private succeeded = false;
  private readonly messages = new Map<string, number>();

  constructor(private readonly maxFailures: number | undefined) {}

  /** How many rows may fail before the run stops: the requests that may be in flight at once, at most. */
  allowance(): number {
    return this.limit() - this.failed;
  }

  /** Rows that failed on the server so far. */
  get serverFailed(): number {
    return this.failed;
  }

  /**
   * Counts the results row of a row that was sent; returns the stop when the run must stop sending (the summary
   * names the most common message: {@link top}).
   */
  note(row: ResultRow): ImportStop | undefined {
    if (row.status === 'created' || row.status === 'updated') {
      this.succeeded = true;
      return undefined;
    }
    if (row.status !== 'failed' || row.code === undefined || !SERVER_FAILURES.has(row.code)) return undefined;
    this.failed++;
    const message = row.error ?? row.code;
    const seen = this.messages.get(message);
    if (seen !== undefined || this.messages.size < MESSAGE_LIMIT) this.messages.set(message, (seen ?? 0) + 1);
    if (this.failed < this.limit()) return undefined;
    return this.stop();
  }

  /** The most common message of the rows that failed on the server, and how many rows had it. */
  top(): TopError | undefined {
    let best: TopError | undefined;
    for (const [message, rows] of this.messages) if (!best || rows > best.rows) best = { message, rows };
    return best;
  }

  private limit(): number {
    const max = this.maxFailures ?? Number.POSITIVE_INFINITY;
    return this.succeeded ? max : Math.min(EARLY_FAILURES, max);
  }

  private stop(): ImportStop {
    const why =
      !this.succeeded && (this.maxFailures === undefined || this.maxFailures >= EARLY_FAILURES)
        ? `the first ${this.failed} rows sent all failed on the server`
        : `${this.failed} rows failed on the server (--max-failures ${String(this.maxFailures)})`;
    return {
      code: 'TOO_MANY_FAILURES',
      message: `${why}, so the rest were not sent (_code stopped)`,
      exitCode: 1,
    };
  }
}
