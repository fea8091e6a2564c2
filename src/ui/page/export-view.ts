// The export tab: the object, filters (all must match), the columns (all fields, or as in a mapping file) and the
// file format; the export runs on the server with its progress shown here, and its file is downloaded at the end.
import { LOST_CONTACT, api, followRun } from './api.js';
import { formatNumber, h, labelled, showError } from './dom.js';
import type { ExportState, Info } from './types.js';

/** The filter operators in words (GET /api/info lists the ones the server takes). */
const OPERATOR_WORDS: Record<string, string> = {
  eq: 'is',
  not_eq: 'is not',
  contains: 'contains',
  starts_with: 'starts with',
  ends_with: 'ends with',
  gt: 'is after / greater than',
  lt: 'is before / less than',
  gt_or_eq: 'is on or after / at least',
  lt_or_eq: 'is on or before / at most',
  in: 'is one of (comma list)',
  not_in: 'is none of (comma list)',
  blank: 'is blank (true/false)',
};

export function buildExportView(info: Info): HTMLElement {
  const objectInput = h('input', { type: 'number', min: 1, inputmode: 'numeric' });
  const filtersBox = h('div', { class: 'filters' });
  const addFilter = (): void => {
    const fieldInput = h('input', { type: 'text', placeholder: 'e.g. updated_at or active' });
    const opSelect = h(
      'select',
      {},
      ...info.operators.map((op) => h('option', { value: op }, OPERATOR_WORDS[op] ?? op)),
    );
    const valueInput = h('input', { type: 'text' });
    const n = filtersBox.children.length + 1;
    const remove = h('button', { type: 'button', 'aria-label': `Remove filter ${n}` }, 'Remove');
    const row = h(
      'div',
      { class: 'filter' },
      labelled(`Filter ${n} field`, fieldInput),
      labelled(`Filter ${n} operator`, opSelect),
      labelled(`Filter ${n} value`, valueInput),
      h('div', { class: 'field' }, remove),
    );
    remove.addEventListener('click', () => row.remove());
    filtersBox.append(row);
    fieldInput.focus();
  };
  const addButton = h('button', { type: 'button' }, 'Add filter');
  addButton.addEventListener('click', addFilter);
  const allFields = h('input', {
    type: 'radio',
    name: 'columns',
    value: 'all',
    checked: true,
    id: 'cols-all',
  });
  const withMapping = h('input', { type: 'radio', name: 'columns', value: 'mapping', id: 'cols-mapping' });
  const exportMapping = h('input', { type: 'file', accept: '.yaml,.yml,.json' });
  exportMapping.addEventListener('change', () => {
    withMapping.checked = true;
  });
  const format = h(
    'select',
    {},
    h('option', { value: 'excel' }, 'CSV for Excel'),
    h('option', { value: 'xlsx' }, 'Excel workbook (.xlsx)'),
    h('option', { value: 'csv' }, 'CSV'),
    h('option', { value: 'jsonl' }, 'JSON lines'),
  );
  const exportButton = h('button', { type: 'button', class: 'primary' }, 'Export');
  const stopExport = h('button', { type: 'button', disabled: true }, 'Stop export');
  const status = h('div', { class: 'status', 'aria-live': 'polite', id: 'export-status' });
  const link = h('a', { class: 'button primary hidden', download: '' }, 'Download export');
  let running: string | undefined;
  stopExport.addEventListener('click', () => {
    if (running) void api(`/api/exports/${running}/stop`, {});
    stopExport.disabled = true;
  });
  const showExport = (job: ExportState): void => {
    const seconds = Math.round(job.elapsedMs / 1000);
    const children: Array<Node | string> = [];
    if (job.state === 'done') children.push(h('div', {}, h('b', {}, 'Export finished. ')));
    if (job.state === 'stopped')
      children.push(h('div', {}, h('b', {}, 'Export stopped: '), 'no file was written.'));
    if (job.state === 'error')
      children.push(h('div', { class: 'error', role: 'alert' }, job.error ?? 'The export stopped.'));
    children.push(h('span', { class: 'count' }, 'records ', h('b', {}, formatNumber(job.records))));
    if (job.columns !== undefined) children.push(h('span', { class: 'count' }, `${job.columns} columns`));
    children.push(h('span', { class: 'count' }, `${seconds} s`));
    if (job.state === 'running') children.push(h('span', { class: 'count' }, 'Exporting…'));
    else children.push(h('span', { class: 'count' }, job.name));
    for (const n of job.notices.slice(-3)) children.push(h('div', { class: 'hint' }, n));
    status.replaceChildren(...children);
  };
  exportButton.addEventListener('click', () => {
    exportButton.disabled = true;
    link.classList.add('hidden');
    status.replaceChildren('Exporting…');
    void (async () => {
      try {
        const filters = [...filtersBox.querySelectorAll('.filter')].map((row) => {
          const [f, o, v] = [...row.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')];
          return { field: f?.value ?? '', op: o?.value ?? 'eq', value: v?.value ?? '' };
        });
        let mapping: unknown = null;
        if (withMapping.checked) {
          const file = exportMapping.files?.[0];
          if (!file) throw new Error('Choose the mapping file for the columns, or pick All fields.');
          mapping = (
            await api<{ mapping: unknown }>('/api/mapping/parse', {
              text: await file.text(),
              name: file.name,
            })
          ).mapping;
        }
        const object = objectInput.value.trim();
        const started = await api<ExportState>('/api/exports', {
          objectId: object === '' ? null : Number(object),
          filters,
          format: format.value,
          mapping,
        });
        running = started.id;
        stopExport.disabled = false;
        showExport(started);
        const { last, lost } = await followRun(`/api/exports/${started.id}/events`, started, showExport);
        const finished: ExportState = lost ? { ...last, state: 'error', error: LOST_CONTACT } : last;
        showExport(finished);
        if (finished.state === 'done') {
          link.href = `/api/exports/${finished.id}/file`;
          link.classList.remove('hidden');
        }
      } catch (error) {
        showError(status, error);
      } finally {
        exportButton.disabled = false;
        stopExport.disabled = true;
        running = undefined;
      }
    })();
  });
  return h(
    'div',
    { id: 'export', class: 'hidden' },
    h(
      'section',
      { class: 'step', 'aria-labelledby': 'h-export' },
      h('h2', { id: 'h-export' }, 'Export records from Coupa'),
      h('div', { class: 'row' }, labelled('Custom object id', objectInput), labelled('File format', format)),
      h('fieldset', {}, h('legend', {}, 'Filters (all must match)'), filtersBox, addButton),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Columns'),
        h('label', { class: 'choice', for: 'cols-all' }, allFields, ' All fields'),
        h('label', { class: 'choice', for: 'cols-mapping' }, withMapping, ' As in a YAML mapping'),
        labelled('Mapping for the columns (YAML)', exportMapping),
      ),
      h('div', {}, exportButton, stopExport),
      status,
      link,
    ),
  );
}
