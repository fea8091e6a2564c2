/**
 * The `.xlsx` reader: a workbook's sheet list, and one sheet's rows streamed with their text and typed values. The
 * zip is read by its central directory (xlsx-zip.ts), so a part is read without the others and in any order: the
 * sheet list reads only the workbook part, and the shared strings (which Excel writes after the sheets) are read
 * before the sheet without copying anything to disk. Workbooks are written by xlsx-writer.ts (xlsx-results.ts).
 */
import { stat } from 'node:fs/promises';
import { errorText, hint, InputError } from '../shared/index.js';
import { SheetParser } from './xlsx-sheet.js';
import {
  NotAWorkbookError,
  readCellFormats,
  readSharedStrings,
  readWorkbookParts,
  type WorkbookParts,
} from './xlsx-workbook.js';
import { SpillError, type SharedStrings, type SharedStringsOptions } from './xlsx-strings.js';
import { readZipDirectory, streamZipEntry, ZipFormatError, type ZipDirectory } from './xlsx-zip.js';

import type { TypedCell } from '../shared/index.js';

export type { TypedCell } from '../shared/index.js';
export {
  denoise,
  formatKind,
  formatNumber,
  readCell,
  readIsoDate,
  serialToWallClock,
  type ReadCell,
} from './xlsx-cells.js';

/** One non-blank row of the chosen sheet. */
export interface XlsxRow {
  /** The sheet's row number (1-based): the `_line` of the results file. Blank rows are skipped but counted. */
  line: number;
  /** Each cell's text as Excel shows it (see {@link readCell}); as long as the row's last filled column. */
  cells: string[];
  /** The typed value of each cell (undefined for text, blank and error cells); as long as `cells`. */
  typed: (TypedCell | undefined)[];
}

export interface XlsxOpenOptions {
  /** The worksheet to read (`--sheet`); the first one of the workbook when absent. */
  sheet?: string;
  /**
   * Where the shared-string table goes past its memory limit (2 MiB by default; then a temporary file in the system's
   * temporary folder, with a few blocks cached).
   */
  sharedStrings?: SharedStringsOptions;
}

/** An opened workbook: its sheet chosen, rows streamed lazily. */
export interface XlsxSource {
  file: string;
  /** Every worksheet's name, in the workbook's order (the tabs as Excel shows them). */
  sheets: string[];
  /** The worksheet read. */
  sheet: string;
  /** The workbook counts days from 1904-01-01 (old Mac Excel) instead of 1900-01-00. */
  date1904: boolean;
  /**
   * Streams the chosen sheet's non-blank rows from the start of the sheet (each call reads it again), in constant
   * memory: the workbook's shared-string table, which every cell may refer to, is read by the first call and kept
   * for the next ones while the file is unchanged, in memory up to 2 MiB and past that in a temporary file
   * (xlsx-strings.ts). Leaving the loop early closes the file.
   */
  rows(): AsyncIterable<XlsxRow>;
}

/**
 * Opens an `.xlsx` workbook: reads its sheet list (the zip's directory, the workbook part and its relationships;
 * never a sheet), checks the sheet asked for and returns a source whose `rows()` streams that sheet. The shared
 * strings and styles are read by the first `rows()` and kept for the next ones while the file is unchanged.
 * @throws InputError NOT_FOUND (no such file, or no such sheet: the message names the sheets, with "did you mean"),
 *   UNREADABLE (not a workbook), EMPTY (0 bytes, or no worksheet).
 * @example
 * const source = await openXlsx('budget.xlsx', { sheet: 'Q1' });
 * for await (const row of source.rows()) console.log(row.line, row.cells, row.typed);
 */
export async function openXlsx(path: string, options: XlsxOpenOptions = {}): Promise<XlsxSource> {
  const book = new WorkbookFile(path, options.sharedStrings);
  const { parts } = await book.load();
  const sheets = parts.sheets.map((s) => s.name);
  if (sheets.length === 0) throw new InputError('EMPTY', 'the workbook has no worksheet', { file: path });
  let sheet = sheets[0] as string;
  if (options.sheet !== undefined) sheet = findSheet(path, sheets, options.sheet);
  return {
    file: path,
    sheets,
    sheet,
    date1904: parts.date1904,
    rows: () => readSheetRows(book, sheet),
  };
}

/** The names of a workbook's worksheets, in its order. */
export async function listXlsxSheets(path: string): Promise<string[]> {
  const { parts } = await new WorkbookFile(path).load();
  return parts.sheets.map((s) => s.name);
}

/** The sheet of that name, else of that name in another case or with spaces around. */
function findSheet(path: string, sheets: string[], wanted: string): string {
  const found =
    sheets.find((name) => name === wanted) ??
    sheets.find((name) => name.trim().toLowerCase() === wanted.trim().toLowerCase());
  if (found === undefined) {
    throw new InputError(
      'NOT_FOUND',
      `the workbook has no sheet ${JSON.stringify(wanted)}${hint(wanted, sheets)}`,
      {
        file: path,
      },
    );
  }
  return found;
}

interface LoadedWorkbook {
  /** Size and modification time when read: a file saved again since is read again. */
  stamp: string;
  zip: ZipDirectory;
  parts: WorkbookParts;
  /** The shared strings and the styles' number formats, read once for every pass over a sheet. */
  content?: Promise<{ strings: SharedStrings; formats: (string | undefined)[] }>;
}

/** A workbook file and what has been read of it. */
class WorkbookFile {
  private loaded: Promise<LoadedWorkbook> | undefined;

  constructor(
    readonly path: string,
    private readonly stringOptions: SharedStringsOptions = {},
  ) {}

  /** The zip directory and the workbook's parts, read again when the file changed since. @throws InputError */
  async load(): Promise<LoadedWorkbook> {
    const stamp = await checkFile(this.path);
    const current = this.loaded === undefined ? undefined : await this.loaded.catch(() => undefined);
    if (current !== undefined && current.stamp === stamp) return current;
    const loading = (async (): Promise<LoadedWorkbook> => {
      try {
        const zip = await readZipDirectory(this.path);
        return { stamp, zip, parts: await readWorkbookParts(this.path, zip) };
      } catch (error) {
        throw unreadable(this.path, error);
      }
    })();
    this.loaded = loading;
    return loading;
  }

  /** The shared strings and formats of a loaded workbook. @throws InputError */
  content(book: LoadedWorkbook): NonNullable<LoadedWorkbook['content']> {
    if (book.content !== undefined) return book.content;
    const content = (async () => {
      try {
        const [strings, formats] = await Promise.all([
          readSharedStrings(this.path, book.zip, book.parts.sharedStrings, this.stringOptions),
          readCellFormats(this.path, book.zip, book.parts.styles),
        ]);
        return { strings, formats };
      } catch (error) {
        throw unreadable(this.path, error);
      }
    })();
    book.content = content;
    // A failed read is not kept: the next pass tries again (and reports the error again).
    content.catch(() => {
      if (book.content === content) delete book.content;
    });
    return content;
  }
}

/** Checks the path names a non-empty file. @returns its size and modification time. @throws InputError */
async function checkFile(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (info.isDirectory())
      throw new InputError('UNREADABLE', 'this is a folder, not an .xlsx file', { file: path });
    if (info.size === 0) throw new InputError('EMPTY', 'the file is empty (0 bytes)', { file: path });
    return `${info.size}:${info.mtimeMs}`;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError('NOT_FOUND', 'file not found', { file: path });
    throw new InputError('UNREADABLE', `cannot read the file (${code ?? errorText(error)})`, {
      file: path,
    });
  }
}

function unreadable(path: string, error: unknown): InputError {
  if (error instanceof InputError) return error;
  if (error instanceof NotAWorkbookError || error instanceof SpillError)
    return new InputError('UNREADABLE', error.message, { file: path });
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new InputError('NOT_FOUND', 'file not found', { file: path });
  const why = error instanceof ZipFormatError ? error.message : errorText(error);
  return new InputError(
    'UNREADABLE',
    `cannot read the workbook: ${why} (is it an .xlsx file, saved by Excel or another spreadsheet?)`,
    { file: path },
  );
}

/**
 * Streams a sheet's rows: the part is inflated as the consumer asks for rows (a chunk of the file at a time), so
 * memory stays flat whatever the sheet's length. Leaving the loop early closes the file.
 */
async function* readSheetRows(book: WorkbookFile, sheet: string): AsyncGenerator<XlsxRow, void, undefined> {
  const path = book.path;
  const loaded = await book.load();
  const ref = loaded.parts.sheets.find((s) => s.name === sheet);
  // The file was saved again without that sheet since it was opened.
  if (ref === undefined)
    findSheet(
      path,
      loaded.parts.sheets.map((s) => s.name),
      sheet,
    );
  const entry = ref?.part === undefined ? undefined : loaded.zip.find(ref.part);
  if (entry === undefined) {
    throw new InputError('UNREADABLE', `the sheet ${JSON.stringify(sheet)} has no part in the workbook`, {
      file: path,
    });
  }
  const { strings, formats } = await book.content(loaded);
  const parser = new SheetParser({ strings, formats, date1904: loaded.parts.date1904 });
  const chunks = streamZipEntry(path, entry);
  try {
    for (;;) {
      let rows: XlsxRow[];
      let done: boolean;
      try {
        const next = await chunks.next();
        done = next.done === true;
        rows = next.done === true ? parser.end() : parser.write(next.value);
      } catch (error) {
        throw unreadable(path, error);
      }
      for (const row of rows) yield row;
      if (done) return;
    }
  } finally {
    await chunks.return(undefined);
  }
}
