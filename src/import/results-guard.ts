import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mapping } from '../mapping/types.js';
import { InputError, UsageError } from '../shared/errors.js';
import { checkWritableFile, sameFile } from '../shared/files.js';
import { holdsAppliedRows, unfinishedRun } from './resume.js';
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
}

/**
 * Refuses a run that would overwrite the only record of an earlier one (InputError, exit 2), before anything is sent:
 * a journal of a killed run (without --resume); the results of a create run that stopped part-way (create mode
 * without --resume would create its applied rows again); the results of an import (a dry run would replace them).
 * Call with the results file locked. The coming "refuse a second create run" guard goes here.
 */
export async function guardResultsFile(options: ResultsGuardOptions): Promise<void> {
  const { resultsPath, journalPath, mode, dryRun, resume } = options;
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
  }

  if (dryRun && (await holdsAppliedRows(resultsPath))) {
    throw new InputError(
      'RESULTS_IN_USE',
      'holds the results of an import (rows created/updated); a dry run would replace them and a later --resume could no longer skip those rows: pass --results <another file>',
      { file: resultsPath },
    );
  }
}
