// The import tab: three steps, each in its own file (file-step.ts, mapping-step.ts, run-step.ts), sharing one
// ImportState. Steps 2 and 3 are enabled once a spreadsheet was read.
import { buildFileStep } from './file-step.js';
import { buildMappingStep } from './mapping-step.js';
import { h } from './dom.js';
import { buildRunStep } from './run-step.js';
import type { ImportState, Info, UploadInfo } from './types.js';

export function buildImportView(info: Info): HTMLElement {
  const state: ImportState = { doc: { fields: {} } };
  const root = h('div', { id: 'import' });

  /** A spreadsheet read (chosen, or read again with another sheet or header row): its mapping and a clean step 3. */
  const adopt = async (upload: UploadInfo): Promise<void> => {
    state.upload = upload;
    delete state.lastImport;
    delete state.matches;
    file.showDetected(upload);
    await mapping.adopt(upload);
    for (const s of [mapping.section, run.section]) s.setAttribute('aria-disabled', 'false');
    run.reset();
  };

  const file = buildFileStep(state, adopt);
  const mapping = buildMappingStep(state, info);
  const run = buildRunStep(state, mapping, file);
  root.append(file.section, mapping.section, run.section);
  return root;
}
