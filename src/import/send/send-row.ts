import type { CsvRecord } from '../../csv/index.js';
import { errorText } from '../../shared/index.js';
import type { Converted } from '../identity.js';
import type { ResultRow } from '../results-writer.js';
import { failRow } from '../row-decision.js';
import type { ImportMode } from '../types.js';
import type { SendContext } from './context.js';
import type { Found } from './lookup.js';
import { sendCreate } from './create.js';
import { notSent, requestFailed } from './outcome.js';
import { sendUpdate } from './update.js';
import { sendUpsert } from './upsert.js';

/** One sender per mode: the requests a converted row needs, and its results row. */
const SENDERS: Record<
  ImportMode,
  (ctx: SendContext, record: CsvRecord, conv: Converted, found?: Found) => Promise<ResultRow>
> = {
  create: sendCreate,
  update: sendUpdate,
  upsert: sendUpsert,
};

/**
 * Runs a row's request-making step in one of the run's request slots (the pipeline's concurrency cap); the slot
 * sees the row's outcome before it is given to the next row (stop early counts it there).
 */
export type RequestSlot = (fn: () => Promise<ResultRow>) => Promise<ResultRow>;

/**
 * Never throws: sends a converted row with its mode's sender and returns its results row. Rows for the same record
 * go one after another, in input order: the same key (create, upsert) or the same instance id (update), so the last
 * row of the file is the one that wins. Call it in input order: the row takes its place in its record's queue at
 * once, then waits for `found` (what the window's batched lookup finds for it; undefined: the sender looks it up
 * itself when it needs to), then for a request slot.
 */
export async function sendRow(
  ctx: SendContext,
  record: CsvRecord,
  conv: Converted,
  found?: Promise<Found | undefined>,
  slot: RequestSlot = (fn) => fn(),
): Promise<ResultRow> {
  try {
    if (ctx.stopped()) return notSent(ctx, record);
    return await ctx.identity.withLock(ctx.identity.lockOf(conv), async () => {
      const answer = await found;
      return slot(() => send(ctx, record, conv, answer));
    });
  } catch (error) {
    return failRow(ctx, record, 'internal', `unexpected error: ${errorText(error)}`);
  }
}

async function send(
  ctx: SendContext,
  record: CsvRecord,
  conv: Converted,
  found: Found | undefined,
): Promise<ResultRow> {
  try {
    if (ctx.stopped()) return notSent(ctx, record);
    return await SENDERS[ctx.mode](ctx, record, conv, found);
  } catch (error) {
    return requestFailed(ctx, record, conv, error);
  }
}
