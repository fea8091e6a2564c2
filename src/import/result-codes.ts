/**
 * The `_code` of a results row: empty when the row succeeded, otherwise one lowercase word for the kind of failure.
 * These words are a contract (scripts and spreadsheet filters rely on them, and `--resume` reads them instead of the
 * wording of `_error`): never rename one, only add.
 */
export const RESULT_CODES = {
  /** A cell could not be converted to its field's type (or an id/key cell is not one). */
  'invalid-value': 'a cell could not be converted (wrong number, date, id, choice, ...)',
  /** The CSV line itself is broken (e.g. more or fewer cells than the header). */
  'bad-row': 'the CSV line could not be read as a row',
  /** Update mode: the id column is blank. */
  'missing-id': 'update mode: the row has no Coupa instance id',
  /** Upsert mode: the key is blank. */
  'missing-key': 'upsert mode: the key field is blank',
  /** Coupa answered 4xx (validation messages in `_error`); nothing was stored. */
  rejected: 'Coupa refused the row (HTTP 4xx); nothing was stored',
  /** Update mode: no record with the row's id (HTTP 404). */
  'not-found': 'update mode: no record with this id',
  /** Coupa answered 5xx for a request whose outcome is known (nothing stored). */
  'server-error': 'Coupa failed with HTTP 5xx',
  /** Create mode: a record with the row's key existed before the row was sent. */
  exists: 'create mode: a record with this key already existed',
  /** Create mode with a key: an earlier row of the file has the same key (`_error` names its line). */
  'duplicate-key': 'create mode: an earlier row of the file has the same key',
  /** Several records have the row's key. */
  'ambiguous-key': 'several records have this key',
  /** Coupa stored the record but silently dropped a field (`_id` holds the record). */
  'unknown-field': 'Coupa ignored a field (the object has no such field); the record was stored without it',
  /** The run stopped (Ctrl-C, auth refused, unreachable, a dropped field) before this row was sent. */
  'not-sent': 'the run stopped before this row was sent; finish with --resume',
  /**
   * The run stopped sending because too many rows failed on the server (the first rows sent all failed, or
   * `--max-failures`): this row was not sent; fix the cause, then finish with --resume.
   */
  stopped: 'the run stopped sending after too many rows failed on the server; fix the cause, then --resume',
  /**
   * With `_status` `created`/`updated` and `_id`: the record was stored, but its dates are shifted (no time zone was
   * set and the instance is not at UTC). --resume with the zone set sends the row again to that record.
   */
  'date-shifted':
    "the record was stored with its dates shifted (the time zone was not the instance's); --resume with the zone set corrects it",
  /** The create may or may not have been stored (answer lost, no key or no lookup to tell). */
  'outcome-unknown': 'the record may or may not exist in Coupa; check before sending it again',
  /** A create that never got an answer after every attempt, and the key lookup found nothing. */
  unanswered: 'every attempt ended without an answer and no record with this key exists',
  /** The run was aborted while this row was being sent (e.g. the instance ignored the key filter). */
  aborted: 'the run was aborted while this row was being sent',
  /** A bug: an error the import did not expect. */
  internal: 'an unexpected error (a bug: please report it)',
} as const;

/** One `_code` value (see {@link RESULT_CODES}). */
export type ResultCode = keyof typeof RESULT_CODES;
