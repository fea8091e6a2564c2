import type { CoupaClient, IndexQuery, ObjectInstance } from '../coupa/index.js';

/** Coupa's largest page. */
export const PAGE_SIZE = 50;

export interface PagerOptions {
  client: CoupaClient;
  objectId: number;
  /** Filter arguments sent with every page (id range filters already folded into `after`/`upTo`). */
  query: IndexQuery;
  /** Page ids greater than this... */
  after: number;
  /** ...up to and including this one (the largest id seen at the start)... */
  upTo: number;
  /** ...and, when true, past it too: records created during the export are included if they exist when the last
   *  page is read. False when the user's own filter sets an upper id bound. */
  openEnded: boolean;
  /** Pages requested at once (id ranges in flight). */
  window: number;
  /** A hint: cut no new ranges ahead once those under way likely hold this many records (the consumer stops). */
  limit?: number;
  /** Pages a range that is not the one being written may hold before it waits. Default 4. */
  maxBufferedPages?: number;
  /** Pages a new range should hold, by the density seen so far. Default 2. */
  targetPagesPerRange?: number;
  signal?: AbortSignal;
  /** Called after every page request that returned (empty pages too). */
  onPage?: () => void;
}

/** A slice (lo, hi] of the id space, paged by keyset. */
interface IdRange {
  lo: number;
  hi: number;
  /** No upper bound in the query: the last range. */
  open: boolean;
  /** Largest id fetched (keyset cursor). */
  last: number;
  pages: Page[];
  buffered: number;
  busy: boolean;
  done: boolean;
}

/** One page of the index, and when it was asked for (this machine's clock, ms; before the request was sent). */
export interface Page {
  records: ObjectInstance[];
  askedAt: number;
}

/**
 * Pages the index in ascending id order, several id ranges at once, and yields pages strictly in id order.
 *
 * Each range is paged by keyset (`id[gt]=<last>&id[lt_or_eq]=<hi>&order_by=id&dir=asc&limit=50`), so no id is read
 * twice and none that existed at the start is skipped, whatever changes meanwhile (Coupa cannot delete records).
 * Ranges are cut one after another from the id space, each about `targetPagesPerRange` pages wide by the density of
 * ids seen so far (sparse ids make wide ranges; an empty range costs one request). At most `window` requests are in
 * flight; the range being written always goes first. A range ahead of it holds at most `maxBufferedPages` pages and
 * then waits, and at most `2 * window` ranges exist at once, so memory stays bounded. When the id space is used up
 * and requests could still be sent, the widest unfinished range is split in two.
 */
export async function* pageInIdOrder(options: PagerOptions): AsyncGenerator<Page, void, undefined> {
  const window = Math.max(1, Math.floor(options.window));
  const maxBuffered = Math.max(1, options.maxBufferedPages ?? 4);
  const targetPages = Math.max(1, options.targetPagesPerRange ?? 2);
  const maxRanges = Math.max(2, window * 2);
  const ranges: IdRange[] = [];
  let next = options.after; // the id space above `next` up to `upTo` has no range yet
  let inFlight = 0;
  let fetched = 0;
  let seenIds = 0; // width of id space read so far, for the density estimate
  let seenRecords = 0;
  let lastWidth = PAGE_SIZE * targetPages;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onAbort = (): void => notify();
  options.signal?.addEventListener('abort', onAbort);

  const spaceLeft = (): boolean => next < options.upTo;

  const cutRange = (): IdRange => {
    const density = seenIds > 0 ? seenRecords / seenIds : 1;
    let width = density > 0 ? Math.ceil((PAGE_SIZE * targetPages) / density) : lastWidth * 8;
    width = Math.max(1, Math.min(width, lastWidth * 8));
    lastWidth = width;
    const lo = next;
    const hi = Math.min(options.upTo, lo + width);
    next = hi;
    return newRange(lo, hi, options.openEnded && hi >= options.upTo);
  };

  const splitWidest = (): boolean => {
    let widest: IdRange | undefined;
    for (const r of ranges) {
      if (r.done) continue;
      if (!widest || r.hi - r.last > widest.hi - widest.last) widest = r;
    }
    if (!widest || widest.hi - widest.last < PAGE_SIZE * 2) return false;
    const mid = widest.last + Math.floor((widest.hi - widest.last) / 2);
    const tail = newRange(mid, widest.hi, widest.open);
    widest.hi = mid;
    widest.open = false;
    if (!widest.busy && widest.last >= mid) widest.done = true;
    ranges.splice(ranges.indexOf(widest) + 1, 0, tail);
    return true;
  };

  // With a limit, stop cutting new ranges once those under way are likely to hold enough records.
  const wantMore = (): boolean =>
    options.limit === undefined ||
    fetched + ranges.filter((r) => !r.done).length * PAGE_SIZE * targetPages < options.limit;

  const launchable = (r: IdRange, index: number): boolean =>
    !r.busy && !r.done && (index === 0 || r.buffered < maxBuffered);

  const fetchPage = (r: IdRange): void => {
    r.busy = true;
    inFlight++;
    const query: Array<readonly [string, string]> = [...options.query, ['id[gt]', String(r.last)]];
    if (!r.open) query.push(['id[lt_or_eq]', String(r.hi)]);
    query.push(['order_by', 'id'], ['dir', 'asc'], ['limit', String(PAGE_SIZE)]);
    const started = r.last;
    const askedAt = Date.now();
    options.client.list(options.objectId, query).then(
      (fullPage) => {
        inFlight--;
        r.busy = false;
        if (stopped) return;
        options.onPage?.();
        // The bound may have been lowered by a split while this request was in flight: records past it belong to
        // the new range, so they are dropped here rather than written twice. Reaching the bound ends the range.
        const page = r.open ? fullPage : fullPage.filter((rec) => rec.id <= r.hi);
        const lastRecord = page.at(-1);
        if (lastRecord) {
          r.pages.push({ records: page, askedAt });
          r.buffered++;
          r.last = lastRecord.id;
        }
        fetched += page.length;
        // A short page ends the range; so does reaching its upper bound (saves asking for an empty page).
        if (fullPage.length < PAGE_SIZE || page.length < fullPage.length || (!r.open && r.last >= r.hi)) {
          r.done = true;
        }
        if (!r.open) {
          seenIds += Math.max(0, (r.done ? r.hi : r.last) - started);
          seenRecords += page.length;
        }
        notify();
      },
      (error: unknown) => {
        inFlight--;
        r.busy = false;
        if (!stopped && !failure) failure = { error };
        notify();
      },
    );
  };

  try {
    for (;;) {
      if (failure) throw failure.error;
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');

      // Write what the head range has, in order.
      const head = ranges[0];
      if (head) {
        const page = head.pages.shift();
        if (page) {
          head.buffered--;
          yield page;
          continue;
        }
        if (head.done) {
          ranges.shift();
          continue;
        }
      } else if (!spaceLeft()) {
        return;
      }

      // Fill the request window: the earliest ranges first, then new ranges, then splits.
      while (inFlight < window) {
        const ready = ranges.find(launchable);
        if (ready) {
          fetchPage(ready);
          continue;
        }
        if (ranges.length >= maxRanges || (ranges.length > 0 && !wantMore())) break;
        if (spaceLeft()) {
          ranges.push(cutRange());
          continue;
        }
        if (!splitWidest()) break;
      }
      // The head range is always launchable when idle, so with nothing in flight there is always a page to write.
      if (inFlight === 0) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stopped = true;
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function newRange(lo: number, hi: number, open: boolean): IdRange {
  return { lo, hi, open, last: lo, pages: [], buffered: 0, busy: false, done: false };
}
