import { openInput } from '../csv/index.js';
import { bindMapping } from '../mapping/index.js';
import { guardCallbacks } from '../shared/index.js';
import { AbortedError } from '../shared/index.js';
import { connect, preflightImport, preloadClient } from './connect.js';
import { countRecords } from './count-rows.js';
import { Journal, journalPathFor, type JournalHeader } from './journal.js';
import { lockResults } from './lock.js';
import { checkImportOptions, checkModePrerequisites, xlsxResultsPathFor } from './options.js';
import { runPipeline } from './pipeline.js';
import { guardResultsFile, resolveResultsPath } from './results-guard.js';
import { checkRowUnchanged, startResume } from './resume.js';
import { buildSummary, noRows } from './summary.js';
import type { ImportHooks, ImportOptions, ImportSummary } from './types.js';
import { ZoneCheck } from './zone-check.js';

export { defaultResultsPath } from './options.js';
export { IN_FLIGHT_MESSAGE, UNKNOWN_OUTCOME_MESSAGE } from './send/outcome.js';

/**
 * Imports a CSV file into a Coupa custom object and writes a results CSV (one row per input record, in input
 * order). Throws InputError / ConfigError / UsageError (exit 2) for problems found before anything is sent, and
 * AuthError / AbortedError (exit 3) when the preflight read fails; once rows are being sent, a run that has to
 * stop (Ctrl-C through `signal`, auth refused, instance unreachable, a dropped field) still completes the results
 * file and reports why in `summary.stopped`.
 *
 * The stages, in order: options -> input and mapping -> results-file guards (locked) -> resume state -> a count of
 * the rows (real runs) -> client and preflight (with the instance's UTC offset checked when rows carry dates) ->
 * the pipeline (decide, send, write) -> the summary.
 *
 * @example
 * const summary = await runImport({ file: 'vendors.csv', mapping: 'vendors.mapping.yaml', clientOptions });
 * if (summary.failed > 0) console.log(`see ${summary.results}`);
 */
export async function runImport(
  options: ImportOptions,
  callerHooks: ImportHooks = {},
): Promise<ImportSummary> {
  const hooks = guardCallbacks(callerHooks);
  const startedAt = performance.now();
  const checked = await checkImportOptions(options, hooks);
  const { file, mapping, mode, dryRun, plan, objectId } = checked;

  const source = await openInput(file, checked.csvOptions);
  hooks.onDetected?.({
    encoding: source.encoding,
    delimiter: source.delimiter,
    lineEnding: source.lineEnding,
  });
  if (source.headerNote !== undefined) hooks.onNotice?.(source.headerNote);
  const bound = bindMapping(mapping, source.header, file);
  checkModePrerequisites(mode, mapping, bound);

  const resultsPath = resolveResultsPath(options.results, file, mapping);
  const journalPath = journalPathFor(resultsPath);
  const unlock = lockResults(resultsPath);
  try {
    // A plan is guarded as a dry run is: it must not replace an import's results (nor run over a killed one's).
    await guardResultsFile({
      resultsPath,
      journalPath,
      mode,
      dryRun: dryRun || plan,
      resume: checked.resume,
      again: checked.again,
    });
    const journalHeader: JournalHeader = {
      v: 1,
      input: file,
      object: objectId,
      mode,
      ...(mapping.key !== undefined ? { key: mapping.key } : {}),
      // Before anything is sent: a record with a row's key created clearly earlier is not this run's.
      t: Date.now(),
    };
    const resume = await startResume({
      resume: checked.resume,
      resultsPath,
      journalPath,
      header: journalHeader,
      inputHeader: source.header,
    });

    const clientModule = preloadClient(options, dryRun);
    let total: number | undefined;
    if (!dryRun) {
      total = await countRecords(source, checked.limit, (record) =>
        checkRowUnchanged(resume.state, record.line, record.cells, file),
      );
      if (total === 0) throw noRows(file);
    }
    if (resume.note !== undefined) hooks.onNotice?.(resume.note);
    if (options.signal?.aborted)
      throw new AbortedError('interrupted before anything was sent', 'INTERRUPTED');

    const session = dryRun ? undefined : await connect(options, checked.concurrency, hooks, clientModule);
    const client = session?.client;
    try {
      const zoneCheck = new ZoneCheck(checked);
      // The preflight's record (undefined: the object has no records, so a create's key check has nothing to find).
      const first = client ? await preflightImport(client, objectId, options.signal) : undefined;
      if (client) zoneCheck.checkPreflight(first);
      const outcome = await runPipeline({
        source,
        bound,
        mapping,
        mode,
        objectId,
        timezone: checked.timezone,
        dryRun,
        plan,
        limit: checked.limit,
        total,
        concurrency: checked.concurrency,
        resultsPath,
        // A plan sends nothing: no journal (a killed plan leaves nothing to resume).
        journal: client && !plan ? Journal.start(journalPath, journalHeader, resume.state) : undefined,
        resumeState: resume.state,
        client,
        hooks,
        signal: options.signal,
        maxFailures: checked.maxFailures,
        zoneCheck,
        emptyAtStart: client !== undefined && first === undefined,
      });
      const summary = buildSummary(
        { file, objectId, mode, dryRun, plan, resultsPath, source, client, startedAt },
        outcome,
      );
      if (source.sheet !== undefined) summary.sheet = source.sheet;
      // A workbook's results are a workbook too, written from the complete results CSV: a run stopped part-way
      // leaves only the CSV, which --resume finishes (and then writes the workbook).
      if (source.writeXlsxResults !== undefined && !summary.stopped) {
        const out = xlsxResultsPathFor(resultsPath);
        await source.writeXlsxResults(resultsPath, out);
        summary.resultsXlsx = out;
      }
      return summary;
    } finally {
      await session?.close();
    }
  } finally {
    unlock();
  }
}
