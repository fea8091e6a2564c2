import { CoupaApiError } from '../coupa/errors.js';
import { createClient } from '../coupa/index.js';
import type { ClientOptions, CoupaClient, ObjectInstance } from '../coupa/index.js';
import { openClient, readPreflight, type RunClient } from '../run/index.js';
import { AbortedError, unlessAborted, UsageError } from '../shared/index.js';
import { edgeQuery, type ExportQuery } from './query.js';
import type { ExportHooks, ExportOptions } from './types.js';

/** The export's client (the caller's, left open, or one built from the options) and how many id ranges it pages at once. */
export function connectExport(
  options: ExportOptions,
  hooks: ExportHooks,
): { session: RunClient; window: number } {
  const session = openClient({
    ...(isClient(options.client) ? { client: options.client } : { clientOptions: options.client }),
    overrides: {
      ...(options.rate === undefined ? {} : { rate: options.rate }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    },
    onEvent: hooks.onEvent,
    create: createClient,
  });
  if (!session) throw new UsageError('no Coupa connection: pass client options or a client');
  const window =
    options.concurrency ?? (isClient(options.client) ? undefined : options.client.concurrency) ?? 8;
  return { session, window };
}

/** What the first requests found: the range's first record, a record to take columns from, the highest id. */
export interface ExportStart {
  /** The first record that matches (undefined: none does). */
  first: ObjectInstance | undefined;
  /** A record whose fields name the columns: `first`, or any record of the object when nothing matches. */
  sample: ObjectInstance | undefined;
  /** The highest id that matches (undefined: none does). */
  maxId: number | undefined;
}

/**
 * The first requests of an export: the preflight (the first matching record; a wrong instance, credential, scope,
 * object id or filter fails here with a clear message), a sample record when nothing matches and the columns must
 * come from somewhere, `checkZone` on what was read, and the last matching record (the end of the id range).
 */
export async function startExport(
  client: CoupaClient,
  objectId: number,
  q: ExportQuery,
  o: {
    signal: AbortSignal | undefined;
    /** Columns are needed though nothing matches (an unmapped CSV or workbook). */
    needsSample: boolean;
    checkZone: (record: ObjectInstance | undefined) => void;
  },
): Promise<ExportStart> {
  // The preflight retries an unreachable instance for a while: Ctrl-C must not wait for that.
  const first = await unlessAborted(
    preflight(client, objectId, q),
    o.signal,
    () => new AbortedError('export interrupted', 'INTERRUPTED'),
  );
  let sample = first;
  if (!first && o.needsSample) {
    // Nothing matches: still give the file the object's columns, from any record.
    sample = (await client.list(objectId, [['limit', '1']]))[0];
  }
  o.checkZone(first ?? sample);
  let maxId = first?.id;
  if (first) {
    const last = (await client.list(objectId, edgeQuery(q, 'desc')))[0];
    maxId = Math.max(first.id, last?.id ?? first.id);
  }
  return { first, sample, maxId };
}

async function preflight(
  client: CoupaClient,
  objectId: number,
  q: ExportQuery,
): Promise<ObjectInstance | undefined> {
  try {
    return await readPreflight(
      client,
      objectId,
      edgeQuery(q, 'asc'),
      "check --object (or the mapping's `object:`) and --instance",
    );
  } catch (error) {
    if (error instanceof CoupaApiError && error.status === 400) {
      throw new UsageError(
        `Coupa refused the query${error.messages.length ? `: ${error.messages.join('; ')}` : ''} (check --filter)`,
        'FILTER',
      );
    }
    throw error;
  }
}

function isClient(value: ClientOptions | CoupaClient): value is CoupaClient {
  return typeof (value as Partial<CoupaClient>).list === 'function';
}
