import { UsageError } from '../shared/index.js';
import { isValidTimeZone } from '../shared/index.js';

/**
 * A positive whole number option (`--object`, `--limit`, `--concurrency`, ...): one rule everywhere, a safe
 * integer of 1 or more, and one message naming the option.
 */
export function checkPositiveWholeNumber(value: number, option: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${option} must be a positive whole number, got ${String(value)}`);
  }
  return value;
}

/** The custom object id a run works on (`--object` or the mapping's `object:`). */
export function checkObjectId(objectId: number): number {
  return checkPositiveWholeNumber(objectId, 'object');
}

/** An IANA time zone name, or a UsageError (`TIMEZONE`) that says what one looks like. */
export function checkTimeZone(timezone: string): string {
  if (!isValidTimeZone(timezone)) {
    throw new UsageError(
      `unknown time zone "${timezone}": use an IANA name such as America/Los_Angeles`,
      'TIMEZONE',
    );
  }
  return timezone;
}
