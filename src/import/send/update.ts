import type { CsvRecord } from '../../csv/index.js';
import type { Converted } from '../identity.js';
import type { ResultRow } from '../results-writer.js';
import { failRow } from '../row-decision.js';
import { journaled, type SendContext } from './context.js';
import { matchesOf, type Found } from './lookup.js';
import { applied, isUnchanged, notSent, unchangedRow, updateStatus } from './outcome.js';

/**
 * Update mode: the row's id column names the record. `found`: the record as its window's batch read it (`id[in]=`):
 * none is a row that fails `not-found` without a request; one that already holds every mapped value is `unchanged`.
 * Undefined (an earlier row of the same id was still being sent when the batch was formed): the PUT goes as it is.
 */
export async function sendUpdate(
  ctx: SendContext,
  record: CsvRecord,
  conv: Converted,
  found?: Found,
): Promise<ResultRow> {
  const id = conv.id ?? 0;
  if (found !== undefined) {
    const match = matchesOf(found)[0];
    if (match === undefined) {
      return failRow(ctx, record, 'not-found', `no record with id ${id} in object ${ctx.objectId}`);
    }
    if (ctx.stopped()) return notSent(ctx, record);
    if (isUnchanged(ctx, conv, match)) return unchangedRow(ctx, record, match);
  }
  const returned = await ctx.client.update(ctx.objectId, id, conv.fields, journaled(ctx, record));
  return applied(ctx, record, conv, returned, updateStatus(ctx, record, returned));
}
