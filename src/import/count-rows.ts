import type { CsvRecord, CsvSource } from '../csv/index.js';

/**
 * The pass a real run makes over the file before it sends anything: the progress total, file-level errors (an
 * unclosed quote at the end) and, through `check`, rows changed since the run being resumed, all found before the
 * first write. Counts up to `limit`.
 */
export async function countRecords(
  source: CsvSource,
  limit: number | undefined,
  check: (record: CsvRecord) => void,
): Promise<number> {
  let count = 0;
  // Batches, not records(): one await per chunk instead of one per row (about 10% of this pass).
  for await (const batch of source.batches()) {
    for (const record of batch) {
      check(record);
      count++;
      if (limit !== undefined && count >= limit) return count;
    }
  }
  return count;
}
