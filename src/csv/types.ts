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
}

/** One data record of the input. */
export interface CsvRecord {
  /** 1-based line of the input on which the record starts (the header is line 1). */
  line: number;
  /** Cells, as many as the header has (a ragged row is padded/cut and carries `error`). */
  cells: string[];
  /** Set when the record is malformed but the file is still readable (ragged row): the row fails with it. */
  error?: string;
}

/** An opened CSV input: header read, format detected, records streamed lazily. */
export interface CsvSource {
  file: string;
  header: string[];
  encoding: 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be' | 'windows-1252';
  delimiter: ',' | ';' | '\t' | '|';
  lineEnding: 'CRLF' | 'LF' | 'CR';
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
