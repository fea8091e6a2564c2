import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { once } from 'node:events';
import iconv from 'iconv-lite';
import type { CsvSource } from '../csv/index.js';

/** One cell the user corrected: the record starting on `line` (header: line 1), column `column` (0-based). */
export interface CellEdit {
  line: number;
  column: number;
  value: string;
  /** The cell as the user saw it: the copy is refused when the file says something else there. */
  was?: string;
}

export interface CorrectedCopyOptions {
  source: string;
  target: string;
  edits: readonly CellEdit[];
  /** The input's dialect, as the CSV reader detected it. */
  encoding: CsvSource['encoding'];
  delimiter: CsvSource['delimiter'];
}

export interface CorrectedCopyResult {
  /** Cells whose text changed. */
  changed: number;
}

/** A correction that cannot be written, in words for the page. */
export class CorrectionError extends Error {}

/** A workbook (`xlsx`) is not corrected as text: the page offers its corrections for CSV files only. */
const ICONV_NAMES: Record<Exclude<CsvSource['encoding'], 'xlsx'>, string> = {
  utf8: 'utf8',
  'utf8-bom': 'utf8',
  utf16le: 'utf16le',
  utf16be: 'utf16be',
  'windows-1252': 'windows1252',
};

/**
 * Writes a copy of a CSV file with some cells changed and everything else as it was: the same encoding and byte
 * order mark, delimiter, quoting and line endings; the records nobody edited are copied character for character,
 * and in an edited record only the edited cells are written anew. Streams the file (any size).
 *
 * @throws CorrectionError for an edit of a line or column the file does not have, a cell that no longer holds
 *   what the user saw, or a character the file's encoding cannot hold
 */
export async function writeCorrectedCopy(options: CorrectedCopyOptions): Promise<CorrectedCopyResult> {
  const byLine = new Map<number, CellEdit[]>();
  for (const edit of options.edits) {
    if (!Number.isInteger(edit.line) || edit.line < 2)
      throw new CorrectionError(`there is no row ${edit.line}`);
    byLine.set(edit.line, [...(byLine.get(edit.line) ?? []), edit]);
  }
  if (options.encoding === 'xlsx') {
    throw new CorrectionError(
      'a workbook cannot be corrected here: correct the cell in Excel and choose the file again',
    );
  }
  const iconvName = ICONV_NAMES[options.encoding];
  for (const edit of options.edits) {
    if (
      options.encoding === 'windows-1252' &&
      iconv.decode(iconv.encode(edit.value, iconvName), iconvName) !== edit.value
    ) {
      throw new CorrectionError(
        `row ${edit.line}: "${edit.value}" holds a character that this file's encoding (Windows-1252) cannot hold`,
      );
    }
  }
  const bom = await readBom(options.source, options.encoding);
  const out = createWriteStream(options.target, { mode: 0o600 });
  const write = async (text: string): Promise<void> => {
    if (text === '') return;
    if (!out.write(iconv.encode(text, iconvName))) await once(out, 'drain');
  };
  let changed = 0;
  const seen = new Set<number>();
  const scanner = new RecordScanner(options.delimiter);
  const emit = async (raw: string, line: number): Promise<void> => {
    const edits = byLine.get(line);
    if (!edits) return write(raw);
    seen.add(line);
    const { body, end } = splitTerminator(raw);
    const cells = splitRawCells(body, options.delimiter);
    for (const edit of edits) {
      const cell = cells[edit.column];
      if (cell === undefined) throw new CorrectionError(`row ${line} has no column ${edit.column + 1}`);
      const before = unquote(cell);
      if (edit.was !== undefined && before !== edit.was) {
        throw new CorrectionError(
          `row ${line} no longer holds "${edit.was}" in that column: choose the file again`,
        );
      }
      if (before === edit.value) continue;
      cells[edit.column] = quoteCell(edit.value, options.delimiter, cell.startsWith('"'));
      changed++;
    }
    return write(cells.join(options.delimiter) + end);
  };
  try {
    if (bom.length > 0) out.write(bom);
    const input = createReadStream(options.source, { start: bom.length }).pipe(iconv.decodeStream(iconvName));
    for await (const chunk of input as AsyncIterable<string>) {
      for (const [raw, line] of scanner.push(chunk)) await emit(raw, line);
    }
    for (const [raw, line] of scanner.end()) await emit(raw, line);
    const missing = [...byLine.keys()].filter((l) => !seen.has(l));
    if (missing.length > 0) throw new CorrectionError(`the file has no row ${missing.join(', ')}`);
  } catch (error) {
    // No half-written copy is left behind.
    out.end();
    await once(out, 'close').catch(() => undefined);
    await rm(options.target, { force: true });
    throw error;
  }
  out.end();
  await once(out, 'finish');
  return { changed };
}

async function readBom(path: string, encoding: CsvSource['encoding']): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(3);
    const { bytesRead } = await handle.read(head, 0, 3, 0);
    const bytes = head.subarray(0, bytesRead);
    if (encoding === 'utf8-bom' && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes;
    if (encoding === 'utf16le' && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(0, 2);
    if (encoding === 'utf16be' && bytes[0] === 0xfe && bytes[1] === 0xff) return bytes.subarray(0, 2);
    return Buffer.alloc(0);
  } finally {
    await handle.close();
  }
}

/**
 * Cuts decoded CSV text into raw records (each with its line ending) and the line each starts on. A quote opens a
 * quoted cell only at the start of a cell (as the reader reads them); line breaks inside quotes stay in the record.
 */
export class RecordScanner {
  private record = '';
  private line = 1;
  private startLine = 1;
  private inQuotes = false;
  private cellQuoted = false;
  private cellStart = true;
  private afterCr = false;
  private prevCr = false;

  constructor(private readonly delimiter: string) {}

  push(text: string): Array<[string, number]> {
    const done: Array<[string, number]> = [];
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.afterCr) {
        this.afterCr = false;
        if (c === '\n') {
          // The LF of a CRLF ending: the line was counted at the CR.
          this.prevCr = false;
          done.push([this.record + text.slice(from, i + 1), this.startLine]);
          this.record = '';
          from = i + 1;
          this.startRecord();
          continue;
        }
        done.push([this.record + text.slice(from, i), this.startLine]);
        this.record = '';
        from = i;
        this.startRecord();
      }
      // Lines as the reader counts them: CRLF, LF and a lone CR each end one, inside quotes too.
      if (c === '\r' || (c === '\n' && !this.prevCr)) this.line++;
      this.prevCr = c === '\r';
      if (c === '\r' || c === '\n') {
        if (this.inQuotes) continue;
        if (c === '\r') {
          this.afterCr = true;
          continue;
        }
        done.push([this.record + text.slice(from, i + 1), this.startLine]);
        this.record = '';
        from = i + 1;
        this.startRecord();
        continue;
      }
      if (c === '"') {
        if (this.cellStart) {
          this.cellQuoted = true;
          this.inQuotes = true;
        } else if (this.cellQuoted) {
          this.inQuotes = !this.inQuotes;
        }
        this.cellStart = false;
        continue;
      }
      if (c === this.delimiter && !this.inQuotes) {
        this.cellStart = true;
        this.cellQuoted = false;
        continue;
      }
      this.cellStart = false;
    }
    this.record += text.slice(from);
    return done;
  }

  end(): Array<[string, number]> {
    const rest = this.record;
    this.record = '';
    return rest === '' ? [] : [[rest, this.startLine]];
  }

  private startRecord(): void {
    this.startLine = this.line;
    this.inQuotes = false;
    this.cellQuoted = false;
    this.cellStart = true;
  }
}

function splitTerminator(raw: string): { body: string; end: string } {
  const end = /\r\n$|\r$|\n$/.exec(raw)?.[0] ?? '';
  return { body: raw.slice(0, raw.length - end.length), end };
}

/** The cells of one raw record, each as written (quotes included). */
export function splitRawCells(body: string, delimiter: string): string[] {
  const cells: string[] = [];
  let start = 0;
  let inQuotes = false;
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') {
      if (i === start) {
        quoted = true;
        inQuotes = true;
      } else if (quoted) inQuotes = !inQuotes;
    } else if (c === delimiter && !inQuotes) {
      cells.push(body.slice(start, i));
      start = i + 1;
      quoted = false;
    }
  }
  cells.push(body.slice(start));
  return cells;
}

function unquote(cell: string): string {
  if (cell.length >= 2 && cell.startsWith('"') && cell.endsWith('"'))
    return cell.slice(1, -1).replace(/""/g, '"');
  return cell;
}

/** A cell's new text: quoted when it must be (or when the cell it replaces was). */
function quoteCell(value: string, delimiter: string, wasQuoted: boolean): string {
  const must = value.includes(delimiter) || /["\r\n]/.test(value) || value !== value.trim();
  return must || wasQuoted ? `"${value.replace(/"/g, '""')}"` : value;
}
