// The page of `coupa-csv ui`: plain DOM, no framework. Every control has a label (tests find them by role and
// label, as a screen reader does); text from files is always set as text, never as HTML.

type Attrs = Record<string, string | boolean | number | undefined | ((event: Event) => void)>;
type Child = Node | string | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, String(value));
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

let uid = 0;
function nextId(prefix: string): string {
  uid++;
  return `${prefix}-${uid}`;
}

/** A labelled control in a `.field` box. */
function labelled(text: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || nextId('c');
  control.id = id;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, text),
    control,
    hint ? h('span', { class: 'hint' }, hint) : null,
  );
}

interface Info {
  instance: string;
  timezone: string | null;
  operators: string[];
  notAvailable: Record<string, string>;
}

interface ColumnSuggestion {
  column: string;
  match: 'exact' | 'close' | 'none';
  spec?: FieldSpecDoc;
  label?: string;
  note?: string;
}

interface FieldsAnswer {
  objectId: number;
  records: number;
  fields: Array<{ name: string; type: string; label: string; keys?: string[]; example?: string }>;
  note?: string;
  suggestions?: { columns: ColumnSuggestion[]; unusedFields: string[] };
}

interface UploadInfo {
  id: string;
  name: string;
  /** For a corrected copy: the name of the file it was made from. */
  correctedFrom?: string;
  changed?: number;
  size: number;
  encoding: string;
  delimiter: string;
  lineEnding: string;
  header: string[];
  rows: number;
  preview: string[][];
  suggested: unknown;
  /** For a workbook: its sheets, the sheet read and the line of its header. */
  workbook?: { sheets: string[]; sheet: string; headerRow: number };
}

interface FieldSpecDoc {
  field?: string;
  type?: string;
  required?: boolean;
  format?: string;
  decimal?: string;
  by?: string;
  blank?: string;
  [other: string]: unknown;
}

interface MappingDoc {
  object?: number;
  timezone?: string;
  id?: string;
  key?: string;
  fields: Record<string, FieldSpecDoc>;
  [other: string]: unknown;
}

interface Progress {
  done: number;
  total?: number;
  created: number;
  updated: number;
  failed: number;
  invalid: number;
  valid: number;
  skipped: number;
  unchanged?: number;
  elapsedMs: number;
  rowsPerSecond: number;
  etaSeconds?: number;
}

interface JobState {
  id: string;
  kind: 'validate' | 'plan' | 'import';
  state: 'running' | 'done' | 'error';
  progress: Progress;
  notices: string[];
  summary?: {
    rows: number;
    interrupted: boolean;
    stopped?: { message: string };
    notSent: number;
    unchanged?: number;
    wouldCreate?: number;
    wouldUpdate?: number;
    /** For a workbook input: the download name of the `.xlsx` results file. */
    resultsXlsx?: string;
    results?: string;
  };
  error?: string;
}

interface Edit {
  line: number;
  column: number;
  value: string;
  was: string;
}

interface ExportState {
  id: string;
  state: 'running' | 'done' | 'stopped' | 'error';
  records: number;
  elapsedMs: number;
  name: string;
  columns?: number;
  error?: string;
  notices: string[];
}

interface ResultRow {
  line: number;
  status: string;
  id: string;
  error: string;
  code: string;
  /** Plan: `field: old -> new` pairs separated by `; `. */
  changes?: string;
  cells: string[];
}

const TYPES = ['string', 'integer', 'decimal', 'boolean', 'date', 'datetime', 'lookup', 'user', 'supplier'];
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

/** Calls the page's server; an answer that is not OK becomes an Error with the server's words. */
async function api<T>(path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, {
    method: body === undefined && !init.body ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...init,
  });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = JSON.parse(text);
  } catch {
    data = null;
  }
  if (!res.ok) {
    const message =
      (data as { error?: string; message?: string } | null)?.error ??
      (data as { message?: string } | null)?.message;
    throw new Error(message ?? 'The page could not reach coupa-csv. Is it still running?');
  }
  return data as T;
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

function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
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

function normalizeDoc(value: unknown): MappingDoc {
  const doc = (
    value && typeof value === 'object' ? { ...(value as Record<string, unknown>) } : {}
  ) as MappingDoc;
  const fields: Record<string, FieldSpecDoc> = {};
  for (const [column, spec] of Object.entries((doc.fields ?? {}) as Record<string, unknown>)) {
    fields[column] = typeof spec === 'string' ? { field: spec } : { ...(spec as FieldSpecDoc) };
  }
  doc.fields = fields;
  return doc;
}

function facts(entries: Array<[string, string]>): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    ...entries.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
  );
}

function table(
  header: string[],
  rows: string[][],
  numeric: (col: number) => boolean,
  caption: string,
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'thead',
        {},
        h('tr', {}, ...header.map((c, i) => h('th', { scope: 'col', class: numeric(i) ? 'num' : '' }, c))),
      ),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h('tr', {}, ...header.map((_c, i) => h('td', { class: numeric(i) ? 'num' : '' }, r[i] ?? ''))),
        ),
      ),
    ),
  );
}

const NUMBER_TEXT = /^-?[\d\s.,']+$/;

// ---------------------------------------------------------------------------------------------------------------
// Import

interface ImportState {
  upload?: UploadInfo;
  doc: MappingDoc;
  lastImport?: JobState;
  /** After "Suggest fields from Coupa": how each column (lower case) was matched. */
  matches?: Map<string, ColumnSuggestion>;
}

function buildImport(info: Info): HTMLElement {
  const state: ImportState = { doc: { fields: {} } };
  const root = h('div', { id: 'import' });

  // Step 1: the spreadsheet.
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

  // Step 2: the columns.
  const mappingInput = h('input', { type: 'file', accept: '.yaml,.yml,.json', id: 'mapping-file' });
  const objectInput = h('input', { type: 'number', min: 1, inputmode: 'numeric' });
  const modeSelect = h(
    'select',
    {},
    h('option', { value: 'create' }, 'Create new records'),
    h('option', { value: 'upsert' }, 'Create or update (by key)'),
    h('option', { value: 'update' }, 'Update existing records (by Coupa ID)'),
  );
  const tzInput = h('input', { type: 'text', placeholder: 'e.g. America/Los_Angeles' });
  const mappingNote = h('div', { 'aria-live': 'polite' });
  const mappingTable = h('div');
  const downloadMapping = h('button', { type: 'button' }, 'Download mapping');
  const suggestButton = h('button', { type: 'button' }, 'Suggest fields from Coupa');
  // The object's real field names, offered as the user types a field (after Suggest).
  const fieldList = h('datalist', { id: 'coupa-fields' });
  const step2 = h(
    'section',
    { class: 'step', 'aria-labelledby': 'h-map', 'aria-disabled': 'true' },
    h('h2', { id: 'h-map' }, h('span', { class: 'num' }, '2'), 'Match the columns to Coupa fields'),
    h(
      'p',
      { class: 'hint' },
      'Load a mapping file you already have, or fill in the field for each column. Leave a field empty to skip the column.',
    ),
    h(
      'div',
      { class: 'row' },
      labelled('Mapping file', mappingInput),
      labelled('Custom object id', objectInput),
      labelled('What to do', modeSelect),
      labelled('Instance time zone', tzInput),
    ),
    h('div', {}, suggestButton, downloadMapping),
    mappingNote,
    mappingTable,
    fieldList,
  );

  // Step 3: check and import. One status region for both runs (its text holds the counts).
  const validateButton = h('button', { type: 'button' }, 'Validate');
  const planButton = h(
    'button',
    { type: 'button', title: 'Looks each row up in Coupa and says what Import would do; writes nothing.' },
    'Plan',
  );
  const importButton = h('button', { type: 'button', class: 'primary' }, 'Import');
  const stopButton = h('button', { type: 'button', disabled: true }, 'Stop');
  const progressBar = h('progress', { max: 1, value: 0, 'aria-label': 'Import progress' });
  const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'run-status' });
  const onlyErrors = h('input', { type: 'checkbox', checked: true, id: 'only-errors' });
  // After a plan the filter keeps the rows that would change as well.
  const onlyErrorsText = h('span', {}, ' Only rows with errors');
  const onlyErrorsBox = h(
    'div',
    { class: 'row hidden' },
    h('label', { class: 'choice', for: 'only-errors' }, onlyErrors, onlyErrorsText),
  );
  const grid = h('div');
  const resultsLink = h('a', { class: 'button primary hidden', download: '' }, 'Download results');
  // For a workbook: the `.xlsx` results are the first link, the results CSV (kept for a resume) the second.
  const resultsCsvLink = h('a', { class: 'button hidden', download: '' }, 'Download results (CSV)');
  const correctedInput = h('input', { type: 'file', accept: '.csv,.txt,.tsv,.xlsx' });
  const resumeButton = h('button', { type: 'button' }, 'Resume');
  const resumeBox = h(
    'div',
    { class: 'hidden' },
    h(
      'p',
      { class: 'hint' },
      'Fix the failed rows (in the mapping above, or in the file: choose the corrected file here), then Resume: rows already in Coupa are not sent again.',
    ),
    h(
      'div',
      { class: 'row' },
      labelled('Corrected file (optional)', correctedInput),
      h('div', { class: 'field' }, resumeButton),
    ),
  );
  const step3 = h(
    'section',
    { class: 'step', 'aria-labelledby': 'h-run', 'aria-disabled': 'true' },
    h('h2', { id: 'h-run' }, h('span', { class: 'num' }, '3'), 'Check, then import into Coupa'),
    h(
      'p',
      { class: 'hint' },
      'Validate reads and converts every row and sends nothing. Plan looks each row up in Coupa and says what Import would create, update or leave unchanged (it writes nothing). Import sends the rows; Stop lets the rows on their way finish and keeps the rest for a resume.',
    ),
    h('div', {}, validateButton, planButton, importButton, stopButton),
    progressBar,
    status,
    resultsLink,
    resultsCsvLink,
    onlyErrorsBox,
    grid,
    resumeBox,
  );
  root.append(step1, step2, step3);

  const enableSteps = (on: boolean): void => {
    for (const s of [step2, step3]) s.setAttribute('aria-disabled', on ? 'false' : 'true');
  };

  const showError = (where: HTMLElement, error: unknown): void => {
    where.replaceChildren(
      h('div', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)),
    );
  };

  const uploadFile = async (file: File): Promise<UploadInfo> =>
    api<UploadInfo>('/api/uploads', undefined, {
      method: 'POST',
      body: file,
      headers: { 'content-type': 'application/octet-stream', 'x-file-name': encodeURIComponent(file.name) },
    });

  /** What was found in the spreadsheet (or in the corrected copy the page made of it). */
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

  // -- mapping table
  const specFor = (column: string): [string, FieldSpecDoc] | undefined => {
    const want = column.trim().toLowerCase();
    return Object.entries(state.doc.fields).find(([c]) => c.trim().toLowerCase() === want);
  };

  const renderMapping = (): void => {
    const upload = state.upload;
    if (!upload) return;
    objectInput.value = state.doc.object === undefined ? '' : String(state.doc.object);
    tzInput.value = state.doc.timezone ?? info.timezone ?? '';
    const rows = upload.header.map((column, index) => {
      const existing = specFor(column);
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
    });
    const extra = Object.keys(state.doc.fields).filter(
      (c) => !upload.header.some((hd) => hd.trim().toLowerCase() === c.trim().toLowerCase()),
    );
    mappingTable.replaceChildren(
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
    );
  };

  const readSettings = (): void => {
    const object = objectInput.value.trim();
    if (object === '') delete state.doc.object;
    else state.doc.object = Number(object);
    const tz = tzInput.value.trim();
    if (tz === '') delete state.doc.timezone;
    else state.doc.timezone = tz;
  };
  objectInput.addEventListener('change', readSettings);
  tzInput.addEventListener('change', readSettings);

  const remember = async (): Promise<void> => {
    if (state.upload)
      await api('/api/remembered', { header: state.upload.header, mapping: state.doc }).catch(
        () => undefined,
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

  /** A spreadsheet read (chosen, or read again with another sheet or header row): its mapping and a clean step 3. */
  const adopt = async (upload: UploadInfo): Promise<void> => {
    {
      {
        state.upload = upload;
        delete state.lastImport;
        delete state.matches;
        mappingInput.value = ''; // a mapping file chosen for the previous spreadsheet is not this one's
        showDetected(upload);
        const found = await api<{ mapping: unknown }>('/api/remembered/find', { header: upload.header });
        if (found.mapping) {
          state.doc = normalizeDoc(found.mapping);
          mappingNote.replaceChildren(
            h(
              'div',
              { class: 'note' },
              'These columns were mapped on this computer before: that mapping is filled in. Check it, or load another mapping file.',
            ),
          );
        } else {
          state.doc = normalizeDoc(upload.suggested);
          mappingNote.replaceChildren(
            h(
              'div',
              { class: 'note' },
              'Field names and types were guessed from the column names and the first rows. Check them against the custom object.',
            ),
          );
        }
        renderMapping();
        enableSteps(true);
        status.replaceChildren();
        grid.replaceChildren();
        progressBar.value = 0;
        resultsLink.classList.add('hidden');
        resultsCsvLink.classList.add('hidden');
        resumeBox.classList.add('hidden');
        onlyErrorsBox.classList.add('hidden');
      }
    }
  };

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

  mappingInput.addEventListener('change', () => {
    const file = mappingInput.files?.[0];
    if (!file) return;
    void (async () => {
      try {
        const text = await file.text();
        const parsed = await api<{ mapping: unknown }>('/api/mapping/parse', { text, name: file.name });
        state.doc = normalizeDoc(parsed.mapping);
        mappingNote.replaceChildren(h('div', { class: 'note' }, `Loaded ${file.name}.`));
        renderMapping();
      } catch (error) {
        showError(mappingNote, error);
      }
    })();
  });

  suggestButton.addEventListener('click', () => {
    readSettings();
    const upload = state.upload;
    if (!upload) return;
    if (state.doc.object === undefined || !Number.isInteger(state.doc.object)) {
      showError(mappingNote, new Error('Enter the custom object id first (its number in Coupa).'));
      objectInput.focus();
      return;
    }
    const objectId = state.doc.object;
    suggestButton.disabled = true;
    mappingNote.replaceChildren(
      h('div', { class: 'note' }, `Reading the fields of object ${objectId} in Coupa…`),
    );
    void (async () => {
      try {
        const found = await api<FieldsAnswer>(
          `/api/fields?object=${objectId}&upload=${encodeURIComponent(upload.id)}`,
        );
        fieldList.replaceChildren(
          ...found.fields.map((f) => h('option', { value: f.name, label: `${f.name}: ${f.label}` })),
        );
        if (found.records === 0 || !found.suggestions) {
          mappingNote.replaceChildren(
            h(
              'div',
              { class: 'note' },
              h('b', {}, `Object ${objectId} has no records yet in Coupa. `),
              found.note ?? '',
            ),
          );
          return;
        }
        state.matches = new Map();
        for (const s of found.suggestions.columns) {
          state.matches.set(s.column.trim().toLowerCase(), s);
          const existing = specFor(s.column);
          const name = existing?.[0] ?? s.column;
          if (s.spec) {
            const required = existing?.[1].required === true ? { required: true } : {};
            const blank = existing?.[1].blank === undefined ? {} : { blank: existing[1].blank };
            state.doc.fields[name] = { ...s.spec, ...required, ...blank };
          } else if (name !== state.doc.id) {
            delete state.doc.fields[name];
          }
        }
        const fieldNames = new Set(Object.values(state.doc.fields).map((f) => f.field));
        if (state.doc.key !== undefined && !fieldNames.has(state.doc.key)) delete state.doc.key;
        const columns = found.suggestions.columns.filter(
          (s) => s.column.trim().toLowerCase() !== (state.doc.id ?? '').trim().toLowerCase(),
        );
        const none = columns.filter((s) => s.match === 'none').map((s) => s.column);
        const close = columns.filter((s) => s.match === 'close').map((s) => s.column);
        const unused = found.suggestions.unusedFields;
        mappingNote.replaceChildren(
          h(
            'div',
            { class: 'note' },
            h(
              'b',
              {},
              `${columns.length - none.length} of ${columns.length} columns matched to the fields of object ${objectId} `,
            ),
            `(read from ${formatNumber(found.records)} records in Coupa).`,
            close.length > 0 ? h('div', {}, `Close names, check them: ${close.join(', ')}.`) : null,
            none.length > 0
              ? h(
                  'div',
                  { class: 'unmatched' },
                  `No field in Coupa for: ${none.join(', ')}. These columns are not imported unless you type a field.`,
                )
              : null,
            unused.length > 0 ? h('div', {}, `Fields no column goes to: ${unused.join(', ')}.`) : null,
          ),
        );
        renderMapping();
      } catch (error) {
        showError(mappingNote, error);
      } finally {
        suggestButton.disabled = false;
      }
    })();
  });

  downloadMapping.addEventListener('click', () => {
    readSettings();
    void (async () => {
      try {
        const { yaml } = await api<{ yaml: string }>('/api/mapping/yaml', { mapping: state.doc });
        const a = h('a', {
          href: URL.createObjectURL(new Blob([yaml], { type: 'text/yaml' })),
          download: `${(state.upload?.name ?? 'mapping').replace(/\.[^.]+$/, '')}.mapping.yaml`,
        });
        document.body.append(a);
        a.click();
        a.remove();
        await remember();
      } catch (error) {
        showError(mappingNote, error);
      }
    })();
  });

  // -- runs
  const renderCounts = (where: HTMLElement, job: JobState): void => {
    const p = job.progress;
    const s = job.summary;
    const parts: Array<[string, number]> =
      job.kind === 'validate'
        ? [
            ['valid', p.valid],
            ['invalid', p.invalid],
          ]
        : job.kind === 'plan'
          ? [
              // The plan's counts come with its summary; while it runs, the rows looked up so far.
              ['would create', s?.wouldCreate ?? 0],
              ['would update', s?.wouldUpdate ?? 0],
              ['unchanged', s?.unchanged ?? p.unchanged ?? 0],
              ['invalid', p.invalid],
              ['failed', p.failed],
            ]
          : [
              ['created', p.created],
              ['updated', p.updated],
              ['unchanged', p.unchanged ?? 0],
              ['failed', p.failed],
            ];
    const notSent = job.summary?.notSent ?? 0;
    if (notSent > 0) parts.push(['of them not sent', notSent]);
    if (p.skipped > 0) parts.push(['already done', p.skipped]);
    const children: Child[] = parts.map(([word, n]) =>
      h('span', { class: `count ${word.replace(/ /g, '-')}` }, `${word} `, h('b', {}, formatNumber(n))),
    );
    const total = p.total ?? state.upload?.rows;
    children.push(
      h(
        'span',
        { class: 'count' },
        `${formatNumber(p.done)}${total !== undefined ? ` of ${formatNumber(total)}` : ''} rows`,
      ),
    );
    if (job.kind === 'import')
      children.push(h('span', { class: 'count' }, `${p.rowsPerSecond.toFixed(0)} rows/s`));
    if (job.state === 'running' && p.etaSeconds !== undefined)
      children.push(h('span', { class: 'count' }, `about ${Math.ceil(p.etaSeconds)} s left`));
    if (job.state === 'done') {
      const word =
        job.kind === 'validate'
          ? 'Validation finished'
          : job.kind === 'plan'
            ? 'Plan finished: nothing was written to Coupa'
            : s?.interrupted
              ? `Import stopped${s.stopped ? `: ${s.stopped.message}` : ''}`
              : 'Import finished';
      children.unshift(h('div', {}, h('b', {}, `${word}. `)));
    }
    if (job.state === 'error')
      children.unshift(h('div', { class: 'error' }, job.error ?? 'The run stopped.'));
    for (const n of job.notices.slice(-3)) children.push(h('div', { class: 'hint' }, n));
    where.replaceChildren(
      ...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false),
    );
    {
      progressBar.max = Math.max(1, total ?? 1);
      progressBar.value = p.done;
    }
  };

  const follow = (job: JobState, where: HTMLElement): Promise<JobState> =>
    new Promise((resolve) => {
      renderCounts(where, job);
      const source = new EventSource(`/api/imports/${job.id}/events`);
      let last = job;
      source.addEventListener('state', (event) => {
        last = JSON.parse((event as MessageEvent<string>).data) as JobState;
        renderCounts(where, last);
        if (last.state !== 'running') {
          source.close();
          resolve(last);
        }
      });
      source.onerror = () => {
        if (last.state !== 'running') return;
        source.close();
        where.append(h('div', { class: 'error' }, 'Lost contact with coupa-csv. Is it still running?'));
        resolve(last);
      };
    });

  const showRows = async (job: JobState, where: HTMLElement, only: boolean): Promise<void> => {
    const data = await api<{ header: string[]; rows: ResultRow[]; matching: number; total: number }>(
      `/api/imports/${job.id}/rows?only=${only ? (job.kind === 'plan' ? 'changes' : 'problems') : 'all'}&limit=500`,
    );
    const plan = job.kind === 'plan';
    if (data.rows.length === 0) {
      where.replaceChildren(
        h(
          'p',
          { class: 'hint' },
          !only
            ? 'No rows.'
            : plan
              ? 'No row has an error or would change a record.'
              : 'No row has an error.',
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
  };

  const start = async (kind: JobState['kind'], resumeOf?: string): Promise<JobState> => {
    readSettings();
    if (!state.upload) throw new Error('Choose a spreadsheet first.');
    await remember();
    const dryRun = kind === 'validate';
    return api<JobState>(kind === 'plan' ? '/api/plan' : '/api/imports', {
      upload: state.upload.id,
      mapping: state.doc,
      mode: modeSelect.value,
      dryRun,
      ...(resumeOf === undefined ? {} : { resumeOf }),
    });
  };

  let lastRun: JobState | undefined;
  const busy = (on: boolean): void => {
    validateButton.disabled = on;
    planButton.disabled = on;
    importButton.disabled = on;
    resumeButton.disabled = on;
    stopButton.disabled = !on;
  };
  const run = (kind: JobState['kind'], resumeOf?: string): void => {
    const dryRun = kind !== 'import';
    busy(true);
    if (kind === 'validate') stopButton.disabled = true;
    resultsLink.classList.add('hidden');
    resultsCsvLink.classList.add('hidden');
    resumeBox.classList.add('hidden');
    onlyErrorsBox.classList.add('hidden');
    grid.replaceChildren();
    progressBar.value = 0;
    void (async () => {
      try {
        const started = await start(kind, resumeOf);
        // Stop applies to the import or plan running (a plan reads Coupa row by row and can be long).
        currentRun = started;
        if (!dryRun) state.lastImport = started;
        const job = await follow(started, status);
        lastRun = job;
        if (!dryRun) state.lastImport = job;
        if (job.state === 'done') {
          if (kind !== 'validate') {
            const base = `/api/imports/${job.id}/results`;
            const xlsx = job.summary?.resultsXlsx;
            resultsLink.href = xlsx === undefined ? base : `${base}?format=xlsx`;
            resultsLink.setAttribute('download', xlsx ?? job.summary?.results ?? '');
            resultsLink.classList.remove('hidden');
            if (xlsx !== undefined) {
              resultsCsvLink.href = base;
              resultsCsvLink.classList.remove('hidden');
            }
          }
          const problems = dryRun ? job.progress.invalid : job.progress.failed;
          onlyErrorsBox.classList.toggle('hidden', !dryRun && problems === 0);
          const changes = kind === 'plan' && (job.summary?.wouldUpdate ?? 0) > 0;
          onlyErrorsText.textContent =
            kind === 'plan' ? ' Only rows with errors or changes' : ' Only rows with errors';
          if (kind === 'plan') onlyErrorsBox.classList.toggle('hidden', problems === 0 && !changes);
          if (dryRun || problems > 0) await showRows(job, grid, onlyErrors.checked);
          if (!dryRun && problems > 0) resumeBox.classList.remove('hidden');
        }
      } catch (error) {
        showError(status, error);
      } finally {
        busy(false);
      }
    })();
  };
  let currentRun: JobState | undefined;
  validateButton.addEventListener('click', () => run('validate'));
  planButton.addEventListener('click', () => run('plan'));
  onlyErrors.addEventListener('change', () => {
    if (lastRun?.state === 'done') void showRows(lastRun, grid, onlyErrors.checked);
  });
  const runImport = (resumeOf?: string): void => run('import', resumeOf);
  importButton.addEventListener('click', () => runImport());
  stopButton.addEventListener('click', () => {
    const job = currentRun ?? state.lastImport;
    if (job) void api(`/api/imports/${job.id}/stop`, {});
    stopButton.disabled = true;
  });
  resumeButton.addEventListener('click', () => {
    const previous = state.lastImport;
    if (!previous) return;
    const file = correctedInput.files?.[0];
    void (async () => {
      if (file) {
        try {
          const was = state.upload?.workbook;
          let next = await uploadFile(file);
          // A corrected workbook is read as the first one was: the same sheet and header row.
          if (was && next.workbook?.sheets.includes(was.sheet)) {
            next = await api<UploadInfo>(`/api/uploads/${next.id}/source`, {
              sheet: was.sheet,
              headerRow: was.headerRow,
            });
          }
          state.upload = next;
        } catch (error) {
          showError(status, error);
          return;
        }
      }
      runImport(previous.id);
    })();
  });

  return root;
}

// ---------------------------------------------------------------------------------------------------------------
// Export

function buildExport(info: Info): HTMLElement {
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
        const finished = await new Promise<ExportState>((resolve) => {
          const source = new EventSource(`/api/exports/${started.id}/events`);
          let last = started;
          source.addEventListener('state', (event) => {
            last = JSON.parse((event as MessageEvent<string>).data) as ExportState;
            showExport(last);
            if (last.state !== 'running') {
              source.close();
              resolve(last);
            }
          });
          source.onerror = () => {
            if (last.state !== 'running') return;
            source.close();
            resolve({ ...last, state: 'error', error: 'Lost contact with coupa-csv. Is it still running?' });
          };
        });
        showExport(finished);
        if (finished.state === 'done') {
          link.href = `/api/exports/${finished.id}/file`;
          link.classList.remove('hidden');
        }
      } catch (error) {
        status.replaceChildren(
          h('div', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)),
        );
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

async function startPage(): Promise<void> {
  const main = document.getElementById('main');
  const instance = document.getElementById('instance');
  if (!main || !instance) return;
  let info: Info;
  try {
    info = await api<Info>('/api/info');
  } catch (error) {
    main.replaceChildren(
      h('div', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)),
    );
    return;
  }
  instance.textContent = `Coupa instance: ${info.instance}`;
  const importView = buildImport(info);
  const exportView = buildExport(info);
  main.replaceChildren(importView, exportView);
  const tabImport = document.getElementById('tab-import');
  const tabExport = document.getElementById('tab-export');
  const show = (which: 'import' | 'export'): void => {
    importView.classList.toggle('hidden', which !== 'import');
    exportView.classList.toggle('hidden', which !== 'export');
    tabImport?.setAttribute('aria-pressed', String(which === 'import'));
    tabExport?.setAttribute('aria-pressed', String(which === 'export'));
  };
  tabImport?.addEventListener('click', () => show('import'));
  tabExport?.addEventListener('click', () => show('export'));
}

void startPage();
