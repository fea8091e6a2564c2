import type { CoupaClient } from '../../coupa/index.js';
import type { CsvRecord } from '../../csv/index.js';
import type { FieldType, Mapping } from '../../mapping/index.js';
import type { ObjectInstance } from '../../coupa/index.js';
import type { KeyIdentity } from '../identity.js';
import type { Journal } from '../journal.js';
import { hashCells, type ResumeState } from '../resume.js';
import type { RowExtra } from '../row-decision.js';
import type { ImportMode, ImportStop } from '../types.js';

/** The counts senders keep besides the row statuses (which the pipeline counts as rows finish). */
export interface SendCounts {
  /** Failed rows whose create may or may not have been stored. */
  unknown: number;
  /** Creates sent again after an unknown outcome (reported as retries). */
  resent: number;
  /** Rows not sent because the run stopped. */
  notSent: number;
}

/** What looking records up needs (a plan has only this: no journal, nothing is sent). */
export interface LookupContext {
  client: CoupaClient;
  mode: ImportMode;
  objectId: number;
  mapping: Mapping;
  dryRun: boolean;
  resumeState: ResumeState;
  identity: KeyIdentity;
  /** The mapped fields' types, by field name: how a row's values compare with a record's (see compare.ts). */
  fieldTypes: ReadonlyMap<string, FieldType>;
  /** Why the run stopped; undefined while it runs. */
  stopped: () => ImportStop | undefined;
  /** Stops the run (the first reason wins): rows not sent yet end `not-sent` (`stopped` after too many failures). */
  halt: (stop: ImportStop) => void;
  /**
   * Called with each record a row stored: what its results row must say besides (a record stored with shifted
   * dates), if anything. Absent: nothing to check.
   */
  checkStored?: ((line: number, returned: ObjectInstance) => RowExtra | undefined) | undefined;
}

/**
 * What the senders share with the pipeline: the connection, the journal, the run's identity bookkeeping and its stop
 * switch. One per run; the senders are plain functions of it.
 */
export interface SendContext extends LookupContext {
  journal: Journal;
  counts: SendCounts;
  /** Lines whose create's outcome stayed unknown with no key to tell (named in a notice at the end). */
  uncertainLines: number[];
}

/**
 * The write options of a row's request: once the request may leave (rate limiter and concurrency cap passed), the
 * journal records that it is sent, synchronously, right before it goes; a run that stopped meanwhile sends nothing
 * (the row ends not sent). So after a kill -9 only requests that really left count as in flight.
 */
export function journaled(ctx: SendContext, record: CsvRecord): { beforeSend: () => boolean } {
  let hash: number | undefined;
  return {
    beforeSend: () => {
      if (ctx.stopped()) return false;
      hash ??= hashCells(record.cells);
      ctx.journal.sent(record.line, hash);
      return true;
    },
  };
}
