import * as path from 'node:path';
import type { CsvReadOptions } from '../csv/index.js';
import { closestHeader } from '../mapping/index.js';
import { loadMapping } from '../mapping/index.js';
import type { BoundMapping, Mapping } from '../mapping/index.js';
import { readIsoDate } from '../mapping/index.js';
import { checkObjectId, checkPositiveWholeNumber, checkTimeZone } from '../run/index.js';
import { InputError, UsageError } from '../shared/index.js';
import { zonedMidnight } from '../shared/index.js';
import type { ImportHooks, ImportMode, ImportOptions } from './types.js';

/** The options of a run, checked, with defaults filled in and the mapping loaded. */
export interface CheckedImportOptions {
  file: string;
  mapping: Mapping;
  mode: ImportMode;
  dryRun: boolean;
  /** `--plan`: look up, write nothing to Coupa. */
  plan: boolean;
  resume: boolean;
  concurrency: number;
  limit: number | undefined;
  objectId: number;
  timezone: string;
  /** Where the zone was set (for messages), or undefined when none was: the instance's offset is then checked. */
  zoneSetBy: string | undefined;
  /** True when rows carry a date whose stored instant depends on the zone (date/datetime columns, date constants). */
  writesDates: boolean;
  /** Create mode: run a file whose results record a finished run again. */
  again: boolean;
  /** Stop once this many rows have failed on the server (undefined: only the early stop of the first rows). */
  maxFailures: number | undefined;
  /** How the input is read. */
  csvOptions: CsvReadOptions;
}

/**
 * Checks the options that need no file but the mapping (UsageError, exit 2), loads the mapping and says what the
 * user should know of its constants. Nothing is read from the input yet.
 */
export async function checkImportOptions(
  options: ImportOptions,
  hooks: ImportHooks,
): Promise<CheckedImportOptions> {
  const mode: ImportMode = options.mode ?? 'create';
  const dryRun = options.dryRun === true;
  const plan = options.plan === true;
  const resume = options.resume === true;
  const concurrency = checkPositiveWholeNumber(options.concurrency ?? 8, 'concurrency');
  const limit = options.limit === undefined ? undefined : checkPositiveWholeNumber(options.limit, 'limit');
  if (limit !== undefined && resume) {
    // The results file must keep every row an earlier run applied; rows past the limit would drop out of it.
    throw new UsageError(
      '--limit cannot be combined with --resume: resume the whole file (a canary run with --limit, then --resume, works)',
    );
  }
  if (options.rate !== undefined && !(options.rate > 0)) {
    throw new UsageError(`--rate must be a positive number, got ${String(options.rate)}`);
  }
  if (dryRun && resume)
    throw new UsageError('--resume cannot be combined with --dry-run (validate sends nothing)');
  if (plan && dryRun) throw new UsageError('--plan cannot be combined with --dry-run: choose one');
  if (plan && resume)
    throw new UsageError('--plan cannot be combined with --resume (a plan writes nothing to resume)');

  const file = path.resolve(options.file);
  const mapping: Mapping =
    typeof options.mapping === 'string' ? await loadMapping(options.mapping) : options.mapping;
  const objectId = options.objectId ?? mapping.object;
  if (objectId === undefined) {
    throw new UsageError(
      `no custom object id: set "object:" in ${mapping.file} or pass --object`,
      'NO_OBJECT',
    );
  }
  checkObjectId(objectId);
  const timezone = checkTimeZone(options.timezone ?? mapping.timezone ?? 'UTC');
  const zoneSetBy =
    options.timezone !== undefined
      ? '--timezone or COUPA_TIMEZONE'
      : mapping.timezone !== undefined
        ? `"timezone:" in ${path.basename(mapping.file)}`
        : undefined;
  const maxFailures =
    options.maxFailures === undefined
      ? undefined
      : checkPositiveWholeNumber(options.maxFailures, 'max-failures');
  let writesDates = mapping.fields.some(
    (f) => f.type === 'date' || (f.type === 'datetime' && f.timezone === undefined),
  );
  for (const [field, value] of Object.entries(mapping.constants)) {
    if (typeof value !== 'string' || readIsoDate(value.trim()) === undefined) continue;
    writesDates = true;
    // Constants are sent as written (the field may be text); a date field would read this as midnight UTC.
    hooks.onNotice?.(
      `constant ${field}: ${value} is sent as written; if ${field} is a date field, Coupa reads it as midnight UTC, ` +
        `the day before in a zone west of UTC: write it as ${zonedMidnight(value.trim(), timezone)} (midnight in ${timezone})`,
    );
  }
  // Repeated header names are refused only when the mapping reads one of them (bindMapping).
  const csvOptions: CsvReadOptions = {
    allowDuplicateHeaders: true,
    columns: mapping.fields.map((f) => f.column),
    ...(options.encoding ? { encoding: options.encoding } : {}),
    ...(options.delimiter ? { delimiter: options.delimiter } : {}),
    ...(options.sheet !== undefined ? { sheet: options.sheet } : {}),
    ...(options.headerRow !== undefined ? { headerRow: options.headerRow } : {}),
  };
  return {
    file,
    mapping,
    mode,
    dryRun,
    plan,
    resume,
    concurrency,
    limit,
    objectId,
    timezone,
    zoneSetBy,
    writesDates,
    again: options.again === true,
    maxFailures,
    csvOptions,
  };
}

/** What a mode needs of the mapping and the header: update an id column, upsert a key; a key is a plain field. */
export function checkModePrerequisites(mode: ImportMode, mapping: Mapping, bound: BoundMapping): void {
  if (mode === 'update') {
    if (mapping.id === undefined) {
      throw new InputError(
        'MAPPING',
        '--mode update needs "id:" (the column holding the Coupa instance id)',
        {
          file: mapping.file,
        },
      );
    }
    if (bound.idIndex === undefined) {
      throw new InputError(
        'MISSING_COLUMN',
        `--mode update needs the id column "${mapping.id}", which the header lacks${closestHeader(mapping.id, bound.header)}`,
        { file: bound.file, line: 1 },
      );
    }
  }
  if (mode === 'upsert') {
    if (mapping.key === undefined) {
      throw new InputError(
        'MAPPING',
        '--mode upsert needs "key:" (a unique custom field to find existing records by)',
        {
          file: mapping.file,
        },
      );
    }
    if (bound.keyIndex === undefined) {
      throw new InputError(
        'MAPPING',
        `--mode upsert: the key field "${mapping.key}" is not mapped from any column`,
        {
          file: mapping.file,
        },
      );
    }
  }
  const keySpec = mapping.fields.find((f) => f.field === mapping.key);
  if (keySpec && (keySpec.type === 'lookup' || keySpec.type === 'user' || keySpec.type === 'supplier')) {
    // Records are looked up by the key's value (an index filter on the field): a reference cannot be one.
    throw new InputError(
      'MAPPING',
      `"key: ${mapping.key}" is a ${keySpec.type} reference; the key must be a plain field (text, number or date) whose value is unique`,
      { file: mapping.file },
    );
  }
}

/**
 * `<input without .csv>.results.csv` beside the input (an `.xlsx` input's too: its `.results.xlsx` is written from
 * this file at the end of the run, see xlsxResultsPathFor).
 */
export function defaultResultsPath(file: string): string {
  const base = file.replace(/\.(csv|xlsx|xlsm)$/i, '');
  return `${base}.results.csv`;
}

/** The `.xlsx` results file of a workbook input, beside its results CSV: `x.results.csv` -> `x.results.xlsx`. */
export function xlsxResultsPathFor(resultsCsv: string): string {
  return /\.csv$/i.test(resultsCsv) ? resultsCsv.replace(/\.csv$/i, '.xlsx') : `${resultsCsv}.xlsx`;
}
