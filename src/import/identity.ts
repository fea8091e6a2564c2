import { parseDecimal } from '../mapping/index.js';
import type { Mapping, RowConversion } from '../mapping/index.js';
import type { ResumeState } from './resume.js';
import type { ImportMode } from './types.js';

/** A row's conversion that succeeded: the fields to send, its id and key. */
export type Converted = Extract<RowConversion, { ok: true }>;

/** Clock skew allowed between this machine and the instance when telling records created by this run. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** How long a claimed id is remembered: beyond twice the skew, a record fails the created-before check anyway. */
const CLAIM_WINDOW_MS = 2 * CLOCK_SKEW_MS;

/** What {@link KeyIdentity} needs to know of the run. */
export interface KeyIdentityOptions {
  mode: ImportMode;
  mapping: Pick<Mapping, 'key' | 'fields'>;
  /** The rows carried over from the run being resumed (their ids are other rows' records). */
  resumeState: Pick<ResumeState, 'done'>;
}

/**
 * Which record a row stands for, as far as the run can tell without asking Coupa: the key's compared form, the lock
 * that puts rows of one record in input order, the ids rows of this run (and of the run being resumed) stand for, and
 * which carried-over rows must be sent again because an earlier row of their record is. No client, no I/O.
 */
export class KeyIdentity {
  private readonly keyLocks = new Map<string, Promise<void>>();
  /**
   * Ids that rows of this run stand for, with when they were claimed: a lost create's lookup by key must not take one
   * of them for its own record (two rows with the same key, the second's create lost). Only recent ones matter (an
   * older record fails the lookup's created-before check anyway), so entries older than {@link CLAIM_WINDOW_MS} are
   * dropped: the map stays bounded by the rate, not by the file's length.
   */
  private readonly claimed = new Map<number, number>();
  private claimsSincePrune = 0;
  /** Ids the rows carried over from the run being resumed stand for (held whole, as the resume state is). */
  private readonly resumedIds = new Set<number>();
  /**
   * Update and upsert resumes: the records (see {@link lockOf}) that rows of this run were sent to, while rows
   * carried over still lie ahead. A carried row whose record an earlier row is sent to again is sent again after it,
   * so that the last row of the file still wins.
   */
  private readonly sentLocks = new Set<string>();
  private readonly lastCarriedLine: number;
  private readonly decimalKey: boolean;
  private readonly key: string | undefined;

  constructor(private readonly options: KeyIdentityOptions) {
    const { mapping, resumeState, mode } = options;
    this.key = mapping.key;
    this.decimalKey = mapping.fields.some((f) => f.field === mapping.key && f.type === 'decimal');
    let last = 0;
    for (const [line, done] of resumeState.done) {
      this.resumedIds.add(done.id);
      if (done.status !== 'failed') last = Math.max(last, line);
    }
    this.lastCarriedLine = mode === 'create' ? 0 : last;
  }

  /** The row's key as text; undefined when the mapping has no key or the row's is blank. */
  keyText(conv: Converted): string | undefined {
    if (this.key === undefined || conv.key === undefined || conv.key === null) return undefined;
    const k = conv.key;
    if (typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean') return String(k);
    return undefined;
  }

  /**
   * A key value as compared (rows of one key are sent in turn; a lookup's answers must carry the key): trimmed and
   * case-folded, and for a decimal key the number without trailing zeros, as the instance may store it with more
   * (777.50 and 777.5000 are 777.5).
   */
  keyForm(text: string): string {
    return this.exactForm(text).toLowerCase();
  }

  /** A key value as {@link keyForm} compares it, without the case-folding: what a case-sensitive instance tells apart. */
  exactForm(text: string): string {
    const trimmed = text.trim();
    if (!this.decimalKey) return trimmed;
    const n = parseDecimal(trimmed, '.');
    return n === undefined ? trimmed : n.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  }

  /** The record a row is sent to, as rows of one record are ordered: its key (create, upsert) or id (update). */
  lockOf(conv: Converted): string | undefined {
    if (this.options.mode === 'update') return conv.id === undefined ? undefined : `id:${conv.id}`;
    const keyText = this.keyText(conv);
    return keyText === undefined ? undefined : `key:${this.keyForm(keyText)}`;
  }

  /** Rows with the same lock are run one after another, in the order they ask (input order). */
  async withLock<T>(lock: string | undefined, fn: () => Promise<T>): Promise<T> {
    if (lock === undefined) return fn();
    // Each holder's promise settles only after its own turn, which waited for the one before: a chain per key.
    const previous = this.keyLocks.get(lock);
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.keyLocks.set(lock, mine);
    if (previous) await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.keyLocks.get(lock) === mine) this.keyLocks.delete(lock);
    }
  }

  /** A row on `line` is about to be sent: remembered when carried-over rows of its record lie ahead. */
  noteSending(line: number, conv: Converted): void {
    if (line >= this.lastCarriedLine) return;
    const lock = this.lockOf(conv);
    if (lock !== undefined) this.sentLocks.add(lock);
  }

  /** True when an earlier row of this run was sent to the record of this carried-over row (see {@link noteSending}). */
  isSentAgain(conv: Converted): boolean {
    if (this.sentLocks.size === 0) return false;
    const lock = this.lockOf(conv);
    return lock !== undefined && this.sentLocks.has(lock);
  }

  /** True while no row was noted by {@link noteSending}: carried rows need no conversion to be carried. */
  get nothingSentAgain(): boolean {
    return this.sentLocks.size === 0;
  }

  /** Notes that a row stands for record `id` (see {@link claimed}); now and then forgets the old claims. */
  claim(id: number, now = Date.now()): void {
    this.claimed.delete(id); // re-inserted last: the map stays in claim order
    this.claimed.set(id, now);
    if (++this.claimsSincePrune < 256) return;
    this.claimsSincePrune = 0;
    for (const [old, at] of this.claimed) {
      if (at >= now - CLAIM_WINDOW_MS) break;
      this.claimed.delete(old);
    }
  }

  /** True when another row (of this run, recently, or of the run being resumed) stands for record `id`. */
  isTaken(id: number): boolean {
    return this.claimed.has(id) || this.resumedIds.has(id);
  }
}
