import { OutcomeUnknownError } from '../../coupa/errors.js';
import type { ObjectInstance } from '../../coupa/index.js';
import type { CsvRecord } from '../../csv/index.js';
import { AbortedError, AuthError, errorText } from '../../shared/index.js';
import type { Converted } from '../identity.js';
import type { ResultRow } from '../results-writer.js';
import { sentAtNote } from '../resume.js';
import { failRow } from '../row-decision.js';
import { journaled, type SendContext } from './context.js';
import { createdBefore, lookupOwnCreate, matchesOf, type Found } from './lookup.js';
import {
  applied,
  IN_FLIGHT_MESSAGE,
  notSent,
  severalMatches,
  UNKNOWN_OUTCOME_MESSAGE,
  unknownOutcome,
} from './outcome.js';

/**
 * How many times a create is sent when its outcome stays unknown and the key lookup finds nothing: one first try plus
 * as many re-sends as the client retries other requests (its default `maxRetries`).
 */
const MAX_CREATE_ATTEMPTS = 7;

/**
 * Create mode. A row an earlier run stored with a dropped field is completed (an update of that id); a row whose
 * earlier create has an unknown outcome is looked up by key first; the rest are created. With a key, `found` is what
 * the window's batch found for it: a record with the key already in Coupa fails the row `exists`, nothing sent.
 */
export async function sendCreate(
  ctx: SendContext,
  record: CsvRecord,
  conv: Converted,
  found?: Found,
): Promise<ResultRow> {
  const line = record.line;
  if (found !== undefined) {
    const existing = matchesOf(found);
    if (existing.length > 0) return existsRow(ctx, record, conv, existing);
  }
  const previous = ctx.resumeState.done.get(line);
  if (previous?.status === 'failed') {
    // Stored by an earlier run with a field dropped: complete that record rather than create another.
    const returned = await ctx.client.update(ctx.objectId, previous.id, conv.fields, journaled(ctx, record));
    return applied(ctx, record, conv, returned, 'created');
  }
  const uncertain = ctx.resumeState.uncertain.get(line);
  if (uncertain !== undefined) {
    if (ctx.identity.keyText(conv) === undefined) {
      return unknownOutcome(
        ctx,
        record,
        uncertain === 'in-flight' ? IN_FLIGHT_MESSAGE : UNKNOWN_OUTCOME_MESSAGE,
      );
    }
    const since = ctx.resumeState.sentSince?.get(line);
    const found = ownCreate(ctx, record, conv, await lookupOwnCreate(ctx, conv), since ?? 0);
    if (found) return found;
  }
  return createWithRecovery(ctx, record, conv);
}

/**
 * Creates the row's record. When the answer is lost (connection lost, 5xx after the request left) and the mapping
 * has a key, the key tells whether the create landed: never POST twice for a record that exists.
 */
export async function createWithRecovery(
  ctx: SendContext,
  record: CsvRecord,
  conv: Converted,
): Promise<ResultRow> {
  const line = record.line;
  const sending = journaled(ctx, record);
  let firstSentAt: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      const returned = await ctx.client.create(ctx.objectId, conv.fields, {
        beforeSend: () => {
          firstSentAt ??= Date.now();
          return sending.beforeSend();
        },
      });
      return applied(ctx, record, conv, returned, 'created');
    } catch (error) {
      if (!(error instanceof OutcomeUnknownError)) throw error;
      if (ctx.identity.keyText(conv) === undefined)
        return unknownOutcome(ctx, record, UNKNOWN_OUTCOME_MESSAGE);
      let matches: ObjectInstance[];
      try {
        matches = await lookupOwnCreate(ctx, conv);
      } catch (lookupError) {
        return lookupFailed(ctx, record, lookupError, firstSentAt ?? Date.now());
      }
      const found = ownCreate(ctx, record, conv, matches, firstSentAt ?? Date.now());
      if (found) return found;
      if (attempt >= MAX_CREATE_ATTEMPTS) {
        ctx.journal.refused(line);
        return failRow(
          ctx,
          record,
          'unanswered',
          `not created: ${MAX_CREATE_ATTEMPTS} attempts ended without an answer (${error.reason}) and no record with this key exists; run again with --resume`,
        );
      }
      if (ctx.stopped()) {
        ctx.journal.refused(line);
        return notSent(ctx, record);
      }
      ctx.counts.resent++;
    }
  }
}

/** Create mode with a key: records with the row's key exist before it is sent; nothing is sent. */
export function existsRow(
  ctx: Pick<SendContext, 'dryRun' | 'resumeState' | 'mapping' | 'identity'>,
  record: CsvRecord,
  conv: Converted,
  existing: readonly ObjectInstance[],
): ResultRow {
  const ids = existing.map((r) => r.id).join(', ');
  return failRow(
    ctx,
    record,
    'exists',
    `not created: a record with ${ctx.mapping.key ?? 'this key'} = ${ctx.identity.keyText(conv) ?? ''} already exists (id ${ids}); use --mode upsert to update it`,
  );
}

/**
 * What the records a lost create's lookup found (see `lookupOwnCreate`) say about the row sent since `sentAt`
 * (0: unknown): none, nothing yet (undefined: it was not stored); one created after it was sent, its record; one
 * created clearly before, someone else's (the row fails: its create was lost on the way); several, an ambiguous key.
 */
function ownCreate(
  ctx: SendContext,
  record: CsvRecord,
  conv: Converted,
  matches: ObjectInstance[],
  sentAt: number,
): ResultRow | undefined {
  if (matches.length > 1) return severalMatches(ctx, record, conv, matches);
  const match = matches[0];
  if (match === undefined) return undefined;
  if (!createdBefore(match, sentAt)) return applied(ctx, record, conv, match, 'created');
  ctx.journal.refused(record.line);
  return failRow(
    ctx,
    record,
    'exists',
    `not created: a record with ${ctx.mapping.key ?? 'this key'} = ${ctx.identity.keyText(conv) ?? ''} already existed before this row was sent (id ${match.id}); use --mode upsert to update it`,
  );
}

/**
 * A create that may or may not have been stored, and the lookup by key that would tell failed too (the instance
 * went down or answers 5xx): the row fails as outcome unknown, so that --resume (from the journal or the results
 * file) looks the key up again before it sends anything. An unreachable instance or refused credentials still stop
 * the run. The first-sent time is machine state (`sentAt`, kept in the results file's resume notes); `_error` says
 * it for people.
 */
function lookupFailed(ctx: SendContext, record: CsvRecord, error: unknown, sentAt: number): ResultRow {
  if (error instanceof AuthError || error instanceof AbortedError)
    ctx.halt({ code: error.code, message: error.message, exitCode: 3 });
  ctx.counts.unknown++;
  ctx.journal.unknown(record.line);
  const row = failRow(
    ctx,
    record,
    'outcome-unknown',
    `outcome unknown: the create's answer was lost and looking its key up failed too (${errorText(error)}); --resume looks it up again before sending it` +
      sentAtNote(sentAt),
  );
  return { ...row, sentAt };
}
