/**
 * The one definition of when two column names are the same: ignoring case and surrounding spaces, and in one Unicode
 * form (NFC), so a precomposed `é` and an `e` followed by a combining accent match. The CSV reader finds duplicate
 * headers with it and the mapping binds its columns to the header with it.
 * @example normalizeColumn(' Cafe\u0301 ') === normalizeColumn('CAFÉ') // true
 */
export function normalizeColumn(name: string): string {
  return name.trim().normalize('NFC').toLowerCase();
}
