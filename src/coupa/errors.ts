/** Coupa answered with an error status that is not an auth failure: the messages are Coupa's own. */
export class CoupaApiError extends Error {
  readonly code = 'COUPA_API';
  constructor(
    readonly status: number,
    readonly messages: string[],
    readonly method: string,
    readonly path: string,
  ) {
    super(`${method} ${path}: HTTP ${status}${messages.length ? `: ${messages.join('; ')}` : ''}`);
    this.name = 'CoupaApiError';
  }
}

/** A create (POST) may or may not have been stored: 5xx or connection lost after the request was sent. */
export class OutcomeUnknownError extends Error {
  readonly code = 'OUTCOME_UNKNOWN';
  constructor(
    readonly reason: string,
    readonly path: string,
  ) {
    super(`outcome unknown: ${reason}`);
    this.name = 'OutcomeUnknownError';
  }
}
