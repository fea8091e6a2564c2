import * as fs from 'node:fs';
import { escapeFormula, openCsv } from '../csv/index.js';
import { InputError } from '../shared/errors.js';
import { readJournal, type JournalHeader, type JournalState } from './journal.js';

/** The fixed leading columns of every results file. */
export const RESULT_COLUMNS = ['_line', '_status', '_id', '_error'] as const;
/** How the `_error` of a row that was never sent begins. */
export const NOT_SENT = 'not sent: ';

/**
 * The end of an `outcome unknown` error whose create may be looked up by key: when it was first sent, so that a
 * resume can tell a record created by it from an older one with the same key.
 */
export function sentAtNote(sentAt: number): string {
  return ` (first sent ${new Date(sentAt).toISOString()})`;
}

function sentSinceIn(error: string): number | undefined {
  const m = / \(first sent (\d{4}-\d{2}-\d{2}T[\d:.]+Z)\)$/.exec(error);
  const t = m ? Date.parse(m[1] as string) : NaN;
  return Number.isFinite(t) ? t : undefined;
}

/** What `--resume` carries over from the previous run. */
export interface ResumeState extends Omit<JournalState, 'header'> {
  /** Where it came from (for the notice). */
  source: 'journal' | 'results' | 'none';
}

/**
 * FNV-1a over the cells as the results file holds them (formula-escaped), separated by a NUL. `escaped`: the
 * cells were read back from a results file and are escaped already.
 */
export function hashCells(cells: readonly string[], escaped = false): number {
  let h = 0x811c9dc5;
  for (const raw of cells) {
    const cell = escaped ? raw : escapeFormula(raw);
    for (let i = 0; i < cell.length; i++) {
      h ^= cell.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h = Math.imul(h, 0x01000193); // the NUL separator: XOR with 0 leaves h as it is, only the multiply remains
  }
  return h >>> 0;
}

/**
 * Refuses to resume when a row the previous run applied (or may have applied) is not the same row of the input
 * any more: an edited input would otherwise put ids on the wrong rows and send moved rows again.
 */
export function checkRowUnchanged(
  state: ResumeState,
  line: number,
  cells: readonly string[],
  file: string,
): void {
  const expected = state.rowHashes?.get(line);
  if (expected === undefined || expected === hashCells(cells)) return;
  throw new InputError(
    'RESUME_MISMATCH',
    'cannot resume: this row differs from the one the previous run applied on this line (the input was edited, or rows were inserted or removed); resume with the unchanged file, or start a new results file',
    { file, line },
  );
}

/**
 * Loads the previous run's state: the journal when one exists (a run that was killed), else the results file
 * (a run that finished or was interrupted cleanly). Refuses a journal made for another input, object or mode, and
 * a results file with other columns than the input.
 */
export async function loadResumeState(options: {
  resultsPath: string;
  journalPath: string;
  header: JournalHeader;
  inputHeader: readonly string[];
}): Promise<ResumeState> {
  const journal = readJournal(options.journalPath);
  if (journal) {
    checkSameRun(journal.header, options.header, options.journalPath);
    return {
      source: 'journal',
      done: journal.done,
      uncertain: journal.uncertain,
      ...(journal.sentSince ? { sentSince: journal.sentSince } : {}),
      // Every row the killed run sent (applied or in flight): an edited one is refused like an applied one.
      ...(journal.rowHashes ? { rowHashes: journal.rowHashes } : {}),
    };
  }
  if (!fs.existsSync(options.resultsPath)) {
    return { source: 'none', done: new Map(), uncertain: new Map() };
  }
  return readResultsState(options.resultsPath, options.inputHeader);
}

function checkSameRun(previous: JournalHeader, current: JournalHeader, file: string): void {
  const differs: string[] = [];
  if (previous.input !== current.input) differs.push(`input ${previous.input}`);
  if (previous.object !== current.object) differs.push(`object ${previous.object}`);
  if (previous.mode !== current.mode) differs.push(`--mode ${previous.mode}`);
  if (differs.length > 0) {
    throw new InputError(
      'RESUME_MISMATCH',
      `cannot resume: the interrupted run used ${differs.join(', ')}; run it again with the same settings, or delete the journal to start over`,
      { file },
    );
  }
}

/** How a results file is read: as written (UTF-8, commas), its result columns repeated when the input was a results file. */
const RESULTS_FILE = { encoding: 'utf8', delimiter: ',', allowDuplicateHeaders: true } as const;

async function readResultsState(path: string, inputHeader: readonly string[]): Promise<ResumeState> {
  const source = await openCsv(path, RESULTS_FILE);
  const head = source.header.slice(0, RESULT_COLUMNS.length);
  if (head.join(',') !== RESULT_COLUMNS.join(',')) {
    throw new InputError(
      'RESUME_MISMATCH',
      `cannot resume: not a coupa-csv results file (no ${RESULT_COLUMNS.join(',')} columns)`,
      {
        file: path,
        line: 1,
      },
    );
  }
  const rest = source.header.slice(RESULT_COLUMNS.length);
  if (rest.length !== inputHeader.length || rest.some((h, i) => h !== escapeFormula(inputHeader[i] ?? ''))) {
    throw new InputError(
      'RESUME_MISMATCH',
      'cannot resume: the results file has other columns than the input, so it belongs to another file',
      { file: path, line: 1 },
    );
  }
  const state: ResumeState = {
    source: 'results',
    done: new Map(),
    uncertain: new Map(),
    rowHashes: new Map(),
    sentSince: new Map(),
  };
  for await (const record of source.records()) {
    const [lineCell = '', status = '', idCell = '', error = ''] = record.cells;
    const line = Number(lineCell);
    if (!Number.isInteger(line) || line < 2) continue;
    const id = Number(idCell);
    const hasId = idCell !== '' && Number.isInteger(id) && id > 0;
    if (
      ((status === 'created' || status === 'updated' || status === 'failed') && hasId) ||
      error.startsWith('outcome unknown')
    ) {
      // Cells as written (already escaped): hashed the way hashCells hashes escaped input cells.
      state.rowHashes?.set(line, hashCells(record.cells.slice(RESULT_COLUMNS.length), true));
    }
    if ((status === 'created' || status === 'updated') && hasId) {
      state.done.set(line, { status, id });
    } else if (status === 'failed' && hasId) {
      // Stored, but Coupa dropped a field: a resumed run updates this id instead of creating a duplicate.
      state.done.set(line, { status: 'failed', id });
    } else if (status === 'failed' && error.startsWith('outcome unknown')) {
      state.uncertain.set(line, 'unknown');
      const since = sentSinceIn(error);
      if (since !== undefined) state.sentSince?.set(line, since);
    }
  }
  return state;
}

/** The start of a results line: `_line`, `_status`, `_id` and the first characters of `_error` (maybe quoted). */
const RESULT_LINE = /^\d+,(created|updated|failed|valid|invalid),(\d*),"?(not sent: |outcome unknown)?/;

/** What a results line says about its row, read from the start of the line. */
type ResultKind = 'applied' | 'not-sent' | 'dry-run' | 'other';

/**
 * The kind of each row of `path`, if it is a coupa-csv results file (else nothing). Runs ask this of an existing
 * results file before their first request, so it does not parse the CSV (a cold csv-parse pass over a 3,000-row file
 * delayed the first request by ~100 ms): it streams the lines and reads the result columns at the start of each, which
 * coupa-csv writes unquoted (only `_error` may be quoted). A line inside a multi-line input cell would have to start
 * like a results line to be miscounted.
 */
async function* resultKinds(path: string): AsyncGenerator<ResultKind, void, undefined> {
  let first = true;
  let carry = '';
  try {
    for await (const chunk of fs.createReadStream(path, { encoding: 'utf8' })) {
      const lines = (carry + (chunk as string)).split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) {
        if (first) {
          first = false;
          if (!line.replace(/^\uFEFF/, '').startsWith(`${RESULT_COLUMNS[0]},${RESULT_COLUMNS[1]},`)) return;
          continue;
        }
        const m = RESULT_LINE.exec(line);
        if (!m) continue;
        const [, status, id, error] = m;
        // Created or updated, stored with a dropped field (an id), or maybe stored (outcome unknown).
        if (status === 'created' || status === 'updated' || id !== '' || error === 'outcome unknown')
          yield 'applied';
        else if (status === 'valid' || status === 'invalid') yield 'dry-run';
        else yield error === NOT_SENT ? 'not-sent' : 'other';
      }
    }
  } catch {
    // Not there, or not readable: not ours to protect.
  }
}

/**
 * True when `path` is a results file holding rows an import created or updated. A dry run must not replace such a
 * file: `--resume` relies on it to skip those rows.
 */
export async function holdsAppliedRows(path: string): Promise<boolean> {
  for await (const kind of resultKinds(path)) {
    // Only dry runs write valid/invalid, and a file is written by one run: no need to read a big file to its end.
    if (kind === 'dry-run') return false;
    if (kind === 'applied') return true;
  }
  return false;
}

/**
 * When `path` holds the results of an import that stopped before it sent every row (Ctrl-C, a stop on an error)
 * after applying some: how many of each. Running such an import again in create mode without `--resume` would
 * create the applied rows a second time.
 */
export async function unfinishedRun(path: string): Promise<{ applied: number; notSent: number } | undefined> {
  let applied = 0;
  let notSent = 0;
  for await (const kind of resultKinds(path)) {
    if (kind === 'dry-run') return undefined;
    if (kind === 'applied') applied++;
    else if (kind === 'not-sent') notSent++;
  }
  return applied > 0 && notSent > 0 ? { applied, notSent } : undefined;
}
