import type { CoupaClient, IndexQuery, ObjectInstance } from '../coupa/index.js';
import { AbortedError } from '../shared/index.js';
import type { FilterMismatch } from './check-filters.js';
import type { RecordFormatter } from './format-records.js';
import { pageInIdOrder } from './pager.js';
import type { IncrementalTracker } from './state.js';
import type { ExportFormat, ExportProgress } from './types.js';

export interface RecordSourceOptions {
  client: CoupaClient;
  objectId: number;
  query: IndexQuery;
  /** The id range: from `first` (undefined: nothing matches) up to `maxId`. */
  first: ObjectInstance | undefined;
  maxId: number | undefined;
  /** No upper id bound was asked for: records created during the export may follow. */
  openEnded: boolean;
  /** Id ranges paged at once. */
  window: number;
  limit: number | undefined;
  signal: AbortSignal | undefined;
  /** An incremental run's tracker: records seen unchanged by the previous run are left out. */
  tracker: IncrementalTracker | undefined;
  checkRecord: (record: ObjectInstance) => FilterMismatch | undefined;
  formatter: RecordFormatter;
  format: ExportFormat;
  notice: (message: string) => void;
  onProgress: ((progress: ExportProgress) => void) | undefined;
}

/**
 * The export's text, page by page in id order ({@link chunks}): repeats of an incremental run left out, `--limit`
 * applied, every record checked against the filters (a record that fails them stops the export: the instance
 * misread a filter), and the counts the summary reports.
 */
export class RecordSource {
  pages = 0;
  records = 0;
  /** Records seen again in an incremental run's overlap window, unchanged, and left out. */
  repeats = 0;
  /** True when `limit` stopped the export before the end. */
  truncated = false;

  constructor(private readonly o: RecordSourceOptions) {}

  async *chunks(): AsyncGenerator<string> {
    const { o } = this;
    const formatter = o.formatter;
    if (o.first && o.maxId !== undefined) {
      const pager = pageInIdOrder({
        client: o.client,
        objectId: o.objectId,
        query: o.query,
        after: o.first.id - 1,
        upTo: o.maxId,
        openEnded: o.openEnded,
        window: o.window,
        ...(o.limit === undefined ? {} : { limit: o.limit }),
        ...(o.signal ? { signal: o.signal } : {}),
        onPage: () => {
          this.pages++;
        },
      });
      for await (const { records: page, askedAt } of pager) {
        let chunk = formatter.started ? '' : formatter.head(page);
        for (const record of page) {
          if (o.tracker?.observe(record.id, record['updated-at'], askedAt)) {
            this.repeats++;
            continue;
          }
          if (o.limit !== undefined && this.records >= o.limit) {
            this.truncated = true;
            break;
          }
          for (const field of formatter.lateFields(record)) {
            o.notice(
              `field "${field}" first appears on record ${record.id}, after the CSV header was written: ` +
                `it is left out of the ${o.format === 'xlsx' ? 'worksheet' : 'CSV'} (export with --format jsonl or a mapping to get it)`,
            );
          }
          const mismatch = o.checkRecord(record);
          if (mismatch) throw filterMismatchError(record, mismatch);
          chunk += formatter.format(record);
          this.records++;
        }
        o.onProgress?.({ records: this.records, pages: this.pages });
        if (chunk) yield chunk;
        if (this.truncated) break;
      }
    }
    if (!formatter.started) {
      const text = formatter.head([]);
      if (text) yield text;
    }
  }
}

/** A record the instance should not have returned: exit 3, nothing written. */
function filterMismatchError(record: ObjectInstance, mismatch: FilterMismatch): AbortedError {
  return new AbortedError(
    `the instance returned record ${record.id} although it does not satisfy ${mismatch.filter.startsWith('the --state') ? mismatch.filter : `--filter "${mismatch.filter}"`} ` +
      `(its value: ${mismatch.value}): the instance ignored or misread that filter, so the export cannot be trusted ` +
      '(filters on custom fields are not all documented: check the field name and operator, or filter another way)',
    'ABORTED',
  );
}
