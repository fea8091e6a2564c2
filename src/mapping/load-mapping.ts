import { readFile } from 'node:fs/promises';
import { InputError } from '../shared/index.js';
import { decodeMapping, parseMappingDocument } from './parse-document.js';
import { validateMapping } from './validate-mapping.js';
import type { Mapping } from './types.js';

/**
 * Loads and validates a mapping file (`.yaml`/`.yml`, or `.json`): the file's bytes are read here, its syntax in
 * `parse-document.ts`, its meaning in `schema.ts` (shape) and `validate-mapping.ts` (rules, messages).
 * Every problem is an `InputError` with code `MAPPING`, the file and (when known) the line, whose message names the
 * key and what is wrong, with the closest valid choice for unknown keys and types.
 * @example
 * const mapping = await loadMapping('samples/vendors.mapping.yaml');
 * mapping.fields[0]; // { column: 'Vendor Code', field: 'vendor-code', type: 'string', ... }
 */
export async function loadMapping(path: string): Promise<Mapping> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'mapping file not found'
        : code === 'EISDIR'
          ? 'the mapping path is a folder, not a file'
          : `cannot read the mapping file (${code ?? 'unknown error'})`;
    throw new InputError('MAPPING', reason, { file: path });
  }
  return parseMappingText(decodeMapping(bytes, path), path);
}

/** Validates mapping text as {@link loadMapping} does (the format follows the extension of `file`). */
export function parseMappingText(text: string, file: string): Mapping {
  const { raw, lines } = parseMappingDocument(text, file);
  return validateMapping(raw, file, lines);
}
