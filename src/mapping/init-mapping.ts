import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { openCsv, type DelimiterOption, type EncodingOption } from '../csv/index.js';
import { checkWritableFile, errorText, InputError, UsageError } from '../shared/index.js';
import { guessMapping } from './guess-mapping.js';

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
}

export interface InitMappingResult {
  /** The mapping as written (or to print): YAML, or JSON for an `out` ending in .json; ends with a line break. */
  text: string;
  /** The CSV's columns, one mapping entry each. */
  columns: number;
  /** The file written, when `out` was given. */
  out?: string;
}

/**
 * Guesses a mapping skeleton from a CSV file: its header, and a type for each column from the first rows. Writes it
 * to `out` when given (refusing to overwrite without `force`), and returns it in any case.
 *
 * @throws UsageError for a sample or object id that is not a positive whole number; InputError `EXISTS`,
 *   `OUTPUT` for an `out` that cannot be written, and the CSV reader's errors for the input
 * @example
 * const { text } = await initMapping({ file: 'vendors.csv', object: 101 });
 */
export async function initMapping(options: InitMappingOptions): Promise<InitMappingResult> {
  const sampleSize = options.sample ?? 50;
  if (!Number.isInteger(sampleSize) || sampleSize <= 0) {
    throw new UsageError(`--sample must be a positive whole number, got ${String(sampleSize)}`);
  }
  const object = options.object;
  if (object !== undefined && (!Number.isInteger(object) || object <= 0)) {
    throw new UsageError(`--object must be a positive whole number, got ${String(object)}`);
  }
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
  const yaml = guessMapping(source.header, sample, object !== undefined ? { object } : {});
  const columns = source.header.length;
  if (out === undefined) return { text: withNewline(yaml), columns };
  // A .json mapping is read as JSON: the same mapping, without the comments.
  const text = withNewline(
    path.extname(out).toLowerCase() === '.json' ? JSON.stringify(parse(yaml), null, 2) : yaml,
  );
  try {
    fs.writeFileSync(out, text);
  } catch (error) {
    throw new InputError('OUTPUT', `cannot write the mapping: ${errorText(error)}`, { file: out });
  }
  return { text, columns, out };
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
