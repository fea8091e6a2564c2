/**
 * The input of an import or a validate: a CSV file (open-csv.ts) or an `.xlsx` workbook (xlsx-input.ts), told apart
 * by the extension or the ZIP signature. The workbook reader is imported only for a workbook (and the results
 * workbook's writer only at the end of a workbook's run), so a CSV run does not pay for loading them.
 */
import { open } from 'node:fs/promises';
import { InputError } from '../shared/index.js';
import { openCsv } from './open-csv.js';
import type { CsvReadOptions, CsvSource } from './types.js';

/** An opened input; a workbook's can also write a typed `.xlsx` results file. */
export interface InputSource extends CsvSource {
  /**
   * For a workbook: writes `out` (`.xlsx`) from the results CSV `journal` of a run over this input, its input
   * columns typed again from the sheet. Absent for CSV input.
   */
  writeXlsxResults?: (journal: string, out: string) => Promise<{ rows: number }>;
}

/** True when `path` names a workbook: `.xlsx`/`.xlsm`, or a file starting with a ZIP signature. */
export async function isWorkbookFile(path: string): Promise<boolean> {
  if (/\.xls[xm]$/i.test(path)) return true;
  let handle;
  try {
    handle = await open(path, 'r');
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 3 && head[3] === 4;
  } catch {
    return false; // openCsv names the problem
  } finally {
    await handle?.close();
  }
}

/**
 * Opens a CSV file or an `.xlsx` workbook (its first sheet, or `options.sheet`) as records under a header.
 * @throws InputError as openCsv and openXlsx do.
 * @example
 * const source = await openInput('budget.xlsx', { sheet: 'Q1', columns: ['Cost centre'] });
 */
export async function openInput(path: string, options: CsvReadOptions = {}): Promise<InputSource> {
  if (!(await isWorkbookFile(path))) return openCsv(path, options);
  const { openXlsxInput } = await import('./xlsx-input.js');
  let opened;
  try {
    opened = await openXlsxInput(path, options);
  } catch (error) {
    // Taken for a workbook by its ZIP signature alone: to the user it is a file that is neither CSV nor a workbook.
    if (error instanceof InputError && error.code === 'UNREADABLE' && !/\.xls[xm]$/i.test(path)) {
      throw new InputError(
        'BINARY',
        'this is not a text CSV file: it contains binary data (a ZIP file, but not an .xlsx workbook that can be read)',
        { file: path },
      );
    }
    throw error;
  }
  const { source, workbook } = opened;
  return {
    ...source,
    writeXlsxResults: async (journal, out) => {
      const { rebuildXlsxResults } = await import('./xlsx-results.js');
      return rebuildXlsxResults({ journal, input: workbook, out });
    },
  };
}

/**
 * The sheet names of an `.xlsx` workbook, in workbook order (read from the workbook part alone, never a sheet). The
 * workbook reader is loaded on demand, so that nothing of it is read at start-up.
 */
export async function listXlsxSheets(path: string): Promise<string[]> {
  const { listXlsxSheets: list } = await import('./xlsx-source.js');
  return list(path);
}
