// The table of step 2: one row a column of the spreadsheet (its first values, the Coupa field, the type with its
// format, required, key, and after "Suggest fields from Coupa" how the field was found). Each change is written into
// the mapping document at once.
import { h } from './dom.js';
import type { FieldSpecDoc, ImportState, MappingDoc, UploadInfo } from './types.js';

const TYPES = ['string', 'integer', 'decimal', 'boolean', 'date', 'datetime', 'lookup', 'user', 'supplier'];

/** The mapping's entry for a column (names match ignoring case and surrounding spaces, as the CLI's do). */
export function specFor(doc: MappingDoc, column: string): [string, FieldSpecDoc] | undefined {
  const want = column.trim().toLowerCase();
  return Object.entries(doc.fields).find(([c]) => c.trim().toLowerCase() === want);
}

/** The table for the spreadsheet's columns, after an alert naming the mapping's columns the spreadsheet lacks. */
export function buildMappingTable(state: ImportState, upload: UploadInfo): Array<Node | string> {
  const rows = upload.header.map((column, index) => mappingRow(state, upload, column, index));
  const extra = Object.keys(state.doc.fields).filter(
    (c) => !upload.header.some((hd) => hd.trim().toLowerCase() === c.trim().toLowerCase()),
  );
  return [
    extra.length > 0
      ? h(
          'div',
          { class: 'error', role: 'alert' },
          `The mapping names columns the spreadsheet does not have: ${extra.join(', ')}.`,
        )
      : '',
    h(
      'div',
      { class: 'table-wrap tall' },
      h(
        'table',
        { class: 'mapping' },
        h('caption', { class: 'visually-hidden' }, 'Columns and the Coupa fields they go to'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              'Column',
              'First values',
              'Coupa field',
              ...(state.matches ? ['Found in Coupa'] : []),
              'Type',
              'Format',
              'Required',
              'Key',
            ].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
  ];
}

function mappingRow(state: ImportState, upload: UploadInfo, column: string, index: number): HTMLElement {
  const existing = specFor(state.doc, column);
  const name = existing?.[0] ?? column;
  const spec: FieldSpecDoc = existing?.[1] ?? {};
  const fieldInput = h('input', {
    type: 'text',
    value: spec.field ?? '',
    'aria-label': `Field for ${column}`,
    placeholder: 'not imported',
    list: 'coupa-fields',
  });
  const matched = state.matches?.get(column.trim().toLowerCase());
  const matchCell = !state.matches
    ? null
    : h(
        'td',
        { class: `match ${matched?.match ?? 'none'}` },
        matched?.match === 'exact'
          ? 'Same name in Coupa'
          : matched?.match === 'close'
            ? 'Close name: check it'
            : 'No field in Coupa matches',
        matched?.label ? h('span', { class: 'hint' }, ` ${matched.label}`) : null,
        matched?.note ? h('span', { class: 'hint' }, ` (${matched.note})`) : null,
      );
  const typeSelect = h(
    'select',
    { 'aria-label': `Type of ${column}` },
    ...TYPES.map((t) => h('option', { value: t, selected: (spec.type ?? 'string') === t }, t)),
  );
  const detail = h('input', { type: 'text', 'aria-label': `Format of ${column}` });
  const syncDetail = (): void => {
    const t = typeSelect.value;
    const label =
      t === 'date' || t === 'datetime'
        ? 'Format'
        : t === 'decimal'
          ? 'Decimal separator'
          : ['lookup', 'user', 'supplier'].includes(t)
            ? 'Identified by'
            : 'Details';
    detail.setAttribute('aria-label', `${label} of ${column}`);
    detail.placeholder =
      t === 'date'
        ? 'YYYY-MM-DD'
        : t === 'datetime'
          ? 'ISO 8601'
          : t === 'decimal'
            ? '.'
            : t === 'user'
              ? 'login'
              : t === 'lookup' || t === 'supplier'
                ? 'name'
                : '';
    detail.disabled = !['date', 'datetime', 'decimal', 'lookup', 'user', 'supplier'].includes(t);
    detail.value =
      t === 'date' || t === 'datetime'
        ? (spec.format ?? '')
        : t === 'decimal'
          ? (spec.decimal ?? '')
          : (spec.by ?? '');
  };
  syncDetail();
  const required = h('input', {
    type: 'checkbox',
    checked: spec.required === true,
    'aria-label': `${column} is required`,
  });
  const key = h('input', {
    type: 'radio',
    name: 'key',
    checked: spec.field !== undefined && state.doc.key === spec.field,
    'aria-label': `${column} is the key`,
  });
  const update = (): void => {
    const field = fieldInput.value.trim();
    const t = typeSelect.value;
    if (field === '') {
      delete state.doc.fields[name];
      if (key.checked) delete state.doc.key;
      return;
    }
    const next: FieldSpecDoc = { ...spec, field, type: t };
    delete next.format;
    delete next.decimal;
    delete next.by;
    const d = detail.value.trim();
    if (d !== '' && (t === 'date' || t === 'datetime')) next.format = d;
    if (d !== '' && t === 'decimal') next.decimal = d;
    if (['lookup', 'user', 'supplier'].includes(t)) next.by = d === '' ? detail.placeholder : d;
    if (required.checked) next.required = true;
    else delete next.required;
    if (t === 'string') delete next.type;
    state.doc.fields[name] = next;
    if (key.checked) state.doc.key = field;
  };
  fieldInput.addEventListener('change', update);
  typeSelect.addEventListener('change', () => {
    syncDetail();
    update();
  });
  detail.addEventListener('change', update);
  required.addEventListener('change', update);
  key.addEventListener('change', update);
  const sample = upload.preview
    .map((r) => r[index] ?? '')
    .filter((v) => v !== '')
    .slice(0, 3)
    .join(' · ');
  return h(
    'tr',
    {},
    h('th', { scope: 'row' }, column),
    h('td', { class: 'sample', title: sample }, sample),
    h('td', {}, fieldInput),
    matchCell,
    h('td', {}, typeSelect),
    h('td', {}, detail),
    h('td', {}, required),
    h('td', {}, key),
  );
}
