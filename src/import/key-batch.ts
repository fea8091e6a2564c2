/**
 * How a window's keys (or ids) are looked up: `<field>[in]=v1,v2,...` lists of at most {@link KEY_LOOKUP_BATCH} keys
 * (or {@link LOOKUP_BATCH} ids),
 * each list short enough for a URL; a value that cannot go in a list is looked up on its own with the plain equality
 * filter. Pure.
 */

/** Records the index returns at most per request (Coupa's `limit` cap). */
export const PAGE_LIMIT = 50;

/**
 * Ids looked up per request (`id[in]`): an id is one record at most, so a page of 50 holds all of them. Also the
 * window's batch size for update mode.
 */
export const LOOKUP_BATCH = PAGE_LIMIT;

/**
 * Keys looked up per request: one fewer than a page, so that an answer is known complete in one request when it holds
 * fewer than 50 records. With 50 keys, a reload (every key in Coupa) would fill every page and need a second request
 * to tell whether a key has another record (an ambiguous key) on the next page; with 49, a full page means a key has
 * several records, and only then is the next page read.
 */
export const KEY_LOOKUP_BATCH = PAGE_LIMIT - 1;

/**
 * Most characters of an `[in]` list once URL-encoded. Instances and proxies refuse URLs past 8 KiB or so; with the
 * instance host, the path and the other arguments this keeps the whole URL under about 6,000 characters.
 */
export const MAX_LIST_CHARS = 5_500;

/** The requests of one lookup: `[in]` lists, and values each looked up alone. */
export interface KeyLookupPlan {
  lists: string[][];
  alone: string[];
}

/**
 * Splits distinct values into `[in]` lists. A value goes alone when it holds a comma (the list separator), when it is
 * too long for a list, or when the list already holds another value equal to it under `fold` (a case-insensitive
 * instance would answer both with the same records, and which row each belongs to could not be told: alone, each gets
 * exactly what the instance answers for it, as a lookup one row at a time does).
 * @example planKeyLookups(['A', 'b,c', 'D']) // { lists: [['A', 'D']], alone: ['b,c'] }
 */
export function planKeyLookups(
  values: readonly string[],
  fold: (value: string) => string = (v) => v.toLowerCase(),
  options: { batch?: number; maxChars?: number } = {},
): KeyLookupPlan {
  const batch = options.batch ?? KEY_LOOKUP_BATCH;
  const maxChars = options.maxChars ?? MAX_LIST_CHARS;
  const lists: string[][] = [];
  const alone: string[] = [];
  const seen = new Set<string>();
  let list: string[] = [];
  let folds = new Set<string>();
  let chars = 0;
  const close = (): void => {
    if (list.length > 0) lists.push(list);
    list = [];
    folds = new Set();
    chars = 0;
  };
  for (const value of values) {
    if (seen.has(value)) continue;
    seen.add(value);
    const size = encodeURIComponent(value).length;
    if (value.includes(',') || value.trim() === '' || size > maxChars) {
      alone.push(value);
      continue;
    }
    const folded = fold(value);
    if (folds.has(folded)) {
      alone.push(value);
      continue;
    }
    // Each value after the first costs a comma (%2C, 3 characters).
    if (list.length >= batch || chars + size + (list.length > 0 ? 3 : 0) > maxChars) close();
    chars += size + (list.length > 0 ? 3 : 0);
    list.push(value);
    folds.add(folded);
  }
  close();
  return { lists, alone };
}
