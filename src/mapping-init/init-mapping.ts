import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CoupaApiError, type CoupaClient } from '../coupa/index.js';
import { openCsv, type DelimiterOption, type EncodingOption } from '../csv/index.js';
import { discoverFields, NO_RECORDS_HINT, type DiscoverFieldsResult } from '../fields/index.js';
import { guessMappingColumns, type GuessInstance, type GuessedColumn } from '../mapping/index.js';
import { AbortedError, checkWritableFile, errorText, InputError } from '../shared/index.js';
import { checkObjectId, checkPositiveWholeNumber } from '../run/index.js';
import { likelyZone } from './likely-zone.js';

export interface InitMappingOptions {
  /** The CSV file whose header (and first rows) the mapping is guessed from. */
  file: string;
  /** Where to write the mapping (`.json`: as JSON, else YAML with comments); undefined: only returned. */
  out?: string | undefined;
  /** The custom object id written as `object:`. */
  object?: number | undefined;
  /** Overwrite `out` if it exists. Default false. */
  force?: boolean | undefined;
  encoding?: EncodingOption | undefined;
  delimiter?: DelimiterOption | undefined;
  /** Data rows read to guess the column types. Default 50. */
  sample?: number | undefined;
  /**
   * A client of the instance, to match the headers to the object's real fields and to read the instance's time zone
   * (read-only: a page or two of the object's records). Used only with `object`; without it nothing is sent.
   */
  client?: CoupaClient | undefined;
  /** What the user should know about how the mapping was made (an object with no records, an unreachable instance). */
  onNotice?: ((message: string) => void) | undefined;
}

/** Where the field names came from: the object's records, or the headers (and why). */
export type InitMappingSource = 'instance' | 'empty-object' | 'unreachable' | 'headers';

export interface InitMappingResult {
  /** The mapping as written (or to print): YAML, or JSON for an `out` ending in .json; ends with a line break. */
  text: string;
  /** The CSV's columns, one mapping entry each. */
  columns: number;
  /** The file written, when `out` was given. */
  out?: string;
  source: InitMappingSource;
  /** Each column's field, and the CHECK the mapping marks it with. */
  mapped: GuessedColumn[];
  /** The time zone written as `timezone:` (from the instance's offsets), when one was. */
  timezone?: string;
}

/**
 * Guesses a mapping skeleton from a CSV file: its header, and a type for each column from the first rows. With a
 * `client` and an `object`, the headers are matched to the object's real fields and the instance's time zone is
 * filled in (both marked for the user to check where unsure); an object with no records, or an instance that cannot
 * be reached, leaves the names guessed from the headers, said in a notice and in the file. Writes it to `out` when
 * given (refusing to overwrite without `force`), and returns it in any case.
 *
 * @throws UsageError for a sample or object id that is not a positive whole number; InputError `EXISTS`,
 *   `OUTPUT` for an `out` that cannot be written, and the CSV reader's errors for the input (all before anything
 *   is sent); ConfigError `OBJECT_NOT_FOUND` and AuthError from the instance
 * @example
 * const { text } = await initMapping({ file: 'vendors.csv', object: 101, client });
 */
export async function initMapping(options: InitMappingOptions): Promise<InitMappingResult> {
  const sampleSize = checkPositiveWholeNumber(options.sample ?? 50, 'sample');
  const object = options.object === undefined ? undefined : checkObjectId(options.object);
  const out = options.out;
  if (out !== undefined && options.force !== true && fs.existsSync(out)) {
    throw new InputError('EXISTS', 'already exists; pass --force to overwrite it', { file: out });
  }
  if (out !== undefined) checkWritableFile(out, 'mapping');
  const source = await openCsv(options.file, {
    encoding: options.encoding ?? 'auto',
    delimiter: options.delimiter ?? 'auto',
  });
  const sample: string[][] = [];
  for await (const record of source.records()) {
    if (record.error === undefined) sample.push(record.cells);
    if (sample.length >= sampleSize) break;
  }

  const notice = (message: string): void => options.onNotice?.(message);
  let from: InitMappingSource = 'headers';
  let instance: GuessInstance | undefined;
  const notes: string[] = [];
  if (options.client !== undefined && object !== undefined) {
    const discovered = await readObject(options.client, object);
    if ('unreachable' in discovered) {
      from = 'unreachable';
      notes.push(
        `CHECK: the instance could not be reached (${discovered.unreachable}): the field names below were made`,
        'from the headers, not checked against the object, and the time zone is not set.',
      );
      notice(
        `the instance could not be reached (${discovered.unreachable}): the mapping was guessed from the file ` +
          `alone (field names made from the headers, no time zone); run mapping init again when it can be reached`,
      );
    } else if (discovered.records === 0) {
      from = 'empty-object';
      instance = { fields: [], records: 0 };
      notes.push(
        `CHECK: object ${object} has no records, so its field names could not be read: the names below were`,
        'made from the headers. In Coupa they are under Setup > Custom Objects > the object > its fields (use',
        'each field\'s API name; a name with "_" is written with "-"), or create one record and run this again.',
        "The instance's time zone could not be read either: set timezone: before dates are imported.",
      );
      notice(
        `object ${object} has no records: the field names in the mapping were made from the headers and are ` +
          `marked "# CHECK", and the instance's time zone could not be read (set timezone: before dates are ` +
          `imported). ${NO_RECORDS_HINT}`,
      );
    } else {
      from = 'instance';
      const zone = likelyZone(
        (discovered.offsets ?? []).map((o) => ({ instant: o.instant, offsetMs: o.offsetMs })),
      );
      instance = {
        fields: discovered.fields,
        records: discovered.records,
        ...(zone === undefined
          ? {}
          : {
              timezone: {
                zone: zone.zone,
                comment:
                  `CHECK: the instance reports UTC${zone.offset}${zoneWhen(discovered)}; confirm its zone ` +
                  `(e.g. ${zone.candidates.join(', ')})`,
              },
            }),
      };
    }
  } else if (object !== undefined) {
    notes.push(
      `Field names were made from the headers: \`coupa-csv fields --object ${object}\` lists the object's real`,
      'ones (and mapping init with the connection settings set matches them to the headers).',
    );
  }

  const guessed = guessMappingColumns(source.header, sample, {
    ...(object !== undefined ? { object } : {}),
    ...(instance !== undefined ? { instance } : {}),
    notes,
  });
  const timezone = instance?.timezone?.zone;
  const base = {
    columns: source.header.length,
    source: from,
    mapped: guessed.columns,
    ...(timezone === undefined ? {} : { timezone }),
  };
  const yaml = guessed.text;
  if (out === undefined) return { text: withNewline(yaml), ...base };
  // A .json mapping is read as JSON: the same mapping, without the comments.
  const text = withNewline(
    path.extname(out).toLowerCase() === '.json' ? JSON.stringify(parse(yaml), null, 2) : yaml,
  );
  try {
    fs.writeFileSync(out, text);
  } catch (error) {
    throw new InputError('OUTPUT', `cannot write the mapping: ${errorText(error)}`, { file: out });
  }
  return { text, ...base, out };
}

/**
 * The object's fields, or why the instance could not be reached: an instance that does not answer (after the
 * client's retries) or answers with a server error leaves the guess from the file, which is still of use. A refused
 * credential or an unknown object is thrown: those the user must fix, and the next command would fail on them too.
 */
async function readObject(
  client: CoupaClient,
  object: number,
): Promise<DiscoverFieldsResult | { unreachable: string }> {
  try {
    return await discoverFields(client, object, { withOffsets: true });
  } catch (error) {
    if (error instanceof AbortedError && error.code === 'UNREACHABLE') return { unreachable: error.message };
    if (error instanceof CoupaApiError && error.status >= 500) return { unreachable: error.message };
    throw error;
  }
}

/** ` in record 17's created-at (2026-03-02T09:30:00-08:00)`: where the offset was read. */
function zoneWhen(discovered: DiscoverFieldsResult): string {
  const first = discovered.offsets?.[0];
  return first === undefined ? '' : ` in record ${first.recordId}'s ${first.attribute} (${first.text})`;
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
