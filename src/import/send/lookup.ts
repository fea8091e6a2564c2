import type { ObjectInstance } from '../../coupa/types.js';
import { AbortedError } from '../../shared/errors.js';
import { CLOCK_SKEW_MS, type Converted } from '../identity.js';
import type { SendContext } from './context.js';

/**
 * Index query on the key field, one row at a time; keeps only records whose key really equals the row's
 * (case-insensitive). The coming batched lookup (50 keys a request, `<key>[in]=`) replaces the request here and
 * keeps the same check of the answers.
 */
export async function lookupKey(ctx: SendContext, conv: Converted): Promise<ObjectInstance[]> {
  const key = ctx.mapping.key;
  const value = ctx.identity.keyText(conv);
  if (key === undefined || value === undefined) return [];
  const found = await ctx.client.list(ctx.objectId, [
    [key, value],
    ['limit', '2'],
  ]);
  const wanted = ctx.identity.keyForm(value);
  const matches = found.filter((r) => ctx.identity.keyForm(plainText(readField(r, key))) === wanted);
  if (matches.length !== found.length) {
    // The instance ignored the filter: trusting it would update or skip the wrong records.
    ctx.halt({
      code: 'KEY_FILTER',
      message: `the instance ignored the index filter ${key}=${value} (it returned other records), so the key cannot be used safely`,
      exitCode: 3,
    });
    throw new AbortedError(
      `the key lookup ${key}=${value} returned records with another ${key}`,
      'KEY_FILTER',
    );
  }
  return matches;
}

/** The records with the row's key that a lost create of this row may have made: those no other row stands for. */
export async function lookupOwnCreate(ctx: SendContext, conv: Converted): Promise<ObjectInstance[]> {
  return (await lookupKey(ctx, conv)).filter((record) => !ctx.identity.isTaken(record.id));
}

/** The record's `created-at` in epoch ms; undefined when it has none that reads as a time. */
export function createdAt(record: ObjectInstance): number | undefined {
  const created = Date.parse(String(record['created-at'] ?? ''));
  return Number.isFinite(created) ? created : undefined;
}

/** True when the record's `created-at` is clearly before `sentAt` (beyond clock skew); false when unknown. */
export function createdBefore(record: ObjectInstance, sentAt: number): boolean {
  const created = createdAt(record);
  return created !== undefined && created < sentAt - CLOCK_SKEW_MS;
}

/** A custom field of a returned record, accepting `_`/`-` spellings of the name. */
function readField(record: ObjectInstance | undefined, field: string): unknown {
  if (!record) return undefined;
  const fields = record['custom-fields'];
  if (field in fields) return fields[field];
  const hyphen = field.replace(/_/g, '-');
  if (hyphen in fields) return fields[hyphen];
  const underscore = field.replace(/-/g, '_');
  return fields[underscore];
}

function plainText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
