import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorText, InputError } from '../shared/index.js';
// Through the module's door, which keeps openCsv wherever the reader's files move.
import { openCsv } from './index.js';
import type { TypedCell, XlsxSource } from './xlsx-source.js';
import { openXlsxWriter, type XlsxCellValue, type XlsxWriter } from './xlsx-writer.js';

/** The results file's own columns, before the input's (SPEC "Results CSV"). */
export const RESULT_COLUMNS = ['_line', '_status', '_id', '_error', '_code'] as const;

/** Excel's limit for one cell's text; longer text makes Excel "repair" (and empty) the cell. */
const MAX_CELL_CHARS = 32_767;

export interface XlsxResultsOptions {
  /** The input sheet's header: the columns after the result columns, with their original names. */
  header: readonly string[];
  /** More result columns after `_code` (`_changes` with `--plan`). */
  extraColumns?: readonly string[];
  /** The worksheet's name (default `Results`). */
  sheetName?: string;
}

/** One row of the results: what happened to an input row, and the row itself. */
export interface XlsxResultRow {
  line: number;
  status: string;
  id?: string | number;
  error?: string;
  code?: string;
  /** Values of `extraColumns`, in their order. */
  extra?: readonly string[];
  /** The input row's text, one per header column. */
  cells: readonly string[];
  /** The input row's typed values (from {@link XlsxSource}): written as numbers, dates and booleans. */
  typed?: readonly (TypedCell | undefined)[];
}

export interface XlsxResultsWriter {
  /** Rows appended so far. */
  readonly rows: number;
  /** Appends a row (in input order). Resolves once the row is handed to the zip stream. */
  append(row: XlsxResultRow): Promise<void>;
  /** Finishes the workbook and moves it to its path (atomically: readers see the old file or the whole new one). */
  close(): Promise<void>;
  /** Drops the unfinished workbook (its temp file); the file at the path, if any, is left as it was. */
  abort(): Promise<void>;
}

/** Bytes of the journal parsed at a time by a rebuild (see there). */
const JOURNAL_CHUNK = 8 * 1024;

const FORMATS: Record<'date' | 'datetime' | 'time', string> = {
  date: 'yyyy-mm-dd',
  datetime: 'yyyy-mm-dd hh:mm:ss',
  time: 'hh:mm:ss',
};

/**
 * Opens a streaming `.xlsx` results file: one sheet, the result columns then the input's, a frozen header row.
 * Rows go straight to a temp file beside `path` (text as inline strings, so nothing grows with the rows);
 * `close()` renames it over `path`. An xlsx is readable only once finished (the zip's directory is written last):
 * a run that is interrupted must rebuild it from its CSV journal with {@link rebuildXlsxResults}.
 * @throws InputError RESULTS_UNWRITABLE when the folder cannot hold the temp file.
 * @example
 * const out = await openXlsxResults('budget.results.xlsx', { header: source.header });
 * await out.append({ line: 4, status: 'created', id: 17, cells, typed });
 * await out.close();
 */
export async function openXlsxResults(path: string, options: XlsxResultsOptions): Promise<XlsxResultsWriter> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const stream: WriteStream = createWriteStream(temp, { flags: 'wx' });
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new InputError('RESULTS_UNWRITABLE', `cannot write the results file: ${errorText(error)}`, {
      file: path,
    });
  }
  let failure: unknown;
  stream.on('error', (error) => (failure ??= error));
  const extra = options.extraColumns ?? [];
  const width = options.header.length;
  const unwritable = (error: unknown): InputError =>
    new InputError('RESULTS_UNWRITABLE', `cannot write the results file: ${errorText(failure ?? error)}`, {
      file: path,
    });
  let xlsx: XlsxWriter;
  try {
    xlsx = openXlsxWriter(stream, { sheetName: options.sheetName ?? 'Results', frozenRows: 1 });
    xlsx.writeRow([...RESULT_COLUMNS, ...extra, ...options.header]);
  } catch (error) {
    stream.destroy();
    await unlink(temp).catch(() => undefined);
    throw unwritable(error);
  }
  let rows = 0;
  let state: 'open' | 'closed' | 'aborted' = 'open';
  const check = (): void => {
    if (state !== 'open') throw new Error(`the xlsx results file is ${state}`);
    if (failure !== undefined) throw unwritable(failure);
  };
  return {
    get rows() {
      return rows;
    },
    async append(row) {
      check();
      const values: XlsxCellValue[] = [
        row.line,
        row.status,
        idValue(row.id),
        text(row.error ?? ''),
        row.code ?? '',
        ...extra.map((_, i) => text(row.extra?.[i] ?? '')),
      ];
      let numFmts: (string | undefined)[] | undefined;
      for (let i = 0; i < width; i++) {
        const typed = row.typed?.[i];
        const cell = row.cells[i] ?? '';
        const value = typedValue(typed);
        if (value === undefined) values.push(cell === '' ? null : text(cell));
        else {
          if (typed !== undefined && typed.kind in FORMATS) {
            numFmts ??= [];
            numFmts[values.length] = FORMATS[typed.kind as keyof typeof FORMATS];
          }
          values.push(value);
        }
      }
      rows++;
      if (!xlsx.writeRow(values, numFmts === undefined ? undefined : { numFmts })) {
        try {
          await xlsx.drain();
        } catch (error) {
          throw unwritable(error);
        }
      }
    },
    async close() {
      check();
      state = 'closed';
      try {
        await xlsx.finish();
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw unwritable(error);
      }
      if (failure !== undefined) {
        await unlink(temp).catch(() => undefined);
        throw unwritable(failure);
      }
      await rename(temp, path);
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      stream.destroy();
      await unlink(temp).catch(() => undefined);
    },
  };
}

function text(value: string): string {
  return value.length > MAX_CELL_CHARS ? `${value.slice(0, MAX_CELL_CHARS - 1)}…` : value;
}

/** Coupa ids are whole numbers: as numbers a spreadsheet sorts and filters them right. */
function idValue(id: string | number | undefined): string | number | null {
  if (id === undefined || id === '') return null;
  if (typeof id === 'number') return id;
  return /^[1-9]\d{0,14}$/.test(id) ? Number(id) : id;
}

/**
 * A typed input value as the workbook takes it: dates as Dates counted in UTC (xlsx-writer.ts turns them into serials
 * in UTC, as exceljs did).
 */
export function typedValue(typed: TypedCell | undefined): number | boolean | Date | undefined {
  if (typed === undefined) return undefined;
  switch (typed.kind) {
    case 'number':
    case 'boolean':
      return typed.value;
    case 'date': {
      const [y, m, d] = typed.value.split('-').map(Number) as [number, number, number];
      return new Date(Date.UTC(y, m - 1, d));
    }
    case 'datetime': {
      const [date = '', time = ''] = typed.value.split('T');
      const [y, m, d] = date.split('-').map(Number) as [number, number, number];
      const [hh, mm, ss] = time.split(':').map(Number) as [number, number, number];
      return new Date(Date.UTC(y, m - 1, d, hh, mm, ss));
    }
    case 'time': {
      const [hh, mm, ss] = typed.value.split(':').map(Number) as [number, number, number];
      return (hh * 3600 + mm * 60 + ss) / 86_400;
    }
  }
}

export interface RebuildXlsxResultsOptions {
  /** The run's results CSV (its journal): result columns, then the input's columns as text. */
  journal: string;
  /** The `.xlsx` input, for the typed values of each line. */
  input: XlsxSource;
  /** The `.xlsx` results file to write. */
  out: string;
  /** Result columns after `_code` in the journal that go into the xlsx too (e.g. `_changes`). */
  extraColumns?: readonly string[];
}

export interface RebuildXlsxResultsResult {
  rows: number;
}

/**
 * Writes the `.xlsx` results file from the CSV results journal the run kept beside it: every journal row, in its
 * order, with its input cells typed again from the `.xlsx` input's row of the same line (when the text still
 * matches). For the end of a run, and for a run that was interrupted before its workbook could be finished.
 * Streams both files; a journal out of line order makes it read the input again from the start for each step back.
 * @throws InputError (the journal or input unreadable, a journal without `_line`), RESULTS_UNWRITABLE.
 */
export async function rebuildXlsxResults(
  options: RebuildXlsxResultsOptions,
): Promise<RebuildXlsxResultsResult> {
  const journal = await openCsv(options.journal, { allowDuplicateHeaders: true });
  const extra = options.extraColumns ?? [];
  const index = (name: string): number => journal.header.indexOf(name);
  const own = [...RESULT_COLUMNS, ...extra];
  const missing = own.filter((c) => index(c) < 0);
  if (missing.length > 0)
    throw new InputError('JOURNAL', `the results journal has no ${missing.join(', ')} column`, {
      file: options.journal,
    });
  const first = Math.max(...own.map(index)) + 1;
  const header = journal.header.slice(first);
  const out = await openXlsxResults(options.out, { header, extraColumns: extra, sheetName: 'Results' });
  const typedRows = new TypedLookup(options.input);
  try {
    // Small batches: a 64 KiB chunk's few hundred records outlived two young-generation collections while the rows
    // of the input were read beside them, and were promoted (RSS +30 MB over a 200,000-row rebuild; bench/NOTES.md).
    for await (const batch of journal.batches({ chunkBytes: JOURNAL_CHUNK }))
      for (const record of batch) {
        const at = (name: string): string => record.cells[index(name)] ?? '';
        const line = Number(at('_line'));
        const cells = record.cells.slice(first);
        const source = Number.isInteger(line) && line > 0 ? await typedRows.find(line) : undefined;
        // The typed value stands for the cell only while it still shows the same text.
        const typed = cells.map((cell, i) => (source?.cells[i] === cell ? source.typed[i] : undefined));
        await out.append({
          line,
          status: at('_status'),
          id: at('_id'),
          error: at('_error'),
          code: at('_code'),
          extra: extra.map(at),
          cells,
          typed,
        });
      }
    await out.close();
  } catch (error) {
    await out.abort();
    throw error;
  } finally {
    await typedRows.close();
  }
  return { rows: out.rows };
}

/** Rows of the input by line, read forwards; a line behind the cursor starts a new pass. */
class TypedLookup {
  private iterator:
    AsyncIterator<{ line: number; cells: string[]; typed: (TypedCell | undefined)[] }> | undefined;
  private current: { line: number; cells: string[]; typed: (TypedCell | undefined)[] } | undefined;
  /** The last line of the input, once a pass has reached its end (no line after it is looked for again). */
  private lastLine: number | undefined;

  constructor(private readonly input: XlsxSource) {}

  async find(line: number): Promise<{ cells: string[]; typed: (TypedCell | undefined)[] } | undefined> {
    if (this.lastLine !== undefined && line > this.lastLine) return undefined;
    if (this.iterator === undefined || (this.current !== undefined && this.current.line > line)) {
      await this.close();
      this.iterator = this.input.rows()[Symbol.asyncIterator]();
      this.current = undefined;
    }
    while (this.current === undefined || this.current.line < line) {
      const next = await this.iterator.next();
      if (next.done === true) {
        this.lastLine = this.current?.line ?? 0;
        await this.close();
        return undefined;
      }
      this.current = next.value;
    }
    return this.current.line === line ? this.current : undefined;
  }

  async close(): Promise<void> {
    const iterator = this.iterator;
    this.iterator = undefined;
    this.current = undefined;
    await iterator?.return?.();
  }
}
