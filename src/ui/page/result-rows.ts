// The rows of a finished run under step 3: all of them or only those with errors (or, after a plan, those that
// would change), each error in a finance user's words; a bad cell of a CSV file is corrected in place and saved as a
// corrected copy beside the original.
import { api } from './api.js';
import { NUMBER_TEXT, formatNumber, h, showError } from './dom.js';
import type { Edit, ImportState, JobState, ResultRows, UploadInfo } from './types.js';

export interface RowsContext {
  state: ImportState;
  /** Shows the corrected copy as the spreadsheet of the next runs (step 1). */
  showDetected: (upload: UploadInfo) => void;
}

/** Shows the rows of a finished run in `where`: all, or (`only`) those with errors or, after a plan, changes. */
export async function showRows(
  job: JobState,
  where: HTMLElement,
  only: boolean,
  { state, showDetected }: RowsContext,
): Promise<void> {
  const data = await api<ResultRows>(
    `/api/imports/${job.id}/rows?only=${only ? (job.kind === 'plan' ? 'changes' : 'problems') : 'all'}&limit=500`,
  );
  const plan = job.kind === 'plan';
  if (data.rows.length === 0) {
    where.replaceChildren(
      h(
        'p',
        { class: 'hint' },
        !only ? 'No rows.' : plan ? 'No row has an error or would change a record.' : 'No row has an error.',
      ),
    );
    return;
  }
  const numeric = data.header.map(
    (_c, i) =>
      data.rows.every((r) => (r.cells[i] ?? '') === '' || NUMBER_TEXT.test(r.cells[i] ?? '')) &&
      data.rows.some((r) => (r.cells[i] ?? '') !== ''),
  );
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col', class: 'num' }, 'Row'),
    h('th', { scope: 'col' }, 'Result'),
    h('th', { scope: 'col' }, plan ? 'Problem or changes' : 'Problem'),
    ...data.header.map((c, i) => h('th', { scope: 'col', class: numeric[i] ? 'num' : undefined }, c)),
  );
  const edits = new Map<string, Edit>();
  const saveButton = h('button', { type: 'button', disabled: true }, 'Save corrected copy');
  const saveNote = h('div', { 'aria-live': 'polite' });
  let editable = 0;
  const body = data.rows.map((r) => {
    const bad = columnsNamed(r.error, data.header);
    return h(
      'tr',
      {},
      h('td', { class: 'num' }, String(r.line)),
      h('td', {}, r.status),
      h(
        'td',
        // A change is not a problem: it is shown in the text colour, an error in the error colour.
        { class: r.error === '' && r.changes ? 'changes-cell' : 'msg' },
        r.error !== ''
          ? friendlyError(r.line, r.error)
          : r.changes
            ? h('ul', { class: 'changes' }, ...r.changes.split('; ').map((c) => h('li', {}, c)))
            : '',
      ),
      ...data.header.map((column, i) => {
        const cell = r.cells[i] ?? '';
        // A workbook's cells are corrected in Excel (its types and formats would not survive a text copy).
        if (!bad.has(i) || state.upload?.workbook)
          return h(
            'td',
            { class: `${numeric[i] ? 'num' : ''}${bad.has(i) ? ' bad' : ''}`.trim() || undefined },
            cell,
          );
        // A bad cell is corrected in place; the copy is written by "Save corrected copy".
        editable++;
        const input = h('input', {
          type: 'text',
          value: cell,
          class: 'cell-edit',
          'aria-label': `Row ${r.line} ${column}`,
          title: friendlyError(r.line, r.error),
        });
        input.addEventListener('input', () => {
          const k = `${r.line}:${i}`;
          if (input.value === cell) edits.delete(k);
          else edits.set(k, { line: r.line, column: i, value: input.value, was: cell });
          input.classList.toggle('edited', input.value !== cell);
          saveButton.disabled = edits.size === 0;
        });
        return h('td', { class: 'bad' }, input);
      }),
    );
  });
  saveButton.addEventListener('click', () => {
    const upload = state.upload;
    if (!upload || edits.size === 0) return;
    saveButton.disabled = true;
    void (async () => {
      try {
        const copy = await api<UploadInfo>(`/api/uploads/${upload.id}/corrections`, {
          edits: [...edits.values()],
        });
        state.upload = copy;
        showDetected(copy);
        saveNote.replaceChildren(
          h(
            'div',
            { class: 'note' },
            `Saved ${copy.name} beside ${copy.correctedFrom ?? upload.name} (${copy.changed ?? edits.size} ${
              (copy.changed ?? edits.size) === 1 ? 'cell' : 'cells'
            } changed; the original is unchanged). Validate and Import now use the corrected copy.`,
          ),
        );
        edits.clear();
      } catch (error) {
        showError(saveNote, error);
        saveButton.disabled = false;
      }
    })();
  });
  where.replaceChildren(
    data.matching > data.rows.length
      ? h(
          'p',
          { class: 'hint' },
          `The first ${data.rows.length} of ${formatNumber(data.matching)} rows are shown; the results file has them all.`,
        )
      : '',
    h(
      'div',
      {
        class: 'table-wrap',
        tabindex: 0,
        role: 'region',
        'aria-label': only ? (plan ? 'Rows with errors or changes' : 'Rows with errors') : 'All rows',
      },
      h('table', {}, h('thead', {}, head), h('tbody', {}, ...body)),
    ),
    editable > 0
      ? h(
          'div',
          { class: 'corrections' },
          h(
            'p',
            { class: 'hint' },
            'Correct a marked cell by typing in it, then save a corrected copy: it is written beside your file, which stays as it is.',
          ),
          saveButton,
          saveNote,
        )
      : '',
  );
}

/** An engine message, in words a finance user uses: `row 18: Amount `abc` is not a number`. */
export function friendlyError(line: number, error: string): string {
  const text = error
    .replace(/column "((?:[^"\\]|\\.)*)": /g, '$1: ')
    .replace(/column "((?:[^"\\]|\\.)*)" /g, '$1 ')
    .replace(/: "((?:[^"\\]|\\.)*)" is not (a|an) /g, ' `$1` is not $2 ')
    .replace(/is not a decimal( number)?/g, 'is not a number')
    .replace(/is not an integer/g, 'is not a whole number')
    .replace(/^not sent: run interrupted/, 'not sent: the import was stopped')
    .replace(/;? ?finish with --resume/g, ': press Resume to send it')
    .replace(/--resume/g, 'Resume');
  return `row ${line}: ${text}`;
}

/** The columns an error message names (to mark the bad cells). */
function columnsNamed(error: string, header: string[]): Set<number> {
  const named = new Set<number>();
  for (const m of error.matchAll(/column "((?:[^"\\]|\\.)*)"/g)) {
    const name = (m[1] ?? '').trim().toLowerCase();
    const index = header.findIndex((h) => h.trim().toLowerCase() === name);
    if (index >= 0) named.add(index);
  }
  return named;
}
