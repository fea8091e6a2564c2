import type { CsvRecord } from '../../csv/types.js';
import type { Converted } from '../identity.js';
import type { ResultRow } from '../results-writer.js';
import { journaled, type SendContext } from './context.js';
import { createWithRecovery } from './create.js';
import { lookupKey } from './lookup.js';
import { applied, notSent, severalMatches, updateStatus } from './outcome.js';

/**
 * Upsert mode: the key is looked up; one record is updated, none is created (with lost-create recovery), several
 * are an ambiguous key. The coming batched lookup hands this its matches instead of the per-row `lookupKey`, and
 * the `unchanged` check (a record that already holds every mapped value) goes between the lookup and the update.
 */
export async function sendUpsert(ctx: SendContext, record: CsvRecord, conv: Converted): Promise<ResultRow> {
  const matches = await lookupKey(ctx, conv);
  if (matches.length > 1) return severalMatches(ctx, record, conv, matches);
  if (ctx.stopped()) return notSent(ctx, record);
  const match = matches[0];
  if (match) {
    const status = updateStatus(ctx, record, match);
    const returned = await ctx.client.update(ctx.objectId, match.id, conv.fields, journaled(ctx, record));
    return applied(ctx, record, conv, returned, status);
  }
  return createWithRecovery(ctx, record, conv);
}
