import type { CsvRecord } from '../../csv/index.js';
import type { Converted } from '../identity.js';
import type { ResultRow } from '../results-writer.js';
import { journaled, type SendContext } from './context.js';
import { createWithRecovery } from './create.js';
import { lookupKey, matchesOf, type Found } from './lookup.js';
import { applied, isUnchanged, notSent, severalMatches, unchangedRow, updateStatus } from './outcome.js';

/**
 * Upsert mode: the key is looked up (`found`: in its window's batch; undefined: alone, because an earlier row of its
 * key was still being sent when the batch was formed); one record is updated unless it already holds every mapped
 * value (`unchanged`, nothing sent), none is created (with lost-create recovery), several are an ambiguous key.
 */
export async function sendUpsert(
  ctx: SendContext,
  record: CsvRecord,
  conv: Converted,
  found?: Found,
): Promise<ResultRow> {
  const matches = found === undefined ? await lookupKey(ctx, conv) : matchesOf(found);
  if (matches.length > 1) return severalMatches(ctx, record, conv, matches);
  if (ctx.stopped()) return notSent(ctx, record);
  const match = matches[0];
  if (match) {
    if (isUnchanged(ctx, conv, match)) return unchangedRow(ctx, record, match);
    const status = updateStatus(ctx, record, match);
    const returned = await ctx.client.update(ctx.objectId, match.id, conv.fields, journaled(ctx, record));
    return applied(ctx, record, conv, returned, status);
  }
  return createWithRecovery(ctx, record, conv);
}
