// Step 3 of the import: Validate, Plan and Import with their progress (one status region: its text holds the
// counts), Stop, the results file, the rows with errors (result-rows.ts) and Resume with an optional corrected file.
import { LOST_CONTACT, api, followRun, uploadFile } from './api.js';
import { formatNumber, h, labelled, showError, type Child } from './dom.js';
import type { FileStep } from './file-step.js';
import type { MappingStep } from './mapping-step.js';
import { showRows } from './result-rows.js';
import type { ImportState, JobState, UploadInfo } from './types.js';

export interface RunStep {
  section: HTMLElement;
  /** Clears what a run showed: a new spreadsheet was read. */
  reset: () => void;
}

export function buildRunStep(
  state: ImportState,
  mapping: Pick<MappingStep, 'readSettings' | 'remember' | 'mode'>,
  file: Pick<FileStep, 'showDetected'>,
): RunStep {
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

  const rowsContext = { state, showDetected: file.showDetected };

  const reset = (): void => {
    status.replaceChildren();
    grid.replaceChildren();
    progressBar.value = 0;
    resultsLink.classList.add('hidden');
    resultsCsvLink.classList.add('hidden');
    resumeBox.classList.add('hidden');
    onlyErrorsBox.classList.add('hidden');
  };

  /** The run's counts in the status region, and the progress bar. */
  const renderCounts = (job: JobState): void => {
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
    status.replaceChildren(
      ...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false),
    );
    progressBar.max = Math.max(1, total ?? 1);
    progressBar.value = p.done;
  };

  /** Shows a run's progress until it ends; its last state. */
  const follow = async (job: JobState): Promise<JobState> => {
    renderCounts(job);
    const { last, lost } = await followRun(`/api/imports/${job.id}/events`, job, renderCounts);
    if (lost) status.append(h('div', { class: 'error' }, LOST_CONTACT));
    return last;
  };

  const start = async (kind: JobState['kind'], resumeOf?: string): Promise<JobState> => {
    mapping.readSettings();
    if (!state.upload) throw new Error('Choose a spreadsheet first.');
    await mapping.remember();
    const dryRun = kind === 'validate';
    return api<JobState>(kind === 'plan' ? '/api/plan' : '/api/imports', {
      upload: state.upload.id,
      mapping: state.doc,
      mode: mapping.mode(),
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
        const job = await follow(started);
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
          if (dryRun || problems > 0) await showRows(job, grid, onlyErrors.checked, rowsContext);
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
    if (lastRun?.state === 'done') void showRows(lastRun, grid, onlyErrors.checked, rowsContext);
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

  return { section: step3, reset };
}
