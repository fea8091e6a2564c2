// Step 2 of the import: the columns and the Coupa fields they go to. The mapping comes from a file, from this
// computer's memory of the same columns, or from a guess; "Suggest fields from Coupa" matches the object's real
// fields; "Download mapping" gives the YAML file the CLI reads.
import { api } from './api.js';
import { formatNumber, h, labelled, showError } from './dom.js';
import { buildMappingTable, specFor } from './mapping-table.js';
import type { FieldSpecDoc, FieldsAnswer, ImportState, Info, MappingDoc, UploadInfo } from './types.js';

export interface MappingStep {
  section: HTMLElement;
  /** Takes the object id and time zone typed into the mapping document. */
  readSettings: () => void;
  /** Keeps the mapping on this computer for the spreadsheet's columns (a failure is not the user's concern). */
  remember: () => Promise<void>;
  /** What the import does: `create`, `upsert` or `update`. */
  mode: () => string;
  /** The mapping for a spreadsheet just read: the one remembered for its columns, else the guessed one. */
  adopt: (upload: UploadInfo) => Promise<void>;
}

export function buildMappingStep(state: ImportState, info: Info): MappingStep {
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

  const renderMapping = (): void => {
    const upload = state.upload;
    if (!upload) return;
    objectInput.value = state.doc.object === undefined ? '' : String(state.doc.object);
    tzInput.value = state.doc.timezone ?? info.timezone ?? '';
    mappingTable.replaceChildren(...buildMappingTable(state, upload));
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

  const adopt = async (upload: UploadInfo): Promise<void> => {
    mappingInput.value = ''; // a mapping file chosen for the previous spreadsheet is not this one's
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
  };

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
          const existing = specFor(state.doc, s.column);
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

  return { section: step2, readSettings, remember, mode: () => modeSelect.value, adopt };
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
