import { performance } from 'node:perf_hooks';
import { guardCallbacks } from '../shared/index.js';
import { connectExport, startExport } from './connect.js';
import { exportStopError } from './errors.js';
import { openXlsxSink, type XlsxSink } from './excel.js';
import { RecordFormatter } from './format-records.js';
import { finishIncremental, startIncremental } from './incremental.js';
import { checkInstanceZone } from './instance-zone.js';
import { checkExportOptions } from './options.js';
import { buildExportQuery } from './query.js';
import { RecordSource } from './read-records.js';
import { buildExportSummary } from './summary.js';
import type { ExportHooks, ExportOptions, ExportSummary } from './types.js';
import { outputTarget, writeExport } from './write-export.js';

/**
 * Exports a custom object to CSV, JSONL or a workbook: filters validated, one preflight request, then keyset paging
 * over id ranges in parallel, records written in id order to a temporary file that is renamed to `out` when
 * complete. With `state`, only records changed since the stored watermark (minus an overlap) are written, and the
 * new watermark is saved after the output is complete.
 *
 * Throws UsageError/InputError/ConfigError (exit 2) for bad options before any request, AuthError (exit 3) when
 * Coupa refuses the credentials, AbortedError (exit 3) when interrupted or when the instance fails mid-way; in
 * each case nothing appears at `out`.
 *
 * The stages, in order: options (options.ts) -> the state of an incremental run (incremental.ts) -> the query
 * (query.ts) -> client, preflight and id range (connect.ts) -> records paged, checked and formatted
 * (read-records.ts, format-records.ts) -> the output (write-export.ts) -> the new state -> the summary.
 *
 * @example
 * const summary = await runExport({ objectId: 101, out: 'vendors.csv', client: { instance, credentials },
 *   filters: ['active=true'] });
 * console.log(`${summary.records} records`);
 */
export async function runExport(
  options: ExportOptions,
  callerHooks: ExportHooks = {},
): Promise<ExportSummary> {
  const hooks = guardCallbacks(callerHooks);
  const startedAt = (options.now ?? ((): Date => new Date()))();
  const t0 = performance.now();
  const notice = (message: string): void => hooks.onNotice?.(message);

  // Everything that can be checked without the network, before the first request.
  const checked = await checkExportOptions(options, notice);
  const { format, mapping, objectId, timezone, zoneSetBy } = checked;
  const incremental = await startIncremental(options, objectId, startedAt, notice);
  const q = buildExportQuery(
    {
      filters: checked.filters,
      mapping,
      timezone,
      since: incremental?.since,
      incremental: incremental !== undefined,
      zoneSetBy,
    },
    notice,
  );

  const { session, window } = connectExport(options, hooks);
  const client = session.client;
  const before = client.stats();
  let sink: XlsxSink | undefined;
  let source: RecordSource | undefined;
  let formatter: RecordFormatter | undefined;
  let watermark: string | undefined;
  try {
    if (format === 'xlsx') sink = await openXlsxSink(`Object ${objectId}`);
    options.signal?.throwIfAborted();
    // A set zone is checked against the offsets the instance reports; dates are written as the instance's calendar
    // date whatever the zone (see withOwnCalendarDates).
    const { first, sample, maxId } = await startExport(client, objectId, q, {
      signal: options.signal,
      needsSample: !mapping && format !== 'jsonl',
      checkZone: (record) => {
        if (zoneSetBy !== undefined) checkInstanceZone(record, timezone, zoneSetBy);
      },
    });
    formatter = new RecordFormatter({
      format,
      mapping,
      timezone,
      zoneSetBy,
      excel: options.excel === true,
      excelSafe: options.excelSafe ?? false,
      bom: options.bom === true,
      sink,
      sample,
    });
    source = new RecordSource({
      client,
      objectId,
      query: q.query,
      first,
      maxId,
      openEnded: q.upTo === undefined,
      window,
      limit: options.limit,
      signal: options.signal,
      tracker: incremental?.tracker,
      checkRecord: q.checkRecord,
      formatter,
      format,
      notice,
      onProgress: hooks.onProgress,
    });
    await writeExport(outputTarget(options), source.chunks(), sink);
    for (const message of formatter.notices(source.records)) notice(message);

    if (incremental) {
      watermark = await finishIncremental(
        incremental,
        {
          objectId,
          records: source.records,
          truncated: source.truncated,
          filters: options.filters ?? [],
          clockOffsetMs: client.stats().clockOffsetMs,
          out: options.out,
        },
        notice,
      );
    }
  } catch (error) {
    // A workbook opened before a failure that came before its output: nothing reads its bytes, discard them.
    sink?.fail(error);
    throw exportStopError(error, options, objectId);
  } finally {
    await session.close().catch(() => undefined);
  }

  return buildExportSummary({
    options,
    format,
    columns: formatter.columns,
    counts: source,
    before,
    after: client.stats(),
    elapsedMs: Math.round(performance.now() - t0),
    watermark,
  });
}
