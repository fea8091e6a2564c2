import type { ObjectInstance } from '../../coupa/index.js';
import { AbortedError } from '../../shared/index.js';
import { CLOCK_SKEW_MS, type Converted } from '../identity.js';
import { KEY_LOOKUP_BATCH, LOOKUP_BATCH, PAGE_LIMIT, planKeyLookups } from '../key-batch.js';
import type { LookupContext } from './context.js';

/**
 * Index query on the key field for one row; keeps only records whose key really equals the row's (case-insensitive).
 * Rows are looked up in batches (see {@link lookupMany}); this is for a row whose batch result could be stale (an
 * earlier row of its key was still being sent) and for a lost create's check.
 */
export async function lookupKey(ctx: LookupContext, conv: Converted): Promise<ObjectInstance[]> {
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
export async function lookupOwnCreate(ctx: LookupContext, conv: Converted): Promise<ObjectInstance[]> {
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

/**
 * What the batched lookup found for a row: the records the instance returned for its key (or id), or why the lookup
 * failed (the row's sender turns that into its results row, as a failed lookup of its own would be).
 */
export type Found = { matches: ObjectInstance[] } | { error: unknown };

/** The records of `found`; throws the lookup's error (the sender's catch makes it the row's outcome). */
export function matchesOf(found: Found): ObjectInstance[] {
  if ('error' in found) throw found.error;
  return found.matches;
}

/** How a looked-up value is compared: `id` by its digits; a key as {@link KeyIdentity.exactForm}. */
export function lookupForm(ctx: Pick<LookupContext, 'identity'>, field: string, value: string): string {
  return field === 'id' ? value.trim() : ctx.identity.exactForm(value);
}

/**
 * Looks many key values (or ids: `field` `id`) up at once: `<field>[in]=v1,v2,...`, at most 50 a request (see
 * planKeyLookups for the values that go alone), paged by `offset` when a list has more records than a page holds
 * (several records with one key). Returns, by {@link lookupForm} of each value, the records the instance returned
 * for it: a record is a value's when its key is that value exactly, or, when it is no requested value exactly, equal
 * to one ignoring case (the instance matched it case-insensitively, as a lookup of that value alone would). A record
 * that is neither means the instance ignored the filter: the run stops (KEY_FILTER), as for one row's lookup.
 */
export async function lookupMany(
  ctx: Pick<LookupContext, 'client' | 'objectId' | 'identity' | 'halt'>,
  field: string,
  values: readonly string[],
): Promise<Map<string, ObjectInstance[]>> {
  const byId = field === 'id';
  const exact = (text: string): string => lookupForm(ctx, field, text);
  const fold = (text: string): string => (byId ? text.trim() : ctx.identity.keyForm(text));
  const found = new Map<string, ObjectInstance[]>();
  const texts: string[] = [];
  for (const value of values) {
    const form = exact(value);
    if (found.has(form)) continue;
    found.set(form, []);
    texts.push(value.trim());
  }
  const plan = planKeyLookups(texts, fold, { batch: byId ? LOOKUP_BATCH : KEY_LOOKUP_BATCH });
  const keyOf = (record: ObjectInstance): string =>
    byId ? String(record.id) : plainText(readField(record, field));
  const assign = (asked: readonly string[], records: readonly ObjectInstance[], filter: string): void => {
    const folds = new Map<string, string>();
    for (const value of asked) folds.set(fold(value), exact(value));
    for (const record of records) {
      const text = keyOf(record);
      let form = exact(text);
      if (!asked.some((v) => exact(v) === form)) form = folds.get(fold(text)) ?? '';
      const list = form === '' ? undefined : found.get(form);
      if (list === undefined) filterIgnored(ctx, field, filter);
      else if (!list.some((r) => r.id === record.id)) list.push(record);
    }
  };
  const requests: Array<Promise<void>> = [];
  for (const list of plan.lists) {
    requests.push(
      readPages(ctx, [`${field}[in]`, list.join(',')], list.length).then((records) =>
        assign(
          list,
          records,
          `${field}[in]=${list.length > 3 ? `${list.slice(0, 3).join(',')},...` : list.join(',')}`,
        ),
      ),
    );
  }
  for (const value of plan.alone) {
    requests.push(
      ctx.client
        .list(ctx.objectId, [
          [field, value],
          ['limit', '2'],
        ])
        .then((records) => assign([value], records, `${field}=${value}`)),
    );
  }
  await Promise.all(requests);
  return found;
}

/**
 * Every record of an `[in]` filter, a page of 50 at a time (by id, so that pages neither skip nor repeat). A page of
 * fewer than 50 is the last: lists hold fewer keys than a page (see KEY_LOOKUP_BATCH), so a second page is read only
 * when a key has several records; an `id[in]` list of 50 ids fills a page at most.
 */
async function readPages(
  ctx: Pick<LookupContext, 'client' | 'objectId'>,
  filter: readonly [string, string],
  values: number,
): Promise<ObjectInstance[]> {
  const all: ObjectInstance[] = [];
  const complete = (page: number): boolean =>
    page < PAGE_LIMIT || (filter[0] === 'id[in]' && values <= PAGE_LIMIT);
  for (let offset = 0; ; offset += PAGE_LIMIT) {
    const page = await ctx.client.list(ctx.objectId, [
      filter,
      ['limit', String(PAGE_LIMIT)],
      ['order_by', 'id'],
      ['dir', 'asc'],
      ...(offset > 0 ? ([['offset', String(offset)]] as const) : []),
    ]);
    all.push(...page);
    if (complete(page.length)) return all;
  }
}

function filterIgnored(ctx: Pick<LookupContext, 'halt'>, field: string, filter: string): never {
  // The instance ignored the filter: trusting it would update or skip the wrong records.
  ctx.halt({
    code: 'KEY_FILTER',
    message: `the instance ignored the index filter ${filter} (it returned other records), so the ${field === 'id' ? 'ids' : 'key'} cannot be used safely`,
    exitCode: 3,
  });
  throw new AbortedError(`the lookup ${filter} returned records with another ${field}`, 'KEY_FILTER');
}
