import { loadMapping, type Mapping } from '../mapping/index.js';
import { checkObjectId, checkPositiveWholeNumber, checkTimeZone } from '../run/index.js';
import { checkWritableFile, sameFile, UsageError } from '../shared/index.js';
import { parseFilters, type ParsedFilter } from './filters.js';
import type { ExportFormat, ExportOptions } from './types.js';

/** The options of an export, checked, with defaults filled in and the mapping loaded. */
export interface CheckedExportOptions {
  format: ExportFormat;
  /** The `--filter`s, parsed (dates not yet read in the zone: see query.ts). */
  filters: ParsedFilter[];
  mapping: Mapping | undefined;
  objectId: number;
  timezone: string;
  /** Where the zone was set (for messages), or undefined when none was: then it is not checked against the instance. */
  zoneSetBy: string | undefined;
}

/**
 * Everything that can be checked without the network, before the first request (UsageError/InputError/ConfigError,
 * exit 2): the format and the flags it allows, the filters, the mapping, the object id, the zone, and that the
 * output, state and mapping files are writable and three different files. Says through `notice` what the user
 * should know of the mapping.
 */
export async function checkExportOptions(
  options: ExportOptions,
  notice: (message: string) => void,
): Promise<CheckedExportOptions> {
  const format = checkFormatOptions(options);
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
  const zoneSetBy =
    options.timezone !== undefined
      ? '--timezone or COUPA_TIMEZONE'
      : mapping?.timezone !== undefined
        ? `the timezone: of ${mapping.file}`
        : undefined;
  return { format, filters, mapping, objectId, timezone, zoneSetBy };
}

/** The format, and the flags that go with it; the output, the limit, the concurrency and the overlap. */
function checkFormatOptions(options: ExportOptions): ExportFormat {
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
