import type { CsvRecord } from '../csv/index.js';
import { convertRow } from '../mapping/index.js';
import type { BoundMapping, Mapping, RowConversion } from '../mapping/index.js';
import { errorText } from '../shared/index.js';
import type { Converted } from './identity.js';
import type { ResultCode } from './result-codes.js';
import type { ResultRow } from './results-writer.js';
import { NOT_SENT, type ResumeState } from './resume.js';
import type { ImportMode, ImportStop } from './types.js';

/**
 * The per-row decision, pure: convert a record, choose what to do with it, and build its results row. No client, no
 * journal, no clock: everything it needs comes in {@link RowContext}, so it is tested alone.
 */
export interface RowContext {
  mode: ImportMode;
  /** True in a dry run and in a plan: a row that cannot be sent is `invalid`. */
  dryRun: boolean;
  /** A plan: rows that can be sent go on to the lookup (a dry run stops at `valid`). */
  plan?: boolean;
  bound: BoundMapping;
  mapping: Pick<Mapping, 'id' | 'key'>;
  timezone: string;
  resumeState: Pick<ResumeState, 'done' | 'uncertain'>;
}

/**
 * What becomes of a row: its final results row (no request needed: a dry run, a conversion error, a row carried over
 * by --resume), or its converted fields, to send (the lookup stage, lookup-stage.ts, sits between this and the senders).
 */
export type RowDecision = ResultRow | Converted;

/** True when the decision is a final results row (nothing to send). Not a wrapper object: no allocation per row. */
export function isFinalRow(decision: RowDecision): decision is ResultRow {
  return 'status' in decision;
}

/** What a row's results line holds besides its status. */
export interface RowExtra {
  id?: number | undefined;
  error?: string | undefined;
  code?: ResultCode | undefined;
  sentAt?: number | undefined;
  changes?: string | undefined;
}

/** A results row for `record`. */
export function resultRow(record: CsvRecord, status: ResultRow['status'], extra: RowExtra = {}): ResultRow {
  return {
    line: record.line,
    cells: record.cells,
    status,
    id: extra.id,
    error: extra.error,
    code: extra.code,
    ...(extra.sentAt === undefined ? {} : { sentAt: extra.sentAt }),
    ...(extra.changes === undefined ? {} : { changes: extra.changes }),
  };
}

/**
 * A row that fails (`invalid` in a dry run). It may have been stored by an earlier run: it keeps the id of a record
 * stored with a dropped field, and a line whose earlier create had an unknown outcome stays marked so
 * (`outcome-unknown`), so that the next --resume neither loses that record nor creates it again.
 */
export function failRow(
  ctx: Pick<RowContext, 'dryRun' | 'resumeState'>,
  record: CsvRecord,
  code: ResultCode,
  error: string,
  id?: number,
): ResultRow {
  return failedRow(ctx, record, ctx.dryRun ? 'invalid' : 'failed', code, error, id);
}

function failedRow(
  ctx: Pick<RowContext, 'resumeState'>,
  record: CsvRecord,
  status: 'failed' | 'invalid',
  code: ResultCode,
  error: string,
  id?: number,
): ResultRow {
  const { done, uncertain } = ctx.resumeState;
  const previous = done.get(record.line);
  const storedId = id ?? (previous?.status === 'failed' ? previous.id : undefined);
  if (uncertain.has(record.line) && code !== 'outcome-unknown') {
    const message = `outcome unknown (an earlier run may have created it): ${error}`;
    return resultRow(record, status, { error: message, code: 'outcome-unknown', id: storedId });
  }
  return resultRow(record, status, { error, code, id: storedId });
}

/**
 * A row the run did not send because it stopped (`stop`): `failed`, `not-sent` (`stopped` when too many rows failed
 * on the server), finish with --resume.
 */
export function notSentRow(
  ctx: Pick<RowContext, 'resumeState'>,
  record: CsvRecord,
  stop: ImportStop | undefined,
): ResultRow {
  if (stop?.code === 'TOO_MANY_FAILURES') {
    return failedRow(
      ctx,
      record,
      'failed',
      'stopped',
      `${NOT_SENT}the run stopped after too many rows failed on the server; fix the cause, then finish with --resume`,
    );
  }
  let why = 'run interrupted; finish with --resume';
  if (stop?.code === 'TIMEZONE')
    why =
      "dates would be stored shifted (the time zone is not the instance's); set it, then finish with --resume";
  else if (stop && stop.code !== 'INTERRUPTED') why = `${stop.message}; finish with --resume`;
  return failedRow(ctx, record, 'failed', 'not-sent', `${NOT_SENT}${why}`);
}

/**
 * Never throws: the final results row of a record that needs no request, or its converted fields to send.
 * `sentAgain`: for a row carried over from the run being resumed, its conversion when it must be sent again (an
 * earlier row of its record is sent by this run), else undefined (carried over as it is).
 */
export function decideRow(
  ctx: RowContext,
  record: CsvRecord,
  sentAgain?: (record: CsvRecord) => RowConversion | undefined,
): RowDecision {
  try {
    return decide(ctx, record, sentAgain);
  } catch (error) {
    return failRow(ctx, record, 'internal', `unexpected error: ${errorText(error)}`);
  }
}

function decide(
  ctx: RowContext,
  record: CsvRecord,
  sentAgain: ((record: CsvRecord) => RowConversion | undefined) | undefined,
): RowDecision {
  const { resumeState, mode, bound, mapping } = ctx;
  const carried = resumeState.done.get(record.line);
  let again: RowConversion | undefined;
  if (carried && carried.status !== 'failed') {
    again = sentAgain?.(record);
    if (again === undefined)
      return { ...resultRow(record, carried.status, { id: carried.id }), carried: true };
  }
  if (record.error !== undefined) return failRow(ctx, record, 'bad-row', record.error);
  const conv = again ?? convertRow(bound, record.cells, ctx.timezone, record.typed);
  if (!conv.ok) return failRow(ctx, record, 'invalid-value', conv.error);
  if (mode === 'update' && conv.id === undefined) {
    const raw = (bound.idIndex === undefined ? '' : record.cells[bound.idIndex]) ?? '';
    const column = mapping.id ?? 'id';
    const blank = raw.trim() === '';
    return failRow(
      ctx,
      record,
      blank ? 'missing-id' : 'invalid-value',
      blank
        ? `column "${column}" is blank: --mode update needs the Coupa instance id`
        : `column "${column}": "${raw}" is not a Coupa instance id`,
    );
  }
  if (mode === 'upsert' && (conv.key === undefined || conv.key === null)) {
    return failRow(
      ctx,
      record,
      'missing-key',
      `the key field "${mapping.key ?? ''}" is blank: --mode upsert needs it to find the record`,
    );
  }
  if (ctx.dryRun && ctx.plan !== true) return resultRow(record, 'valid');
  return conv;
}
