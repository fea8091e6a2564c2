// What the routes share: the store, the answer writer, limits, faults, tokens and counters of one simulator.
import type { FaultInjector } from './faults.js';
import type { Replier } from './http.js';
import type { LeakyBucket, ResponseClock } from './limits.js';
import type { QueryOptions } from './query.js';
import type { TokenRegistry } from './routes/oauth.js';
import type { SimStore } from './store.js';
import type { SimStats, SimVariations } from './types.js';

/** Counters the routes raise (the rest of SimStats comes from the bucket and the token registry). */
export interface Counters {
  requests: number;
  byStatus: Record<string, number>;
  byMethod: Record<string, number>;
  maxInFlight: number;
  inFlight: number;
  throttled: number;
  dropped: number;
}

export interface SimContext {
  store: SimStore;
  reply: Replier;
  faults: FaultInjector;
  tokens: TokenRegistry;
  bucket: LeakyBucket;
  /** Response time of /api requests (undefined: answer at once). */
  clock: ResponseClock | undefined;
  counters: Counters;
  retryAfter: boolean | 'mixed';
  variations: SimVariations;
  query: QueryOptions;
  /** Index filters on custom fields are dropped (SimulatorOptions.ignoreFilters). */
  ignoreFilters: boolean;
  isClosed(): boolean;
  snapshot(): SimStats;
}
