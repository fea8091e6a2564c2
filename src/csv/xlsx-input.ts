/**
 * An `.xlsx` workbook as a record source: the sheet's rows (xlsx-source.ts) under its header (header-row.ts), in the
 * same shape as a CSV file's records, each with its typed cells. Loaded on demand (open-input.ts), so that CSV runs
 * never load the workbook reader.
 */
import { checkHeader } from './header.js';
import { findHeaderRow, HEADER_SCAN_LINES } from './header-row.js';
import { fixWidth, unnamedTailStart } from './ragged.js';
import type { BatchOptions, CsvReadOptions, CsvRecord, CsvSource } from './types.js';
import { openXlsx, type XlsxRow, type XlsxSource } from './xlsx-source.js';
import { InputError } from '../shared/index.js';

/**
 * Records handed out per batch: a sheet's rows come one by one from the reader, batches only save awaits. Small, so
 * that few rows are alive at a young-generation collection: at 256 a whole batch survived it and was promoted, and
 * the old generation filled with rows already done (bench/NOTES.md, 7c).
 */
const BATCH_ROWS = 32;

/** An opened workbook source, with the workbook itself (for rebuilding typed results). */
export interface XlsxInput {
  source: CsvSource;
  workbook: XlsxSource;
}

/**
 * Opens a workbook's sheet (`options.sheet`, else the first) and finds its header: `options.headerRow`, or line 1,
 * or a line below a title line holding `options.columns`. Records keep the sheet's row numbers.
 * @throws InputError NOT_FOUND (file or sheet), UNREADABLE, EMPTY, DUPLICATE_HEADER; UsageError for a blank
 *   `--header-row`.
 */
export async function openXlsxInput(path: string, options: CsvReadOptions = {}): Promise<XlsxInput> {
  const workbook = await openXlsx(path, options.sheet !== undefined ? { sheet: options.sheet } : {});
  const head: XlsxRow[] = [];
  const wanted = Math.max(options.headerRow ?? 0, HEADER_SCAN_LINES);
  for await (const row of workbook.rows()) {
    head.push(row);
    if (row.line >= wanted) break;
  }
  if (head.length === 0)
    throw new InputError('EMPTY', `the sheet ${JSON.stringify(workbook.sheet)} is empty`, { file: path });
  const found = findHeaderRow(head, {
    ...(options.headerRow !== undefined ? { headerRow: options.headerRow } : {}),
    ...(options.columns !== undefined ? { columns: options.columns } : {}),
  });
  const headerRow = head[found.index] as XlsxRow;
  const header = [...headerRow.cells];
  checkHeader(header, { file: path, line: headerRow.line }, options.allowDuplicateHeaders === true);
  const after = headerRow.line;
  const unnamedTail = unnamedTailStart(header);
  const toRecord = (row: XlsxRow): CsvRecord => {
    const record: CsvRecord = { line: row.line, cells: row.cells };
    if (row.cells.length > header.length) fixWidth(record, header.length, unnamedTail);
    while (record.cells.length < header.length) record.cells.push('');
    const typed = row.typed.slice(0, header.length);
    while (typed.length < header.length) typed.push(undefined);
    if (typed.some((t) => t !== undefined)) record.typed = typed;
    return record;
  };
  async function* records(): AsyncGenerator<CsvRecord, void, undefined> {
    for await (const row of workbook.rows()) if (row.line > after) yield toRecord(row);
  }
  async function* batches(_options?: BatchOptions): AsyncGenerator<CsvRecord[], void, undefined> {
    let batch: CsvRecord[] = [];
    for await (const record of records()) {
      batch.push(record);
      if (batch.length >= BATCH_ROWS) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
  const source: CsvSource = {
    file: path,
    header,
    encoding: 'xlsx',
    delimiter: ',',
    lineEnding: 'LF',
    headerLine: headerRow.line,
    sheet: workbook.sheet,
    ...(found.note !== undefined ? { headerNote: found.note } : {}),
    records,
    batches,
  };
  return { source, workbook };
}
