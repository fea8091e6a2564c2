import * as fs from 'node:fs';
import { errorText, InputError } from '../shared/index.js';
import { TextBatch } from './text-batch.js';
import type { ImportMode } from './types.js';

/**
 * The append-only journal `<results>.journal`: the crash-safe record of what a run applied.
 *
 * Every line is one JSON object written with `fs.writeSync`, so it is in the kernel (and survives `kill -9`) as
 * soon as the call returns:
 * - first line, the header: `{"v":1,"input":"/abs/in.csv","object":101,"mode":"create","key":"vendor-code",
 *   "t":1764000000000}` (`t`: when the run started, before it sent anything);
 * - `{"s":12,"h":3141592}` before the first write request for the record on line 12 is sent (`h`: a hash of
 *   its cells, so that a resume notices an edited input);
 * - `{"d":12,"st":"created","id":345}` when it succeeded (`st` `failed` with an id: the record exists but Coupa
 *   dropped a field, so a resumed run updates that id instead of creating another);
 * - `{"f":12}` when Coupa definitely refused it (nothing stored: it may be sent again);
 * - `{"u":12}` when a create's outcome stayed unknown (no key to check).
 * A row carried over from an earlier run as uncertain keeps that run's start: `{"s":12,"h":...,"t":...}`.
 * A line sent but not finished is uncertain. The journal is deleted once the results file is complete.
 *
 * The `s` line is written before its request leaves, always. Outcome lines (`d`, `f`, `u`) ride along with the
 * next `s` write, or are written on the next turn of the event loop, whichever comes first: half the system calls
 * per row, and a `kill -9` can only lose the outcomes of that one turn, whose rows then count as in flight (with a
 * key, --resume looks them up; without one, they are named as uncertain).
 */
export interface JournalHeader {
  v: 1;
  input: string;
  object: number;
  mode: ImportMode;
  key?: string;
  /** When the run started (epoch ms): a record with the key created before it is not this run's. */
  t?: number;
}

export type DoneStatus = 'created' | 'updated' | 'failed';

/** What a previous run left behind, line by line. */
export interface JournalState {
  header: JournalHeader;
  /** Lines applied: status and instance id (`failed` = stored but a field was dropped). */
  done: Map<number, { status: DoneStatus; id: number }>;
  /** Lines whose create may or may not have been stored, with why. */
  uncertain: Map<number, 'in-flight' | 'unknown'>;
  /**
   * For uncertain lines, a time (epoch ms) before which their create was surely not sent yet (the start of the run
   * that sent it), when known: a record with the row's key created clearly earlier is someone else's.
   */
  sentSince?: Map<number, number>;
  /**
   * A hash of the input cells of every line sent (see `hashCells`), so that a resume can refuse an input whose
   * rows moved or changed since.
   */
  rowHashes?: Map<number, number>;
}

/** Path of the journal that belongs to a results file. */
export function journalPathFor(resultsPath: string): string {
  return `${resultsPath}.journal`;
}

/** Reads a journal; undefined when there is none. A torn last line (killed mid-write) is ignored. */
export function readJournal(path: string): JournalState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new InputError('UNREADABLE', `cannot read the journal: ${errorText(error)}`, { file: path });
  }
  const lines = text.split('\n');
  const first = parseLine(lines[0] ?? '');
  if (!isHeader(first)) {
    throw new InputError('JOURNAL', 'not a coupa-csv journal (bad header line); delete it to start over', {
      file: path,
      line: 1,
    });
  }
  const state: JournalState = {
    header: first,
    done: new Map(),
    uncertain: new Map(),
    rowHashes: new Map(),
    sentSince: new Map(),
  };
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const entry = parseLine(raw);
    if (entry === undefined) {
      // Only the last line can be torn by a kill; anything else is damage we must not guess around.
      if (i >= lines.length - 2) continue;
      throw new InputError('JOURNAL', 'damaged journal line; delete the journal to start over', {
        file: path,
        line: i + 1,
      });
    }
    applyEntry(state, entry);
  }
  return state;
}

function applyEntry(state: JournalState, entry: Record<string, unknown>): void {
  const line = entry.s ?? entry.d ?? entry.u;
  if (typeof line === 'number' && typeof entry.h === 'number') state.rowHashes?.set(line, entry.h);
  const since = typeof entry.t === 'number' ? entry.t : state.header.t;
  if (typeof line === 'number' && since !== undefined && (entry.s === line || entry.u === line))
    state.sentSince?.set(line, since);
  if (typeof entry.s === 'number') {
    if (!state.done.has(entry.s)) state.uncertain.set(entry.s, 'in-flight');
  } else if (typeof entry.u === 'number') {
    if (!state.done.has(entry.u)) state.uncertain.set(entry.u, 'unknown');
  } else if (typeof entry.f === 'number') {
    state.uncertain.delete(entry.f);
  } else if (typeof entry.r === 'number') {
    state.done.delete(entry.r);
  } else if (typeof entry.d === 'number' && typeof entry.id === 'number') {
    const st = entry.st;
    if (st === 'created' || st === 'updated' || st === 'failed') {
      state.done.set(entry.d, { status: st, id: entry.id });
      state.uncertain.delete(entry.d);
    }
  }
}

/** The open journal of the current run. All writes are synchronous on purpose (see the file comment). */
export class Journal {
  private constructor(
    readonly path: string,
    private fd: number | undefined,
  ) {
    // A process that exits on purpose mid-run (a second Ctrl-C) still writes the outcome lines waiting.
    process.once('exit', this.flushOnExit);
  }

  private readonly flushOnExit = (): void => this.flush();

  /** Outcome lines waiting for the next `sent` line or the next turn of the event loop. */
  private readonly outcomes = new TextBatch((text) => {
    if (this.fd !== undefined) fs.writeSync(this.fd, text);
  });

  /**
   * Starts a journal: header plus the state carried over from a previous run, written to `<path>.tmp` and renamed
   * over `path`, so a kill at any moment leaves either the old journal or the complete new one.
   */
  static start(path: string, header: JournalHeader, carried?: Omit<JournalState, 'header'>): Journal {
    const parts = [JSON.stringify(header)];
    if (carried) {
      const h = (line: number): { h?: number } => {
        const hash = carried.rowHashes?.get(line);
        return hash === undefined ? {} : { h: hash };
      };
      for (const [line, d] of carried.done) {
        parts.push(JSON.stringify({ d: line, st: d.status, id: d.id, ...h(line) }));
      }
      for (const [line, why] of carried.uncertain) {
        // Sent by an earlier run, not this one: its own start, or 0 (unknown) rather than this run's header time.
        const t = { t: carried.sentSince?.get(line) ?? 0 };
        parts.push(
          JSON.stringify(why === 'unknown' ? { u: line, ...h(line), ...t } : { s: line, ...h(line), ...t }),
        );
      }
    }
    const tmp = `${path}.tmp`;
    try {
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fd, parts.join('\n') + '\n');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, path);
      return new Journal(path, fs.openSync(path, 'a'));
    } catch (error) {
      throw new InputError('RESULTS_UNWRITABLE', `cannot write the journal: ${errorText(error)}`, {
        file: path,
      });
    }
  }

  /** Before the first write request of a row is sent; `hash` identifies the row's cells (`hashCells`). */
  sent(line: number, hash: number): void {
    this.append({ s: line, h: hash });
  }

  /** A row applied (or stored with a dropped field: `failed` with its id). */
  done(line: number, status: DoneStatus, id: number): void {
    this.appendSoon({ d: line, st: status, id });
  }

  /** Coupa refused the row: nothing stored. */
  refused(line: number): void {
    this.appendSoon({ f: line });
  }

  /**
   * A row carried over from the run being resumed that this run sends again (after an earlier row of its record):
   * no longer applied as far as a later resume is concerned. Written before that earlier row's outcome can be.
   */
  reapplied(line: number): void {
    this.appendSoon({ r: line });
  }

  /** A create whose outcome stayed unknown. */
  unknown(line: number): void {
    this.appendSoon({ u: line });
  }

  close(): void {
    this.flush();
    process.off('exit', this.flushOnExit);
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }

  /** After the results file is complete: the journal is no longer needed. */
  remove(): void {
    this.close();
    fs.rmSync(this.path, { force: true });
  }

  /** A `sent` line goes to the kernel now, with any outcome lines waiting before it. */
  private append(entry: Record<string, unknown>): void {
    if (this.fd === undefined) return;
    fs.writeSync(this.fd, this.outcomes.take() + JSON.stringify(entry) + '\n');
  }

  /** Outcome lines wait for the next `sent` line or the next turn of the event loop. */
  private appendSoon(entry: Record<string, unknown>): void {
    if (this.fd !== undefined) this.outcomes.add(JSON.stringify(entry) + '\n');
  }

  /** Writes the waiting outcome lines now. */
  flush(): void {
    this.outcomes.flush();
  }
}

function parseLine(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function isHeader(
  value: Record<string, unknown> | undefined,
): value is Record<string, unknown> & JournalHeader {
  return (
    value !== undefined &&
    value.v === 1 &&
    typeof value.input === 'string' &&
    typeof value.object === 'number' &&
    (value.mode === 'create' || value.mode === 'update' || value.mode === 'upsert') &&
    (value.key === undefined || typeof value.key === 'string')
  );
}

function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}
