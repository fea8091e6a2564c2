import { CoupaApiError } from '../coupa/errors.js';
import type { ClientOptions, CoupaClient, IndexQuery, ObjectInstance } from '../coupa/index.js';
import { ConfigError } from '../shared/index.js';

/** One handler that calls both (either may be absent); undefined when both are. */
export function combineHandlers<T>(
  a: ((e: T) => void) | undefined,
  b: ((e: T) => void) | undefined,
): ((e: T) => void) | undefined {
  if (a && b) {
    return (e: T): void => {
      a(e);
      b(e);
    };
  }
  return a ?? b;
}

/** A client the run uses, and whether the run made it (and so must close it). */
export interface RunClient {
  client: CoupaClient;
  /** Closes the client if the run created it. A client passed in by the caller stays open. */
  close: () => Promise<void>;
}

/** What {@link openClient} needs: a client built already (kept open), or the options to build one (closed). */
export interface OpenClientOptions {
  client?: CoupaClient | undefined;
  clientOptions?: ClientOptions | undefined;
  /** Overrides of the connection options (concurrency, rate) the run's own flags set. */
  overrides?: Partial<Pick<ClientOptions, 'concurrency' | 'rate'>>;
  /** The run's own event hook, called after the connection options' `onEvent`. */
  onEvent?: ClientOptions['onEvent'];
  /**
   * Builds the client: `createClient` of `coupa/`, passed in rather than imported here, so that a run that needs no
   * connection (a dry run) does not load the HTTP stack by importing this layer.
   */
  create: (options: ClientOptions) => CoupaClient;
}

/** The client lifecycle of a run: the caller's client as is, or one built from the options and closed after. */
export function openClient(options: OpenClientOptions): RunClient | undefined {
  if (options.client) return { client: options.client, close: () => Promise.resolve() };
  if (!options.clientOptions) return undefined;
  const base = options.clientOptions;
  const onEvent = combineHandlers(base.onEvent, options.onEvent);
  const client = options.create({
    ...base,
    ...options.overrides,
    ...(onEvent ? { onEvent } : {}),
  });
  return {
    client,
    close: () => client.close(),
  };
}

/**
 * The first request of a run, an index read of the object: a wrong instance, credential, scope or object id fails
 * here, before anything is written. A 404 becomes a ConfigError `OBJECT_NOT_FOUND` whose message ends with `hint`
 * (where the object id came from); other failures are thrown as they are, for the caller to word.
 */
export async function readPreflight(
  client: CoupaClient,
  objectId: number,
  query: IndexQuery,
  hint: string,
): Promise<ObjectInstance | undefined> {
  try {
    return (await client.list(objectId, query))[0];
  } catch (error) {
    if (error instanceof CoupaApiError && error.status === 404) {
      throw new ConfigError(
        `custom object ${objectId} was not found on the instance (HTTP 404): ${hint}`,
        'OBJECT_NOT_FOUND',
      );
    }
    throw error;
  }
}
