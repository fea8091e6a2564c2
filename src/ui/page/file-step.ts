// Step 1 of the import: the spreadsheet. It is sent to the server, which says what it found (format, header, first
// rows); a workbook's sheet and header row can be chosen, and the server reads it again.
import { api, uploadFile } from './api.js';
import { NUMBER_TEXT, facts, formatNumber, h, labelled, showError, table } from './dom.js';
import type { ImportState, UploadInfo } from './types.js';

export interface FileStep {
  section: HTMLElement;
  /** Shows what was found in the spreadsheet (or in the corrected copy the page made of it). */
  showDetected: (upload: UploadInfo) => void;
}

/** `adopt` takes a spreadsheet read (chosen, or read again with another sheet or header row). */
export function buildFileStep(state: ImportState, adopt: (upload: UploadInfo) => Promise<void>): FileStep {
  const fileInput = h('input', { type: 'file', accept: '.csv,.txt,.tsv,.xlsx', id: 'spreadsheet' });
  const detected = h('div', { class: 'detected' });
  // A workbook's sheet (when it has several) and header row; the server reads it again when they change.
  const sheetSelect = h('select', { id: 'sheet' });
  const sheetField = labelled('Sheet', sheetSelect);
  const headerRowInput = h('input', { type: 'number', min: 1, inputmode: 'numeric', id: 'header-row' });
  const workbookBox = h(
    'div',
    { class: 'row hidden' },
    sheetField,
    labelled('Header row', headerRowInput, 'The line of the column names (lines above it are skipped).'),
  );
  const step1 = h(
    'section',
    { class: 'step', 'aria-labelledby': 'h-file' },
    h('h2', { id: 'h-file' }, h('span', { class: 'num' }, '1'), 'Choose the file'),
    h(
      'p',
      { class: 'hint' },
      'A CSV file or an Excel workbook (.xlsx). It stays on this computer until you import it.',
    ),
    labelled('Spreadsheet', fileInput),
    workbookBox,
    detected,
  );

  const showDetected = (upload: UploadInfo): void => {
    const book = upload.workbook;
    workbookBox.classList.toggle('hidden', book === undefined);
    if (book) {
      sheetSelect.replaceChildren(
        ...book.sheets.map((name) => h('option', { value: name, selected: name === book.sheet }, name)),
      );
      // The choice is shown only when there is one to make.
      sheetField.classList.toggle('hidden', book.sheets.length < 2);
      headerRowInput.value = String(book.headerRow);
    }
    detected.replaceChildren(
      facts(
        book
          ? [
              ['File', upload.name],
              ['Sheet', book.sheet],
              ['Header row', String(book.headerRow)],
              ['Rows', formatNumber(upload.rows)],
              ['Columns', formatNumber(upload.header.length)],
            ]
          : [
              ['File', upload.name],
              ['Rows', formatNumber(upload.rows)],
              ['Columns', formatNumber(upload.header.length)],
              ['Encoding', describeEncoding(upload.encoding)],
              ['Delimiter', describeDelimiter(upload.delimiter)],
              ['Line endings', upload.lineEnding],
            ],
      ),
      upload.correctedFrom
        ? h(
            'div',
            { class: 'note' },
            `A corrected copy of ${upload.correctedFrom}, kept beside it (the original is unchanged). `,
            h(
              'a',
              { href: `/api/uploads/${upload.id}/file`, download: upload.name },
              'Download corrected file',
            ),
          )
        : '',
      table(
        upload.header,
        upload.preview,
        (i) => upload.preview.every((r) => (r[i] ?? '') === '' || NUMBER_TEXT.test(r[i] ?? '')),
        `First rows of ${upload.name}`,
      ),
    );
  };

  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    detected.replaceChildren(h('p', { class: 'hint' }, `Reading ${file.name}…`));
    void (async () => {
      try {
        await adopt(await uploadFile(file));
      } catch (error) {
        showError(detected, error);
      }
    })();
  });

  const rereadWorkbook = (): void => {
    const upload = state.upload;
    if (!upload?.workbook) return;
    const headerRow = Number(headerRowInput.value);
    detected.replaceChildren(h('p', { class: 'hint' }, `Reading ${upload.name}…`));
    void (async () => {
      try {
        await adopt(
          await api<UploadInfo>(`/api/uploads/${upload.id}/source`, {
            sheet: sheetSelect.value,
            ...(Number.isInteger(headerRow) && headerRow >= 1 ? { headerRow } : {}),
          }),
        );
      } catch (error) {
        showError(detected, error);
      }
    })();
  };
  sheetSelect.addEventListener('change', () => {
    headerRowInput.value = ''; // another sheet: its header is found again
    rereadWorkbook();
  });
  headerRowInput.addEventListener('change', rereadWorkbook);

  return { section: step1, showDetected };
}

function describeDelimiter(d: string): string {
  return d === ','
    ? 'comma (,)'
    : d === ';'
      ? 'semicolon (;)'
      : d === '\t'
        ? 'tab'
        : d === '|'
          ? 'bar (|)'
          : d;
}

function describeEncoding(e: string): string {
  return (
    {
      utf8: 'UTF-8',
      'utf8-bom': 'UTF-8 with BOM',
      utf16le: 'UTF-16 LE',
      utf16be: 'UTF-16 BE',
      'windows-1252': 'Windows-1252',
    }[e] ?? e
  );
}
