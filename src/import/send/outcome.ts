import * as path from 'node:path';
import { CoupaApiError, OutcomeUnknownError } from '../../coupa/errors.js';
import type { ObjectInstance } from '../../coupa/index.js';
import type { CsvRecord } from '../../csv/index.js';
import { droppedFields } from '../../mapping/index.js';
import { AbortedError, AuthError, errorText } from '../../shared/index.js';
import type { Converted } from '../identity.js';
import type { ResultRow } from '../results-writer.js';
import { NOT_SENT } from '../resume.js';
import { failRow, notSentRow, resultRow } from '../row-decision.js';
import type { SendContext } from './context.js';
import { changedFields } from '../compare.js';
import { createdAt, createdBefore } from './lookup.js';

export const UNKNOWN_OUTCOME_MESSAGE =
  'outcome unknown: the request may or may not have created the record (connection lost / HTTP 5xx); check Coupa before re-running this line';
export const IN_FLIGHT_MESSAGE =
  'outcome unknown: this row was in flight when the previous run was killed; check Coupa for it';

/** A row not sent because the run stopped. */
export function notSent(ctx: SendContext, record: CsvRecord): ResultRow {
  ctx.counts.notSent++;
  return notSentRow(ctx, record, ctx.stopped());
}

/** A create/update answered: check that Coupa kept every field sent. */
export function applied(
  ctx: SendContext,
  record: CsvRecord,
  conv: Converted,
  returned: ObjectInstance,
  status: 'created' | 'updated',
): ResultRow {
  const dropped = droppedFields(conv.fields, returned);
  if (dropped.length > 0) {
    ctx.journal.done(record.line, 'failed', returned.id);
    ctx.identity.claim(returned.id);
    const names = dropped.map((f) => `"${f}"`).join(', ');
    const message = `Coupa ignored field${dropped.length > 1 ? 's' : ''} ${names} (the record was ${status} without ${dropped.length > 1 ? 'them' : 'it'}): the object probably has no such field; check the field names in ${path.basename(ctx.mapping.file)}`;
    ctx.halt({
      code: 'DROPPED_FIELD',
      message: `Coupa ignored field${dropped.length > 1 ? 's' : ''} ${names} on line ${record.line}, so every other row would lose ${dropped.length > 1 ? 'them' : 'it'} too; fix the mapping`,
      exitCode: 1,
    });
    return resultRow(record, 'failed', { id: returned.id, error: message, code: 'unknown-field' });
  }
  const extra = ctx.checkStored?.(record.line, returned);
  ctx.journal.done(record.line, status, returned.id);
  ctx.identity.claim(returned.id);
  return resultRow(record, status, { ...extra, id: returned.id });
}

/**
 * The status of a row whose request updated `target`: `created` when this import created that record for this row
 * (in the run being resumed: a create of this row re-applied, or a create a killed run stored and lost the answer
 * of), else `updated`.
 */
export function updateStatus(
  ctx: SendContext,
  record: CsvRecord,
  target: ObjectInstance,
): 'created' | 'updated' {
  const { done, uncertain, sentSince } = ctx.resumeState;
  const before = done.get(record.line);
  if (before?.status === 'created' && before.id === target.id) return 'created';
  const since = sentSince?.get(record.line);
  const created = createdAt(target);
  // Only an upsert row may have created its record (an update row never creates one).
  const ours =
    ctx.mode === 'upsert' &&
    uncertain.has(record.line) &&
    since !== undefined &&
    created !== undefined &&
    !createdBefore(target, since) &&
    !ctx.identity.isTaken(target.id);
  return ours ? 'created' : 'updated';
}

/** True when `target` already holds every value the row would send (compared as Coupa returns them). */
export function isUnchanged(
  ctx: Pick<SendContext, 'fieldTypes'>,
  conv: Converted,
  target: ObjectInstance,
): boolean {
  return changedFields(conv.fields, target, ctx.fieldTypes).length === 0;
}

/**
 * The record already holds every mapped value: nothing is sent, the row is `unchanged` with its id. A resumed row
 * whose killed run created this very record (see {@link updateStatus}) is `created`: that run applied it.
 */
export function unchangedRow(ctx: SendContext, record: CsvRecord, target: ObjectInstance): ResultRow {
  const status = updateStatus(ctx, record, target);
  ctx.identity.claim(target.id);
  if (status === 'created') {
    ctx.journal.done(record.line, 'created', target.id);
    return resultRow(record, 'created', { id: target.id });
  }
  return resultRow(record, 'unchanged', { id: target.id });
}

/** Several records have the row's key: nothing is sent. */
export function severalMatches(
  ctx: SendContext,
  record: CsvRecord,
  conv: Converted,
  matches: ObjectInstance[],
): ResultRow {
  ctx.journal.refused(record.line);
  return failRow(
    ctx,
    record,
    'ambiguous-key',
    `${severalMatchesMessage(ctx, conv, matches)}, then run again with --resume`,
  );
}

/** What a row whose key several records have is told (a run adds how to go on). */
export function severalMatchesMessage(
  ctx: Pick<SendContext, 'mapping' | 'identity'>,
  conv: Converted,
  matches: readonly ObjectInstance[],
): string {
  const key = ctx.mapping.key ?? 'key';
  const ids = matches.map((m) => m.id).join(', ');
  return `several records have ${key} = ${ctx.identity.keyText(conv) ?? ''} (ids ${ids}): make the key unique in Coupa`;
}

/** A create that may or may not have been stored, and no key to tell: the row fails and its line is named. */
export function unknownOutcome(ctx: SendContext, record: CsvRecord, message: string): ResultRow {
  ctx.counts.unknown++;
  ctx.uncertainLines.push(record.line);
  ctx.journal.unknown(record.line);
  return failRow(ctx, record, 'outcome-unknown', message);
}

/** The results row of a request that threw: each kind of failure with its `_code`; a run-wide failure stops the run. */
export function requestFailed(
  ctx: SendContext,
  record: CsvRecord,
  conv: Converted,
  error: unknown,
): ResultRow {
  const journal = ctx.journal;
  if (error instanceof AuthError) {
    journal.refused(record.line);
    ctx.halt({ code: error.code, message: error.message, exitCode: 3 });
    ctx.counts.notSent++;
    return failRow(ctx, record, 'not-sent', `${NOT_SENT}${error.message}`);
  }
  if (error instanceof AbortedError) {
    // Held back right before it would have left, because the run stopped: nothing was sent for this row.
    if (error.code === 'NOT_SENT') return notSent(ctx, record);
    ctx.halt({ code: error.code, message: error.message, exitCode: 3 });
    return failRow(ctx, record, 'aborted', error.message);
  }
  if (error instanceof CoupaApiError) {
    if (error.status < 500) journal.refused(record.line);
    if (error.status === 404 && ctx.mode === 'update') {
      return failRow(
        ctx,
        record,
        'not-found',
        `no record with id ${conv.id ?? '?'} in object ${ctx.objectId} (HTTP 404)`,
      );
    }
    const messages = error.messages.length > 0 ? error.messages.join('; ') : `HTTP ${error.status}`;
    return failRow(
      ctx,
      record,
      error.status < 500 ? 'rejected' : 'server-error',
      `Coupa refused the row (HTTP ${error.status}): ${messages}`,
    );
  }
  if (error instanceof OutcomeUnknownError) return unknownOutcome(ctx, record, UNKNOWN_OUTCOME_MESSAGE);
  return failRow(ctx, record, 'internal', `unexpected error: ${errorText(error)}`);
}
