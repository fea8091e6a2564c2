import { CoupaApiError } from '../coupa/errors.js';
import type { CoupaClient, ObjectInstance } from '../coupa/index.js';
import { openClient, readPreflight, type RunClient } from '../run/index.js';
import { unlessAborted } from '../shared/index.js';
import { AbortedError, UsageError } from '../shared/index.js';
import type { ImportHooks, ImportOptions } from './types.js';

type ClientModule = typeof import('../coupa/index.js');

/**
 * Starts loading the HTTP client module, for real runs that build their own client, so that it loads while the file
 * is read (a dry run needs no HTTP stack). Await it with {@link connect}.
 */
export function preloadClient(options: ImportOptions, dryRun: boolean): Promise<ClientModule> | undefined {
  const loading =
    !dryRun && !options.client && options.clientOptions ? import('../coupa/index.js') : undefined;
  void loading?.catch(() => undefined); // awaited by connect unless the reading fails first
  return loading;
}

/** The run's client: the caller's, or one built from `clientOptions` with the run's concurrency, rate and hooks. */
export async function connect(
  options: ImportOptions,
  concurrency: number,
  hooks: ImportHooks,
  loading: Promise<ClientModule> | undefined,
): Promise<RunClient> {
  const session = openClient({
    client: options.client,
    clientOptions: options.clientOptions,
    overrides: { concurrency, ...(options.rate !== undefined ? { rate: options.rate } : {}) },
    onEvent: hooks.onEvent,
    create: loading
      ? (await loading).createClient
      : () => {
          throw new Error('internal: the client module was not loaded');
        },
  });
  if (!session) throw new UsageError('no Coupa connection: pass clientOptions or client (or use a dry run)');
  return session;
}

/**
 * The first request (an index read, `limit=1`): a wrong object id is a ConfigError (exit 2), any other refusal an
 * AbortedError (exit 3), before anything is written. It retries an unreachable instance for a while: Ctrl-C must not
 * wait for that. Returns the record it read (none: the object has no records), whose timestamps carry the
 * instance's UTC offset (see zone-check.ts).
 */
export async function preflightImport(
  client: CoupaClient,
  objectId: number,
  signal: AbortSignal | undefined,
): Promise<ObjectInstance | undefined> {
  return unlessAborted(
    preflight(client, objectId),
    signal,
    () => new AbortedError('interrupted before anything was sent', 'INTERRUPTED'),
  );
}

async function preflight(client: CoupaClient, objectId: number): Promise<ObjectInstance | undefined> {
  try {
    return await readPreflight(
      client,
      objectId,
      [['limit', '1']],
      'check "object:" in the mapping or --object',
    );
  } catch (error) {
    if (error instanceof CoupaApiError) {
      throw new AbortedError(
        `the preflight read of object ${objectId} failed: ${error.message}`,
        'PREFLIGHT',
      );
    }
    throw error;
  }
}
