/**
 * The Coupa client: everything the import and export need to talk to a Coupa instance (or the simulator).
 */
export { createClient } from './client.js';
export { credentialsFromEnv, DEFAULT_SCOPES, resolveInstanceUrl } from './config.js';
export { CoupaApiError, OutcomeUnknownError } from './errors.js';
export { parseCoupaErrors } from './parse-errors.js';
export type {
  ClientEvent,
  ClientOptions,
  ClientStats,
  CoupaClient,
  Credentials,
  IndexQuery,
  ObjectInstance,
  WriteOptions,
} from './types.js';
