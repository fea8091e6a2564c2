import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mapping } from '../mapping/index.js';
import { InputError, UsageError } from '../shared/index.js';
import { checkWritableFile, sameFile } from '../shared/index.js';
import { finishedRun, holdsAppliedRows, unfinishedRun } from './resume.js';
import { defaultResultsPath } from './options.js';
import type { ImportMode } from './types.js';

/** The results path of a run: `--results` or the default, never the input or the mapping, and writable. */
export function resolveResultsPath(results: string | undefined, file: string, mapping: Mapping): string {
  const resultsPath = path.resolve(results ?? defaultResultsPath(file));
  if (sameFile(resultsPath, file)) throw new UsageError('--results must not be the input file');
  if (sameFile(resultsPath, mapping.file)) throw new UsageError('--results must not be the mapping file');
  checkWritableFile(resultsPath, 'results file');
  return resultsPath;
}

/** What the guards need to know of the run. */
export interface ResultsGuardOptions {
  resultsPath: string;
  journalPath: string;
  mode: ImportMode;
  dryRun: boolean;
  resume: boolean;
  /** Create mode: run a file whose results record a finished run again (`--again`). */
  again: boolean;
}

/**
 * Refuses a run that would overwrite the only record of an earlier one (InputError, exit 2), before anything is sent:
 * a journal of a killed run (without --resume); the results of a create run that stopped part-way (create mode
 * without --resume would create its applied rows again); the results of an import (a dry run would replace them).
 * the results of a finished create run, unless `again` (the same rows would be created a second time).
 * Call with the results file locked.
 */
export async function guardResultsFile(options: ResultsGuardOptions): Promise<void> {
  const { resultsPath, journalPath, mode, dryRun, resume, again } = options;
  if (!resume && fs.existsSync(journalPath)) {
    // Starting over would overwrite the only record of what the killed run applied.
    throw new InputError(
      'RESUME_PENDING',
      dryRun
        ? `belongs to an import that was stopped before it finished (journal ${journalPath}): validate with --results <another file>, or finish the import with --resume first`
        : `a previous run into this results file was stopped before it finished (journal ${journalPath}): add --resume to finish it, or delete the journal to start over`,
      { file: resultsPath },
    );
  }

  if (!dryRun && !resume && mode === 'create') {
    const earlier = await unfinishedRun(resultsPath);
    if (earlier) {
      throw new InputError(
        'RESUME_PENDING',
        `a previous run into this results file stopped before it finished (${earlier.applied} ${earlier.applied === 1 ? 'row' : 'rows'} applied, ${earlier.notSent} not sent); running it again in create mode would create the applied rows a second time: add --resume to finish it, or pass --results <another file> (or delete this one) to start over`,
        { file: resultsPath },
      );
    }
    if (!again) await refuseFinishedRun(resultsPath);
  }

  if (dryRun && (await holdsAppliedRows(resultsPath))) {
    throw new InputError(
      'RESULTS_IN_USE',
      'holds the results of an import (rows created/updated); a dry run would replace them and a later --resume could no longer skip those rows: pass --results <another file>',
      { file: resultsPath },
    );
  }
}

/**
 * Refuses (exit 2) a create run into a results file that records a finished run which applied rows: running the same
 * file again would create every record once more (duplicates). `--again` runs it anyway.
 */
async function refuseFinishedRun(resultsPath: string): Promise<void> {
  const earlier = await finishedRun(resultsPath);
  if (!earlier) return;
  const when = modifiedAt(resultsPath);
  const rows = (n: number): string => `${n} ${n === 1 ? 'row' : 'rows'}`;
  const what =
    earlier.created === earlier.applied
      ? `created ${rows(earlier.created)}`
      : `created ${rows(earlier.created)} and updated ${rows(earlier.applied - earlier.created)}`;
  throw new InputError(
    'RESULTS_IN_USE',
    `records a finished create run${when ? ` (last written ${when})` : ''} that ${what}; running it again would create ${earlier.created === 1 ? 'that record' : 'those records'} a second time. ` +
      'To reload a file, use --mode upsert (with "key:" in the mapping); to create the rows again on purpose, add --again; or pass --results <another file>',
    { file: resultsPath },
  );
}

/** When the file was last written, as local time with its offset (`2026-12-03 16:40:56 +00:00`); undefined if unknown. */
function modifiedAt(file: string): string | undefined {
  try {
    const t = fs.statSync(file).mtime;
    const pad = (n: number): string => String(n).padStart(2, '0');
    const offset = -t.getTimezoneOffset();
    const sign = offset < 0 ? '-' : '+';
    return (
      `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())} ` +
      `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
    );
  } catch {
    return undefined;
  }
}
