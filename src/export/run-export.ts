import { performance } from 'node:perf_hooks';
import { guardCallbacks } from '../shared/index.js';
import { createClient } from '../coupa/index.js';
import { CoupaApiError } from '../coupa/errors.js';
import type { ClientOptions, CoupaClient, IndexQuery, ObjectInstance } from '../coupa/index.js';
import { formatCsvRow } from '../csv/index.js';
import { AbortedError, CoupaCsvError, errorText, UsageError } from '../shared/index.js';
import { ExportIssues, exportColumns, loadMapping, recordToCells } from '../mapping/index.js';
import { unlessAborted } from '../shared/index.js';
import { checkWritableFile, sameFile } from '../shared/index.js';
import {
  checkObjectId,
  checkPositiveWholeNumber,
  checkTimeZone,
  openClient,
  readPreflight,
} from '../run/index.js';
import { chooseColumns, recordToPlainCells, unknownFields } from './columns.js';
import { checkRecordFilters, type FilterMismatch } from './check-filters.js';
import { parseFilter, parseFilters, zoneFilterValues, type ParsedFilter } from './filters.js';
import {
  ExcelCsvRows,
  excelDelimiter,
  mappedXlsxColumns,
  mappedXlsxRow,
  openXlsxSink,
  plainXlsxColumns,
  plainXlsxRow,
  type XlsxColumn,
  type XlsxSink,
} from './excel.js';
import { checkInstanceZone, dateSpecsOf, withOwnCalendarDates } from './instance-zone.js';
import { writeOutput, type OutputTarget } from './output.js';
import { pageInIdOrder } from './pager.js';
import { DEFAULT_OVERLAP_MS, IncrementalTracker, readState, writeState } from './state.js';
import type { ExportFormat, ExportHooks, ExportOptions, ExportSummary } from './types.js';

const BOM = '\uFEFF';

/**
 * Exports a custom object to CSV or JSONL: filters validated, one preflight request, then keyset paging over id
 * ranges in parallel, records written in id order to a temporary file that is renamed to `out` when complete.
 * With `state`, only records changed since the stored watermark (minus an overlap) are written, and the new
 * watermark is saved after the output is complete.
 *
 * Throws UsageError/InputError/ConfigError (exit 2) for bad options before any request, AuthError (exit 3) when
 * Coupa refuses the credentials, AbortedError (exit 3) when interrupted or when the instance fails mid-way; in
 * each case nothing appears at `out`.
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
  const now = options.now ?? ((): Date => new Date());
  const startedAt = now();
  const t0 = performance.now();
  const notice = (message: string): void => hooks.onNotice?.(message);

  // Everything that can be checked without the network, before the first request.
  const format = validateOptions(options);
  const filters = parseFilters(options.filters ?? []);
  const mapping = typeof options.mapping === 'string' ? await loadMapping(options.mapping) : options.mapping;
  if (mapping && options.excelSafe === true && format === 'csv') {
    notice(
      "--excel-safe changes values (a ' before a leading = + - @): this file is for reading; it would not import " +
        'back unchanged with the mapping (leave out --excel-safe for a file to import again)',
    );
  }
  const objectId = options.objectId ?? mapping?.object;
  if (objectId === undefined)
    throw new UsageError('name the custom object: --object <id> (or `object:` in the mapping)');
  checkObjectId(objectId);
  const timezone = checkTimeZone(options.timezone ?? mapping?.timezone ?? 'UTC');
  if (options.out !== '-') checkWritableFile(options.out, 'export');
  if (options.state !== undefined) checkWritableFile(options.state, 'state file', true);
  checkDistinctFiles([
    ['--out', options.out === '-' ? undefined : options.out],
    ['--state', options.state],
    ['--mapping', mapping?.file],
  ]);
  if (mapping && mapping.id === undefined) {
    notice(`the mapping ${mapping.file} has no \`id:\` column: the export carries no instance ids`);
  }

  const previous = options.state === undefined ? undefined : await readState(options.state);
  if (previous && previous.object !== objectId) {
    throw new UsageError(
      `the state file ${options.state ?? ''} belongs to object ${previous.object}, not ${objectId}: use another --state file`,
      'STATE',
    );
  }
  const overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS;
  const tracker =
    options.state === undefined ? undefined : new IncrementalTracker(previous, overlapMs, startedAt);
  if (previous && !sameFilters(previous.filters, options.filters ?? [])) {
    notice(
      `the filters differ from the run that wrote ${options.state ?? ''}: records that match only the new filters and ` +
        `did not change since ${previous.watermark ?? 'then'} are not exported (delete the state file for a full export)`,
    );
  }
  const timeFields = new Set(
    (mapping?.fields ?? [])
      .filter((f) => f.type === 'date' || f.type === 'datetime')
      .map((f) => f.field.toLowerCase().replace(/_/g, '-')),
  );
  const zoned = zoneFilterValues(filters, timeFields, timezone);
  if (options.timezone === undefined && mapping?.timezone === undefined) {
    const guessed = zoned.filter((f, i) => f !== filters[i]).map((f) => f.source);
    if (guessed.length > 0)
      notice(
        `no time zone given: the date/time in ${guessed.map((g) => `"${g}"`).join(', ')} is read in UTC; if the instance is in another zone, ` +
          "set --timezone (or COUPA_TIMEZONE, or the mapping's timezone) to it, or records of that day may be missed",
      );
  }
  const since = tracker?.since();
  const { query, after, upTo } = buildQuery(zoned, since, options.state !== undefined);
  // Every record written is checked against what was asked for, the watermark included.
  const checkRecord = checkRecordFilters(
    since === undefined
      ? zoned
      : [
          ...zoned,
          {
            ...parseFilter(`updated-at[gt_or_eq]=${since}`),
            source: `the --state watermark updated-at >= ${since}`,
          },
        ],
  );

  const session = openClient({
    ...(isClient(options.client) ? { client: options.client } : { clientOptions: options.client }),
    overrides: {
      ...(options.rate === undefined ? {} : { rate: options.rate }),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    },
    onEvent: hooks.onEvent,
    create: createClient,
  });
  if (!session) throw new UsageError('no Coupa connection: pass client options or a client');
  const client = session.client;
  const window =
    options.concurrency ?? (isClient(options.client) ? undefined : options.client.concurrency) ?? 8;
  const before = client.stats();
  let pages = 0;
  let records = 0;
  let repeats = 0;
  let truncated = false;
  let columns: string[] = mapping ? exportColumns(mapping) : [];
  let watermark: string | undefined;

  // A set zone is checked against the offsets the instance reports; dates are written as the instance's calendar
  // date whatever the zone (see withOwnCalendarDates).
  const zoneSetBy =
    options.timezone !== undefined
      ? '--timezone or COUPA_TIMEZONE'
      : mapping?.timezone !== undefined
        ? `the timezone: of ${mapping.file}`
        : undefined;
  const dateSpecs = dateSpecsOf(mapping);
  // --excel: BOM, CRLF, formula escaping and the spreadsheet's delimiter; xlsx: a streaming workbook.
  const excelRows =
    options.excel === true && format === 'csv' ? new ExcelCsvRows(excelDelimiter(mapping)) : undefined;
  let xlsxColumns: XlsxColumn[] = [];
  let sink: XlsxSink | undefined;

  try {
    if (format === 'xlsx') sink = await openXlsxSink(`Object ${objectId}`);
    options.signal?.throwIfAborted();
    // The preflight retries an unreachable instance for a while: Ctrl-C must not wait for that.
    const first = await unlessAborted(
      preflight(client, objectId, [
        ...query,
        ...bounds(after, upTo),
        ['order_by', 'id'],
        ['dir', 'asc'],
        ['limit', '1'],
      ]),
      options.signal,
      () => new AbortedError('export interrupted', 'INTERRUPTED'),
    );
    let sample = first;
    if (!first && !mapping && format !== 'jsonl') {
      // Nothing matches: still give the file the object's columns, from any record.
      sample = (await client.list(objectId, [['limit', '1']]))[0];
    }
    if (zoneSetBy !== undefined) checkInstanceZone(first ?? sample, timezone, zoneSetBy);
    let maxId = first?.id;
    if (first) {
      const last = (
        await client.list(objectId, [
          ...query,
          ...bounds(after, upTo),
          ['order_by', 'id'],
          ['dir', 'desc'],
          ['limit', '1'],
        ])
      )[0];
      maxId = Math.max(first.id, last?.id ?? first.id);
    }

    const source = async function* (): AsyncGenerator<string> {
      let started = false;
      let known = new Set<string>(columns);
      const reported = new Set<string>();
      const head = (firstPage: readonly ObjectInstance[]): string => {
        started = true;
        if (!mapping) {
          columns = chooseColumns(sample ? [sample, ...firstPage] : firstPage);
          known = new Set(columns);
        }
        if (format === 'jsonl') return '';
        if (sink) {
          xlsxColumns = mapping
            ? mappedXlsxColumns(mapping)
            : plainXlsxColumns(columns, sample ? [sample, ...firstPage] : firstPage);
          sink.start(xlsxColumns);
          return '';
        }
        if (excelRows) return BOM + excelRows.row(columns);
        return (options.bom ? BOM : '') + formatCsvRow(columns, { excelSafe: options.excelSafe ?? false });
      };
      if (first && maxId !== undefined) {
        const pager = pageInIdOrder({
          client,
          objectId,
          query,
          after: first.id - 1,
          upTo: maxId,
          openEnded: upTo === undefined,
          window,
          ...(options.limit === undefined ? {} : { limit: options.limit }),
          ...(options.signal ? { signal: options.signal } : {}),
          onPage: () => {
            pages++;
          },
        });
        for await (const { records: page, askedAt } of pager) {
          let chunk = started ? '' : head(page);
          for (const record of page) {
            if (tracker?.observe(record.id, record['updated-at'], askedAt)) {
              repeats++;
              continue;
            }
            if (options.limit !== undefined && records >= options.limit) {
              truncated = true;
              break;
            }
            if (!mapping && format !== 'jsonl') {
              for (const field of unknownFields(record, known)) {
                if (reported.has(field)) continue;
                reported.add(field);
                notice(
                  `field "${field}" first appears on record ${record.id}, after the CSV header was written: ` +
                    `it is left out of the ${format === 'xlsx' ? 'worksheet' : 'CSV'} (export with --format jsonl or a mapping to get it)`,
                );
              }
            }
            const mismatch = checkRecord(record);
            if (mismatch) throw filterMismatchError(record, mismatch);
            chunk += formatRecord(record);
            records++;
          }
          hooks.onProgress?.({ records, pages });
          if (chunk) yield chunk;
          if (truncated) break;
        }
      }
      if (!started) {
        const text = head([]);
        if (text) yield text;
      }
    };

    // What the mapping could not write as stored: said once per column when the export is done.
    const issues = mapping ? new ExportIssues() : undefined;
    const formatRecord = (record: ObjectInstance): string => {
      if (!mapping) {
        if (format === 'jsonl') return `${JSON.stringify(record)}\n`;
        if (sink) {
          sink.addRow(plainXlsxRow(record, xlsxColumns));
          return '';
        }
        const plain = recordToPlainCells(record, columns);
        if (excelRows) return excelRows.row(plain, record.id);
        return formatCsvRow(plain, { excelSafe: options.excelSafe ?? false });
      }
      const own =
        dateSpecs.length === 0
          ? record
          : withOwnCalendarDates(record, dateSpecs, timezone, zoneSetBy === undefined ? issues : undefined);
      const cells = recordToCells(mapping, own, timezone, issues);
      if (format === 'jsonl')
        return `${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ''])))}\n`;
      if (sink) {
        sink.addRow(mappedXlsxRow(mapping, own, cells, xlsxColumns, timezone));
        return '';
      }
      if (excelRows) return excelRows.row(cells, record.id);
      return formatCsvRow(cells, { excelSafe: options.excelSafe ?? false });
    };

    const target: OutputTarget = {
      out: options.out,
      gzip: options.gzip ?? false,
      ...(options.stdout ? { stdout: options.stdout } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    if (sink) await writeXlsx(sink, source(), target);
    else await writeOutput(target, source());
    if (excelRows && excelRows.escaped > 0) {
      notice(
        `${excelRows.escaped} cell${excelRows.escaped === 1 ? '' : 's'} (first: record ${String(excelRows.firstEscapedId)}) ` +
          "begin with = + - or @ and were written with a leading ' so that a spreadsheet shows them as text instead of " +
          "running them as a formula; an import of this file stores the '" +
          (mapping ? ' (remove it from those cells before importing the file again)' : ''),
      );
    }
    if (mapping && issues) for (const message of issues.messages(mapping, records, timezone)) notice(message);

    if (tracker && options.state !== undefined) {
      if (truncated) {
        notice(`--limit stopped the export before the end: the state file ${options.state} was not updated`);
        watermark = previous?.watermark ?? undefined;
      } else {
        const next = tracker.nextState(
          objectId,
          records,
          options.filters ?? [],
          client.stats().clockOffsetMs,
        );
        try {
          await writeState(options.state, next);
        } catch (error) {
          // The output is complete and in place; only the watermark could not be saved.
          throw new AbortedError(
            `the export is complete at ${options.out}, but the state file could not be saved (${errorText(error)}): ` +
              'the next run starts again from the previous watermark, so it repeats these records',
            'STATE',
          );
        }
        watermark = next.watermark ?? undefined;
      }
    }
  } catch (error) {
    // A workbook opened before a failure that came before its output: nothing reads its bytes, discard them.
    sink?.fail(error);
    throw translateError(error, options, objectId);
  } finally {
    await session.close().catch(() => undefined);
  }

  const stats = client.stats();
  const elapsedMs = Math.round(performance.now() - t0);
  return {
    records,
    pages,
    requests: stats.requests - before.requests,
    retries: stats.retries - before.retries,
    throttled: stats.throttled - before.throttled,
    repeats,
    elapsedMs,
    recordsPerSecond: elapsedMs > 0 ? Math.round((records / elapsedMs) * 10_000) / 10 : records,
    out: options.out,
    format,
    columns,
    truncated,
    ...(watermark === undefined ? {} : { watermark }),
    ...(options.state === undefined || truncated ? {} : { state: options.state }),
  };
}

/**
 * Drives an xlsx export: the records go into the workbook while its bytes go to the output; an error on either side
 * stops both (the output's temporary file is removed).
 */
async function writeXlsx(sink: XlsxSink, source: AsyncIterable<string>, target: OutputTarget): Promise<void> {
  const written = writeOutput(target, sink.bytes);
  // Rejections are handled below, once the source is drained or has failed.
  written.catch(() => undefined);
  try {
    for await (const _chunk of source) {
      // The records go into the workbook as the source formats them.
    }
    await sink.finish();
  } catch (error) {
    sink.fail(error);
    await written.catch(() => undefined);
    throw error;
  }
  await written;
}

/** A record the instance should not have returned: exit 3, nothing written. */
function filterMismatchError(record: ObjectInstance, mismatch: FilterMismatch): AbortedError {
  return new AbortedError(
    `the instance returned record ${record.id} although it does not satisfy ${mismatch.filter.startsWith('the --state') ? mismatch.filter : `--filter "${mismatch.filter}"`} ` +
      `(its value: ${mismatch.value}): the instance ignored or misread that filter, so the export cannot be trusted ` +
      '(filters on custom fields are not all documented: check the field name and operator, or filter another way)',
    'ABORTED',
  );
}

function validateOptions(options: ExportOptions): ExportFormat {
  const format = options.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl' && format !== 'xlsx')
    throw new UsageError(`--format must be csv, jsonl or xlsx, got "${String(format)}"`);
  if (format === 'xlsx') {
    for (const [on, flag] of [
      [options.gzip, '--gzip (an xlsx file is compressed already)'],
      [options.bom, '--bom'],
      [options.excelSafe, '--excel-safe (xlsx cells are never run as formulas)'],
    ] as const) {
      if (on === true) throw new UsageError(`${flag} applies to CSV only, not --format xlsx`);
    }
  }
  if (format === 'jsonl' && options.excel) throw new UsageError('--excel applies to CSV, not --format jsonl');
  if (!options.out) throw new UsageError('--out is required: a file path, or - for stdout');
  if (options.out === '-' && !options.stdout) throw new UsageError('--out - needs a stdout stream');
  if (format === 'jsonl' && options.bom)
    throw new UsageError('--bom applies to CSV only, not --format jsonl');
  if (format === 'jsonl' && options.excelSafe)
    throw new UsageError('--excel-safe applies to CSV only, not --format jsonl');
  if (options.limit !== undefined) checkPositiveWholeNumber(options.limit, 'limit');
  if (options.concurrency !== undefined) checkPositiveWholeNumber(options.concurrency, 'concurrency');
  if (options.overlapMs !== undefined && (!Number.isFinite(options.overlapMs) || options.overlapMs < 0)) {
    throw new UsageError(`the overlap must be 0 or more milliseconds, got ${options.overlapMs}`);
  }
  return format;
}

/**
 * Filter arguments for every request. Range filters on `id` become the paging bounds (the pager owns `id[gt]` and
 * `id[lt_or_eq]`); an incremental run adds `updated-at[gt_or_eq]`.
 */
function buildQuery(
  filters: readonly ParsedFilter[],
  since: string | undefined,
  incremental: boolean,
): { query: IndexQuery; after: number | undefined; upTo: number | undefined } {
  const query: Array<readonly [string, string]> = [];
  let after: number | undefined;
  let upTo: number | undefined;
  for (const f of filters) {
    if (incremental && f.normalized === 'updated-at' && (f.operator === 'gt' || f.operator === 'gt_or_eq')) {
      throw new UsageError(
        `--filter "${f.source}" cannot be combined with --state, which sets the lower updated-at bound itself`,
        'FILTER',
      );
    }
    if (f.normalized === 'id' && f.sub === undefined) {
      const n = Number(f.value.trim());
      if (f.operator === 'gt' || f.operator === 'gt_or_eq') {
        const lo = f.operator === 'gt' ? n : n - 1;
        after = after === undefined ? lo : Math.max(after, lo);
        continue;
      }
      if (f.operator === 'lt' || f.operator === 'lt_or_eq') {
        const hi = f.operator === 'lt' ? n - 1 : n;
        upTo = upTo === undefined ? hi : Math.min(upTo, hi);
        continue;
      }
    }
    query.push(f.param);
  }
  if (since !== undefined) query.push(['updated-at[gt_or_eq]', since]);
  return { query, after, upTo };
}

function bounds(after: number | undefined, upTo: number | undefined): Array<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [];
  if (after !== undefined) out.push(['id[gt]', String(after)]);
  if (upTo !== undefined) out.push(['id[lt_or_eq]', String(upTo)]);
  return out;
}

/** The first request: a wrong instance, credential, scope, object id or filter fails here with a clear message. */
async function preflight(
  client: CoupaClient,
  objectId: number,
  query: IndexQuery,
): Promise<ObjectInstance | undefined> {
  try {
    return await readPreflight(
      client,
      objectId,
      query,
      "check --object (or the mapping's `object:`) and --instance",
    );
  } catch (error) {
    if (error instanceof CoupaApiError && error.status === 400) {
      throw new UsageError(
        `Coupa refused the query${error.messages.length ? `: ${error.messages.join('; ')}` : ''} (check --filter)`,
        'FILTER',
      );
    }
    throw error;
  }
}

function translateError(error: unknown, options: ExportOptions, objectId: number): unknown {
  const where =
    options.out === '-' ? 'the output on stdout is incomplete' : `nothing was written to ${options.out}`;
  if (options.signal?.aborted) return new AbortedError(`export interrupted: ${where}`, 'INTERRUPTED');
  if (error instanceof CoupaCsvError) {
    if (error instanceof AbortedError && error.code !== 'STATE') {
      return new AbortedError(`${error.message}; ${where}`, error.code);
    }
    return error;
  }
  if (error instanceof CoupaApiError) {
    return new AbortedError(`export of object ${objectId} stopped: ${error.message}; ${where}`, 'COUPA_API');
  }
  if (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('E')
  ) {
    return new AbortedError(`export stopped: cannot write the output (${error.message}); ${where}`, 'OUTPUT');
  }
  return error;
}

function isClient(value: ClientOptions | CoupaClient): value is CoupaClient {
  return typeof (value as Partial<CoupaClient>).list === 'function';
}

function sameFilters(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((f, i) => f === [...b].sort()[i]);
}

/** The output, the state file and the mapping must be three files: writing one over another would lose it. */
function checkDistinctFiles(files: Array<[flag: string, path: string | undefined]>): void {
  const given = files.filter((f): f is [string, string] => f[1] !== undefined);
  given.forEach(([flagA, a], i) => {
    for (const [flagB, b] of given.slice(i + 1)) {
      if (sameFile(a, b))
        throw new UsageError(
          `${flagA} and ${flagB} name the same file (${a}): give each its own file`,
          'OUTPUT',
        );
    }
  });
}
