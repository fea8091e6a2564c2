// What the page receives from its server and keeps while it runs. The shapes the server declares for both sides
// are in ../wire.ts; these are the page's view of the rest (the server's types there need Node).
import type { UploadInfo } from '../wire.js';

export type { ExportState, ResultRow, ResultRows, UploadInfo } from '../wire.js';

/** GET /api/info. */
export interface Info {
  instance: string;
  timezone: string | null;
  operators: string[];
  notAvailable: Record<string, string>;
}

/** How a column of the spreadsheet matched a field of the object (GET /api/fields). */
export interface ColumnSuggestion {
  column: string;
  match: 'exact' | 'close' | 'none';
  spec?: FieldSpecDoc;
  label?: string;
  note?: string;
}

/** GET /api/fields: the object's fields and, for the spreadsheet, a field for each column. */
export interface FieldsAnswer {
  objectId: number;
  records: number;
  fields: Array<{ name: string; type: string; label: string; keys?: string[]; example?: string }>;
  note?: string;
  suggestions?: { columns: ColumnSuggestion[]; unusedFields: string[] };
}

/** One column's entry of a mapping document, in its long form. */
export interface FieldSpecDoc {
  field?: string;
  type?: string;
  required?: boolean;
  format?: string;
  decimal?: string;
  by?: string;
  blank?: string;
  [other: string]: unknown;
}

/** The mapping as the page edits it: the YAML file's own structure. */
export interface MappingDoc {
  object?: number;
  timezone?: string;
  id?: string;
  key?: string;
  fields: Record<string, FieldSpecDoc>;
  [other: string]: unknown;
}

export interface Progress {
  done: number;
  total?: number;
  created: number;
  updated: number;
  failed: number;
  invalid: number;
  valid: number;
  skipped: number;
  unchanged?: number;
  elapsedMs: number;
  rowsPerSecond: number;
  etaSeconds?: number;
}

/** A validation, plan or import, as POST /api/imports answers and its progress stream pushes it. */
export interface JobState {
  id: string;
  kind: 'validate' | 'plan' | 'import';
  state: 'running' | 'done' | 'error';
  progress: Progress;
  notices: string[];
  summary?: {
    rows: number;
    interrupted: boolean;
    stopped?: { message: string };
    notSent: number;
    unchanged?: number;
    wouldCreate?: number;
    wouldUpdate?: number;
    /** For a workbook input: the download name of the `.xlsx` results file. */
    resultsXlsx?: string;
    results?: string;
  };
  error?: string;
}

/** A corrected cell, as POST /api/uploads/<id>/corrections takes it. */
export interface Edit {
  line: number;
  column: number;
  value: string;
  was: string;
}

/** The import tab's state: the spreadsheet, its mapping document, the last import (for Resume). */
export interface ImportState {
  upload?: UploadInfo;
  doc: MappingDoc;
  lastImport?: JobState;
  /** After "Suggest fields from Coupa": how each column (lower case) was matched. */
  matches?: Map<string, ColumnSuggestion>;
}
