// Shapes the server sends the page, written once for both: the server (Node) and the page (src/ui/page, compiled
// for the browser) import these types. Types only and no imports, so that the page's compile reads nothing else.

/** What the page shows after a spreadsheet was chosen. */
export interface UploadInfo {
  id: string;
  name: string;
  size: number;
  encoding: string;
  delimiter: string;
  lineEnding: string;
  header: string[];
  rows: number;
  /** The first data rows (cells as read). */
  preview: string[][];
  /** A mapping document guessed from the header and the first rows (field names from the column names, types). */
  suggested: unknown;
  /** For a workbook: its worksheets, the one read, and the line (sheet row) of the header found or chosen. */
  workbook?: { sheets: string[]; sheet: string; headerRow: number };
  /** In the answer to a correction: the name of the file the copy was made from, and how many cells changed. */
  correctedFrom?: string;
  changed?: number;
}

/** What the page sees of an export, pushed over Server-Sent Events. */
export interface ExportState {
  id: string;
  state: 'running' | 'done' | 'stopped' | 'error';
  records: number;
  elapsedMs: number;
  /** The download name of the file. */
  name: string;
  columns?: number;
  error?: string;
  notices: string[];
}

/** One row of a results file as the page's grids show it. */
export interface ResultRow {
  line: number;
  status: string;
  id: string;
  error: string;
  code: string;
  /** Plan: the fields a run would change (`field: old -> new`, separated by `; `), from the `_changes` column. */
  changes?: string;
  cells: string[];
}

/** The answer of `GET /api/imports/<id>/rows`. */
export interface ResultRows {
  header: string[];
  rows: ResultRow[];
  /** How many rows of the file matched the filter (`rows` holds the first of them). */
  matching: number;
  total: number;
}
