import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { expect } from 'vitest';

/** Shared by every test folder (test/helpers/temp-dir.ts); exported here too for the tests that import it from here. */
export { makeTempDir } from '../helpers/temp-dir.js';

/** The delimiter of a results CSV (written in its input's dialect): the character after `_line`. */
export function resultsDelimiter(text: string): string {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  return text.startsWith('_line', start) ? text.charAt(start + 5) : ',';
}

/** Reads a results CSV (in whatever dialect it was written) as objects keyed by header. */
export function readResults(file: string): Array<Record<string, string>> {
  const text = fs.readFileSync(file, 'utf8');
  return parse<Record<string, string>>(text, { columns: true, bom: true, delimiter: resultsDelimiter(text) });
}

/** The header line of a results CSV. */
export function readHeader(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const rows: string[][] = parse(text, { to_line: 1, bom: true, delimiter: resultsDelimiter(text) });
  return rows[0] ?? [];
}

/** A vendor mapping (object 101) for tests. */
export const VENDOR_MAPPING = `object: 101
timezone: America/Los_Angeles
id: Coupa ID
key: vendor-code
fields:
  Code: vendor-code
  Name: vendor-name
  Limit: { field: credit-limit, type: decimal }
  Since: { field: onboarding-date, type: date }
  Notes: notes
`;

/** The same without a key. */
export const VENDOR_MAPPING_NO_KEY = VENDOR_MAPPING.replace('key: vendor-code\n', '');

/** `n` vendor rows V-1..V-n (header Code,Name,Limit,Since,Notes). */
export function vendorCsv(n: number, prefix = 'V'): string {
  const lines = ['Code,Name,Limit,Since,Notes'];
  for (let i = 1; i <= n; i++) lines.push(`${prefix}-${i},Vendor ${i},${i}00.50,2026-03-01,note ${i}`);
  return lines.join('\n') + '\n';
}

/** Custom-field values of the simulator's records. */
export function customFields(records: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return records.map((r) => (r['custom-fields'] ?? {}) as Record<string, unknown>);
}

/** Waits until `check` is true (polling), or throws after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The exactly-once check: the simulator holds one vendor record per input row (V-1..V-n by `vendor-code`), and
 * the results file has one row per input line, in order, each carrying the id of the record made from it.
 */
export function expectEveryRowOnce(
  records: Array<Record<string, unknown>>,
  resultsFile: string,
  rows: number,
): void {
  const codes = customFields(records).map((f) => f['vendor-code']);
  expect(codes).toHaveLength(rows);
  expect(new Set(codes).size).toBe(rows);
  const results = readResults(resultsFile);
  expect(results.map((r) => Number(r._line))).toEqual(Array.from({ length: rows }, (_, i) => i + 2));
  const idsByCode = new Map(records.map((r) => [customFields([r])[0]?.['vendor-code'], String(r.id)]));
  for (const r of results) expect(r._id).toBe(idsByCode.get(r.Code));
}
