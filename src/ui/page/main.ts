// The page of `coupa-csv ui` (bundled by scripts/build-page.mjs into app.js): asks the server what it connects to,
// then shows the import tab (import-view.ts) and the export tab (export-view.ts).
import { api } from './api.js';
import { showError } from './dom.js';
import { buildExportView } from './export-view.js';
import { buildImportView } from './import-view.js';
import type { Info } from './types.js';

async function startPage(): Promise<void> {
  const main = document.getElementById('main');
  const instance = document.getElementById('instance');
  if (!main || !instance) return;
  let info: Info;
  try {
    info = await api<Info>('/api/info');
  } catch (error) {
    showError(main, error);
    return;
  }
  instance.textContent = `Coupa instance: ${info.instance}`;
  const importView = buildImportView(info);
  const exportView = buildExportView(info);
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
