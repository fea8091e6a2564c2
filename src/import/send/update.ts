import type { CsvRecord } from '../../csv/types.js';
import type { Converted } from '../identity.js';
import type { ResultRow } from '../results-writer.js';
import { journaled, type SendContext } from './context.js';
import { applied, updateStatus } from './outcome.js';

/** Update mode: the row's id column names the record. */
export async function sendUpdate(ctx: SendContext, record: CsvRecord, conv: Converted): Promise<ResultRow> {
  const id = conv.id ?? 0;
  const returned = await ctx.client.update(ctx.objectId, id, conv.fields, journaled(ctx, record));
  return applied(ctx, record, conv, returned, updateStatus(ctx, record, returned));
}
