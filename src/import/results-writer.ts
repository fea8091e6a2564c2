import * as fs from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { escapeFormula, formatCsvRow } from '../csv/index.js';
import { errorText, InputError, numberText } from '../shared/index.js';
import { RESULT_COLUMNS, resumeNotesPathFor, writeResumeNotes } from './resume.js';
import type { ResultCode } from './result-codes.js';
import { TextBatch } from './text-batch.js';
import type { RowStatus } from './types.js';

/**
 * How the results file is written: in the input's dialect (SPEC "Results CSV"), so that it opens in the spreadsheet
 * the input came from. The default (no input to follow) is `,`, LF, no BOM.
 */
export interface ResultsDialect {
  delimiter: ',' | ';' | '\t' | '|';
  lineEnding: '\r\n' | '\n' | '\r';
  /** Start with a UTF-8 byte order mark (Excel reads a BOM-less file in the machine's code page). */
  bom: boolean;
}

export const DEFAULT_RESULTS_DIALECT: ResultsDialect = { delimiter: ',', lineEnding: '\n', bom: false };

/**
 * The results dialect of an input: its delimiter and line ending; a BOM when the input had one, and for a
 * Windows-1252 or UTF-16 input (the results are UTF-8, which Excel recognises only by its BOM). An input without a
 * text dialect (a workbook) gets `,`, CRLF and a BOM: its CSV journal is for Excel users too.
 */
export function resultsDialectOf(source: {
  encoding?: string;
  delimiter?: ResultsDialect['delimiter'];
  lineEnding?: 'CRLF' | 'LF' | 'CR';
}): ResultsDialect {
  if (source.encoding === undefined || source.encoding === 'xlsx')
    return { delimiter: ',', lineEnding: '\r\n', bom: true };
  return {
    delimiter: source.delimiter ?? ',',
    lineEnding: source.lineEnding === 'CRLF' ? '\r\n' : source.lineEnding === 'CR' ? '\r' : '\n',
    bom: source.encoding !== 'utf8',
  };
}

/** One results row before escaping. */
export interface ResultRow {
  line: number;
  status: RowStatus;
  id?: number | undefined;
  error?: string | undefined;
  /** `_code`: the kind of failure (see RESULT_CODES); empty when the row succeeded. */
  code?: ResultCode | undefined;
  /** Plan only, `would-update` rows: `field: old -> new` pairs separated by `; ` (the `_changes` column). */
  changes?: string | undefined;
  /**
   * When a create whose outcome stayed unknown was first sent (epoch ms): machine state for `--resume`, kept in the
   * results file's resume notes (see `resumeNotesPathFor`), not read back from `_error`.
   */
  sentAt?: number;
  cells: readonly string[];
  /** Carried over from the previous run by --resume (counted as skipped, not as created/updated). */
  carried?: boolean;
}

/** Results text written at once rather than after {@link FLUSH_MS}. */
const FLUSH_CHARS = 64 * 1024;
/**
 * How much written text the file stream holds before the reading loop waits for the disk. With the default 16 KiB
 * every {@link FLUSH_CHARS} write made a large validate wait for that write's round trip through the thread pool
 * (about 0.3 s idle of an 8 s run of 1,000,000 rows, `node --cpu-prof`); 1 MiB still bounds the memory.
 */
const WRITE_BUFFER_BYTES = 1024 * 1024;
/**
 * How long finished rows may wait before they are written. The results file is rewritten whole by every run and the
 * journal, not this file, records what a killed run applied, so waiting loses nothing; {@link ResultsWriter.close}
 * writes the rest.
 */
const FLUSH_MS = 200;

/**
 * Writes the results CSV in input order while rows finish in any order: a finished row waits in a reorder buffer
 * until every row before it is written. The caller bounds how far reading runs ahead of writing, so the buffer
 * never holds more than that window. The file is opened on the first row, so a run that stops before any row
 * leaves no half file.
 */
export class ResultsWriter {
  private stream: fs.WriteStream | undefined;
  private failure: Error | undefined;
  private readonly waiting = new Map<number, string>();
  private nextSeq = 0;
  /** First-sent times of rows whose create's outcome stayed unknown, by line (see {@link ResultRow.sentAt}). */
  private readonly sentTimes = new Map<number, number>();
  /** Rows in input order, handed to the file in chunks (one write per row costs more than formatting it). */
  private readonly batch = new TextBatch((text) => this.open().write(text), FLUSH_CHARS, FLUSH_MS);

  /** `withChanges`: a plan's file, with the `_changes` column after `_code`. */
  constructor(
    readonly path: string,
    private readonly inputHeader: readonly string[],
    private readonly dialect: ResultsDialect = DEFAULT_RESULTS_DIALECT,
    private readonly withChanges = false,
  ) {}

  /** Rows written so far. */
  get written(): number {
    return this.nextSeq;
  }

  /** Hands in the row with sequence number `seq` (0-based position among the data records). */
  put(seq: number, row: ResultRow): void {
    if (row.sentAt !== undefined) this.sentTimes.set(row.line, row.sentAt);
    if (seq !== this.nextSeq) {
      this.waiting.set(seq, formatResultRow(row, this.dialect, this.withChanges));
      return;
    }
    let text = formatResultRow(row, this.dialect, this.withChanges);
    this.nextSeq++;
    for (
      let next = this.waiting.get(this.nextSeq);
      next !== undefined;
      next = this.waiting.get(this.nextSeq)
    ) {
      this.waiting.delete(this.nextSeq);
      this.nextSeq++;
      text += next;
    }
    this.batch.add(text);
  }

  /** True when the file stream's buffer is full or writing failed: call {@link drain} before reading on. */
  get needsDrain(): boolean {
    return this.failure !== undefined || this.stream?.writableNeedDrain === true;
  }

  /** Waits while the file stream's buffer is full (backpressure for the reading loop). */
  async drain(): Promise<void> {
    this.batch.flush();
    this.check();
    const stream = this.stream;
    if (stream?.writableNeedDrain) await once(stream, 'drain');
    this.check();
  }

  /** Writes the header if nothing was written yet, flushes and closes the file. */
  async close(): Promise<void> {
    this.batch.flush();
    const stream = this.open();
    stream.end();
    try {
      await finished(stream);
    } catch (error) {
      this.failure ??= error instanceof Error ? error : new Error(String(error));
    }
    this.check();
    if (this.waiting.size > 0) throw new Error(`internal: ${this.waiting.size} results rows never written`);
    // Written after the results file is complete and before the journal goes: a kill in between leaves the journal.
    if (this.sentTimes.size > 0) writeResumeNotes(this.path, this.sentTimes);
  }

  private open(): fs.WriteStream {
    if (this.stream) return this.stream;
    // The notes of an earlier run into this file describe rows this run replaces.
    fs.rmSync(resumeNotesPathFor(this.path), { force: true });
    const stream = fs.createWriteStream(this.path, { encoding: 'utf8', highWaterMark: WRITE_BUFFER_BYTES });
    stream.on('error', (error) => {
      this.failure ??= error;
    });
    const lead = this.withChanges ? [...RESULT_COLUMNS, PLAN_CHANGES_COLUMN] : RESULT_COLUMNS;
    const header = [...lead, ...this.inputHeader].map(escapeFormula);
    stream.write((this.dialect.bom ? '\uFEFF' : '') + formatLine(header, this.dialect, false));
    this.stream = stream;
    return stream;
  }

  private check(): void {
    if (this.failure) {
      throw new InputError(
        'RESULTS_UNWRITABLE',
        `cannot write the results file: ${errorText(this.failure)}`,
        {
          file: this.path,
        },
      );
    }
  }
}

/** One CSV line in the dialect (formatCsvRow writes `,` and LF). */
function formatLine(cells: readonly string[], dialect: ResultsDialect, excelSafe: boolean): string {
  const line = formatCsvRow(cells, { delimiter: dialect.delimiter, excelSafe });
  return dialect.lineEnding === '\n' ? line : line.slice(0, -1) + dialect.lineEnding;
}

/** A plan's extra results column, after `_code`. */
export const PLAN_CHANGES_COLUMN = '_changes';

function formatResultRow(row: ResultRow, dialect: ResultsDialect, withChanges: boolean): string {
  const error = row.error === undefined ? '' : oneLine(row.error);
  const lead = [
    numberText(row.line),
    row.status,
    row.id === undefined ? '' : numberText(row.id),
    error,
    row.code ?? '',
  ];
  if (withChanges) lead.push(row.changes === undefined ? '' : oneLine(row.changes));
  const cells = [...lead, ...row.cells];
  return formatLine(cells, dialect, true);
}

/** `_error` is one line: Coupa messages and CSV cells may carry newlines. */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
