import type { TypedCell } from '../shared/index.js';

export type EncodingOption = 'auto' | 'utf8' | 'utf16le' | 'windows-1252';
export type DelimiterOption = 'auto' | ',' | ';' | '\t' | '|';

export interface CsvReadOptions {
  encoding?: EncodingOption;
  delimiter?: DelimiterOption;
  /**
   * Accept a header that names two columns alike (by default an error: a mapping could not tell them apart). For
   * imports, which refuse only the repeated names their mapping reads, and for results files, whose result columns
   * repeat when the input was itself a results file.
   */
  allowDuplicateHeaders?: boolean;
  /**
   * Column names the caller will look for (a mapping's): with `delimiter: 'auto'`, a delimiter under which the header
   * holds more of them wins over the most frequent one on the header line.
   */
  columns?: readonly string[];
  /**
   * `--header-row`: the line holding the header; the lines above it are skipped (records keep the file's line
   * numbers). Without it, a title line above the header is recognised when `columns` are given (header-row.ts).
   */
  headerRow?: number;
  /** For an `.xlsx` input (openInput): the worksheet to read; the first one when absent. */
  sheet?: string;
}

/** One data record of the input. */
export interface CsvRecord {
  /** 1-based line of the input on which the record starts (the header is line 1). */
  line: number;
  /** Cells, as many as the header has (a ragged row is padded/cut and carries `error`). */
  cells: string[];
  /** Set when the record is malformed but the file is still readable (ragged row): the row fails with it. */
  error?: string;
  /** From a spreadsheet (`.xlsx`): each cell's typed value (undefined for text cells), as long as `cells`. */
  typed?: readonly (TypedCell | undefined)[];
}

/** An opened CSV input: header read, format detected, records streamed lazily. */
export interface CsvSource {
  file: string;
  header: string[];
  /** `xlsx`: a workbook (see `sheet`); delimiter and line ending then describe nothing and are `,` and LF. */
  encoding: 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be' | 'windows-1252' | 'xlsx';
  delimiter: ',' | ';' | '\t' | '|';
  lineEnding: 'CRLF' | 'LF' | 'CR';
  /** The line (sheet row) of the header: 1 unless lines above it were skipped. */
  headerLine?: number;
  /** Set when the header was found below a title line: which line was taken, for the user. */
  headerNote?: string;
  /** For a workbook: the worksheet read. */
  sheet?: string;
  /**
   * Streams the data records from the start of the file (each call reads it again); throws InputError for a file
   * that stops being readable (unclosed quote).
   */
  records(): AsyncIterable<CsvRecord>;
  /**
   * The same records in arrays of whatever the parser has ready (up to one read chunk's worth): one await per
   * batch instead of one per record, for loops that handle a million rows.
   */
  batches(options?: BatchOptions): AsyncIterable<CsvRecord[]>;
}

export interface BatchOptions {
  /**
   * Bytes read (and parsed in one go) at a time. Default 64 KiB, the fastest for a whole-file pass; smaller chunks
   * hand out the first records sooner and hold the event loop for less time at once.
   */
  chunkBytes?: number;
}
