import { CoupaApiError } from '../../coupa/errors.js';
import type { ObjectInstance } from '../../coupa/index.js';
import type { CsvRecord } from '../../csv/index.js';
import { AbortedError, AuthError, errorText } from '../../shared/index.js';
import { changedFields, formatChanges } from '../compare.js';
import type { Converted } from '../identity.js';
import type { ResultRow } from '../results-writer.js';
import { failRow, resultRow } from '../row-decision.js';
import type { LookupContext } from './context.js';
import { existsRow } from './create.js';
import type { Found } from './lookup.js';
import { severalMatchesMessage } from './outcome.js';

/**
 * `--plan`: what a run would do with a converted row, from what its batched lookup found; nothing is sent.
 * `wouldCreate`: the keys (as locks) rows of this plan would create, with their lines, so that a later row of the same
 * key shows as the update it would be. `found` undefined: nothing to look up (create without a key).
 */
export function planRow(
  ctx: LookupContext,
  record: CsvRecord,
  conv: Converted,
  found: Found | undefined,
  wouldCreate: Map<string, number>,
): ResultRow {
  if (found === undefined) return resultRow(record, 'would-create');
  if ('error' in found) return lookupFailedRow(ctx, record, found.error);
  const matches = found.matches;
  switch (ctx.mode) {
    case 'create':
      return matches.length > 0 ? existsRow(ctx, record, conv, matches) : resultRow(record, 'would-create');
    case 'update': {
      const match = matches[0];
      if (match === undefined)
        return failRow(
          ctx,
          record,
          'not-found',
          `no record with id ${conv.id ?? '?'} in object ${ctx.objectId}`,
        );
      return compared(ctx, record, conv, match);
    }
    case 'upsert': {
      if (matches.length > 1) return ambiguous(ctx, record, conv, matches);
      const match = matches[0];
      if (match) return compared(ctx, record, conv, match);
      const lock = ctx.identity.lockOf(conv);
      const earlier = lock === undefined ? undefined : wouldCreate.get(lock);
      if (earlier !== undefined) {
        return resultRow(record, 'would-update', {
          changes: `the record line ${earlier} would create`,
        });
      }
      if (lock !== undefined) wouldCreate.set(lock, record.line);
      return resultRow(record, 'would-create');
    }
  }
}

function compared(ctx: LookupContext, record: CsvRecord, conv: Converted, match: ObjectInstance): ResultRow {
  const changes = changedFields(conv.fields, match, ctx.fieldTypes);
  if (changes.length === 0) return resultRow(record, 'unchanged', { id: match.id });
  return resultRow(record, 'would-update', { id: match.id, changes: formatChanges(changes) });
}

function ambiguous(
  ctx: LookupContext,
  record: CsvRecord,
  conv: Converted,
  matches: readonly ObjectInstance[],
): ResultRow {
  return failRow(ctx, record, 'ambiguous-key', severalMatchesMessage(ctx, conv, matches));
}

/** The row's lookup failed: the row is `failed`; refused credentials or an unreachable instance stop the plan. */
function lookupFailedRow(ctx: LookupContext, record: CsvRecord, error: unknown): ResultRow {
  if (error instanceof AuthError || error instanceof AbortedError) {
    ctx.halt({ code: error.code, message: error.message, exitCode: 3 });
    return failRow(ctx, record, 'aborted', error.message);
  }
  if (error instanceof CoupaApiError) {
    return failRow(
      ctx,
      record,
      error.status < 500 ? 'rejected' : 'server-error',
      `looking the record up failed (HTTP ${error.status})`,
    );
  }
  return failRow(ctx, record, 'server-error', `looking the record up failed: ${errorText(error)}`);
}
