import * as fs from 'node:fs';
import { basename } from 'node:path';
import { escapeFormula, openCsv } from '../csv/index.js';
import { InputError } from '../shared/index.js';
import { readJournal, type JournalHeader, type JournalState } from './journal.js';
import type { ResultCode } from './result-codes.js';

/** The fixed leading columns of every results file. */
export const RESULT_COLUMNS = ['_line', '_status', '_id', '_error', '_code'] as const;
/** The leading columns of results files written before `_code` existed (still resumable: see the legacy path). */
const LEGACY_RESULT_COLUMNS = ['_line', '_status', '_id', '_error'] as const;
/** How the `_error` of a row that was never sent begins (for people: resume reads `_code`). */
export const NOT_SENT = 'not sent: ';

/**
 * The end of an `outcome unknown` error whose create may be looked up by key, for people: when it was first sent.
 * A resume reads that time from the resume notes (see {@link resumeNotesPathFor}), not from this text.
 */
export function sentAtNote(sentAt: number): string {
  return ` (first sent ${new Date(sentAt).toISOString()})`;
}

/**
 * `<results>.resume.json`: machine state of a complete results file that does not fit its columns. Today one thing:
 * when each create whose outcome stayed unknown was first sent (`{"v":1,"firstSent":{"12":1764000000000}}`), so that
 * a resume can tell a record created by it from an older one with the same key. Removed when a run starts writing the
 * results file, written when it completes it (before the journal is removed, so a kill in between leaves the journal,
 * which holds the same times). Without it (copied elsewhere, deleted) a resume knows no first-sent time for those
 * rows and takes a single record with the row's key for the row's own.
 */
export function resumeNotesPathFor(resultsPath: string): string {
  return `${resultsPath}.resume.json`;
}

/** Writes the resume notes of a complete results file (see {@link resumeNotesPathFor}). */
export function writeResumeNotes(resultsPath: string, firstSent: ReadonlyMap<number, number>): void {
  const notes = { v: 1, firstSent: Object.fromEntries(firstSent) };
  fs.writeFileSync(resumeNotesPathFor(resultsPath), JSON.stringify(notes) + '\n');
}

/** The first-sent times of the resume notes beside a results file; empty when there are none or they are unreadable. */
function readResumeNotes(resultsPath: string): Map<number, number> {
  const times = new Map<number, number>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(resumeNotesPathFor(resultsPath), 'utf8'));
  } catch {
    return times;
  }
  const firstSent = (parsed as { firstSent?: unknown } | null)?.firstSent;
  if (typeof firstSent !== 'object' || firstSent === null) return times;
  for (const [line, t] of Object.entries(firstSent)) {
    if (typeof t === 'number' && Number.isFinite(t)) times.set(Number(line), t);
  }
  return times;
}

/**
 * LEGACY PATH (results files written before `_code` existed): the only place that reads the wording of `_error`.
 * Returns the `_code` the row would have today for what resume needs (`not-sent`, `outcome-unknown`), and the
 * first-sent time such files kept at the end of `_error`.
 */
export function readLegacyError(error: string): { code: ResultCode | undefined; sentAt: number | undefined } {
  let code: ResultCode | undefined;
  if (error.startsWith('outcome unknown')) code = 'outcome-unknown';
  else if (error.startsWith(NOT_SENT)) code = 'not-sent';
  const m = / \(first sent (\d{4}-\d{2}-\d{2}T[\d:.]+Z)\)$/.exec(error);
  const t = m ? Date.parse(m[1] as string) : NaN;
  return { code, sentAt: Number.isFinite(t) ? t : undefined };
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
// Written in the input's dialect: any delimiter, UTF-8 with or without a BOM.
const RESULTS_FILE = {
  encoding: 'utf8',
  delimiter: 'auto',
  allowDuplicateHeaders: true,
  columns: ['_line', '_status', '_id', '_error'],
} as const;

/** True when `header` is `columns` followed by the input's header (as the results file escapes it). */
function resultsHeaderIs(
  header: readonly string[],
  columns: readonly string[],
  inputHeader: readonly string[],
): boolean {
  if (header.length !== columns.length + inputHeader.length) return false;
  if (columns.some((c, i) => header[i] !== c)) return false;
  return inputHeader.every((h, i) => header[columns.length + i] === escapeFormula(h));
}

async function readResultsState(path: string, inputHeader: readonly string[]): Promise<ResumeState> {
  const source = await openCsv(path, RESULTS_FILE);
  // A legacy file (no `_code`) is told apart by its header matching the input after `_error` (an input may itself
  // have a column named `_code`).
  const current = resultsHeaderIs(source.header, RESULT_COLUMNS, inputHeader);
  const legacy = !current && resultsHeaderIs(source.header, LEGACY_RESULT_COLUMNS, inputHeader);
  if (!current && !legacy) checkResultsHeader(path, source.header);
  const lead = legacy ? LEGACY_RESULT_COLUMNS.length : RESULT_COLUMNS.length;
  const firstSent = legacy ? undefined : readResumeNotes(path);
  const state: ResumeState = {
    source: 'results',
    done: new Map(),
    uncertain: new Map(),
    rowHashes: new Map(),
    sentSince: new Map(),
  };
  for await (const record of source.records()) {
    const [lineCell = '', status = '', idCell = '', error = '', codeCell = ''] = record.cells;
    const line = Number(lineCell);
    if (!Number.isInteger(line) || line < 2) continue;
    let code: string = codeCell;
    let sentAt: number | undefined;
    if (legacy) ({ code = '', sentAt } = readLegacyError(error));
    else sentAt = firstSent?.get(line);
    const id = Number(idCell);
    const hasId = idCell !== '' && Number.isInteger(id) && id > 0;
    const uncertain = code === 'outcome-unknown';
    if (((status === 'created' || status === 'updated' || status === 'failed') && hasId) || uncertain) {
      // Cells as written (already escaped): hashed the way hashCells hashes escaped input cells.
      state.rowHashes?.set(line, hashCells(record.cells.slice(lead), true));
    }
    if ((status === 'created' || status === 'updated') && hasId && code === 'date-shifted') {
      // Stored with its dates shifted (no zone was set): sent again to that record, like a dropped field.
      state.done.set(line, { status: 'failed', id });
    } else if ((status === 'created' || status === 'updated') && hasId) {
      state.done.set(line, { status, id });
    } else if (status === 'failed' && hasId) {
      // Stored, but Coupa dropped a field: a resumed run updates this id instead of creating a duplicate.
      state.done.set(line, { status: 'failed', id });
    } else if (status === 'failed' && uncertain) {
      state.uncertain.set(line, 'unknown');
      if (sentAt !== undefined) state.sentSince?.set(line, sentAt);
    }
  }
  return state;
}

/** Why a results file whose header is neither form cannot be resumed from. */
function checkResultsHeader(path: string, header: readonly string[]): never {
  const head = header.slice(0, LEGACY_RESULT_COLUMNS.length);
  if (head.join(',') !== LEGACY_RESULT_COLUMNS.join(',')) {
    throw new InputError(
      'RESUME_MISMATCH',
      `cannot resume: not a coupa-csv results file (no ${RESULT_COLUMNS.join(',')} columns)`,
      {
        file: path,
        line: 1,
      },
    );
  }
  throw new InputError(
    'RESUME_MISMATCH',
    'cannot resume: the results file has other columns than the input, so it belongs to another file',
    { file: path, line: 1 },
  );
}

/** The start of a results line: `_line`, `_status`, `_id`, then `_error` (maybe quoted). */
const RESULT_LINES = new Map(
  [',', ';', '\t', '|'].map((d) => [
    d,
    new RegExp(`^\\d+\\${d}(created|updated|failed|valid|invalid)\\${d}(\\d*)\\${d}`),
  ]),
);

/**
 * What a results line says about its row, read from the start of the line. `created` is applied too (a row this
 * import created); `not-sent` also stands for `stopped` (both are sent by --resume).
 */
type ResultKind = 'created' | 'applied' | 'not-sent' | 'dry-run' | 'other';

/**
 * The `_code` cell of a results line whose `_error` starts at `from`: coupa-csv writes `_error` on one line, quoted
 * when it holds a comma or quote, and `_code` as a bare word.
 */
function codeAfterError(line: string, from: number, delimiter: string): string {
  const d = delimiter.charCodeAt(0);
  let i = from;
  if (line.charCodeAt(i) === 34 /* " */) {
    for (i++; i < line.length; i++) {
      if (line.charCodeAt(i) !== 34) continue;
      if (line.charCodeAt(i + 1) === 34) i++;
      else break;
    }
    i++; // past the closing quote
  } else {
    i = line.indexOf(delimiter, i);
    if (i < 0) return '';
  }
  if (line.charCodeAt(i) !== d) return '';
  const end = line.indexOf(delimiter, i + 1);
  return line.slice(i + 1, end < 0 ? line.length : end).replace(/\r$/, '');
}

/**
 * The kind of each row of `path`, if it is a coupa-csv results file (else nothing). Runs ask this of an existing
 * results file before their first request, so it does not parse the CSV (a cold csv-parse pass over a 3,000-row file
 * delayed the first request by ~100 ms): it streams the lines and reads the result columns at the start of each, which
 * coupa-csv writes unquoted (only `_error` may be quoted, on one line). A line inside a multi-line input cell would
 * have to start like a results line to be miscounted.
 */
async function* resultKinds(path: string): AsyncGenerator<ResultKind, void, undefined> {
  let first = true;
  let legacy = false;
  let delimiter = ',';
  let resultLine = RESULT_LINES.get(',') as RegExp;
  let carry = '';
  try {
    for await (const chunk of fs.createReadStream(path, { encoding: 'utf8' })) {
      const lines = (carry + (chunk as string)).split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) {
        if (first) {
          first = false;
          const header = line.replace(/^\uFEFF/, '').replace(/\r$/, '');
          // The results file is in its input's dialect: the delimiter is the character after `_line`.
          delimiter = header.charAt(RESULT_COLUMNS[0].length);
          const found = RESULT_LINES.get(delimiter);
          if (found === undefined) return;
          resultLine = found;
          if (!header.startsWith(`${RESULT_COLUMNS[0]}${delimiter}${RESULT_COLUMNS[1]}${delimiter}`)) return;
          const all = RESULT_COLUMNS.join(delimiter);
          legacy = !header.startsWith(`${all}${delimiter}`) && header !== all;
          continue;
        }
        const m = resultLine.exec(line);
        if (!m) continue;
        const [start, status, id] = m;
        const code = legacy
          ? (readLegacyError(line.slice(start.length).replace(/^"/, '')).code ?? '')
          : codeAfterError(line, start.length, delimiter);
        // Created or updated, stored with a dropped field (an id), or maybe stored (outcome unknown).
        if (status === 'created') yield 'created';
        else if (status === 'updated' || id !== '' || code === 'outcome-unknown') yield 'applied';
        else if (status === 'valid' || status === 'invalid') yield 'dry-run';
        else yield code === 'not-sent' || code === 'stopped' ? 'not-sent' : 'other';
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
    if (kind === 'applied' || kind === 'created') return true;
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
    if (kind === 'applied' || kind === 'created') applied++;
    else if (kind === 'not-sent') notSent++;
  }
  return applied > 0 && notSent > 0 ? { applied, notSent } : undefined;
}

/**
 * When `path` holds the results of an import that finished (every row has a final status: none left not sent) and
 * applied rows: how many it created, and how many it applied in all. Running it again in create mode would create
 * those records a second time.
 */
export async function finishedRun(path: string): Promise<{ created: number; applied: number } | undefined> {
  let created = 0;
  let applied = 0;
  for await (const kind of resultKinds(path)) {
    if (kind === 'dry-run' || kind === 'not-sent') return undefined;
    if (kind === 'created') created++;
    if (kind === 'applied' || kind === 'created') applied++;
  }
  return applied > 0 ? { created, applied } : undefined;
}

/**
 * The state a run starts from: with `--resume`, the previous run's (journal, else results file) and the notice that
 * says what is carried over (said once the input has been checked against it); without, an empty one.
 */
export async function startResume(options: {
  resume: boolean;
  resultsPath: string;
  journalPath: string;
  header: JournalHeader;
  inputHeader: readonly string[];
}): Promise<{ state: ResumeState; note: string | undefined }> {
  if (!options.resume) {
    return { state: { source: 'none', done: new Map(), uncertain: new Map() }, note: undefined };
  }
  const state = await loadResumeState(options);
  if (state.source === 'none') {
    return {
      state,
      note: `nothing to resume (no ${basename(options.resultsPath)} or journal): starting a full run`,
    };
  }
  const carried = [...state.done.values()].filter((d) => d.status !== 'failed').length;
  const repaired = state.done.size - carried;
  const note =
    `resuming from the ${state.source === 'journal' ? 'journal of a killed run' : 'results file'}: ${carried} rows already applied are carried over` +
    (repaired > 0
      ? `, ${repaired} stored with a problem (a dropped field, shifted dates) are sent again to their record`
      : '') +
    (state.uncertain.size > 0 ? `, ${state.uncertain.size} rows have an uncertain outcome` : '');
  return { state, note };
}
