import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toJsonSchema } from '@valibot/to-json-schema';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { format, resolveConfig } from 'prettier';
import { parse } from 'yaml';
import { MAPPING_SCHEMA, parseMappingText } from '../../src/mapping/index.js';

const SCHEMA_FILE = join(import.meta.dirname, '../../schema/mapping.schema.json');
const SAMPLES = join(import.meta.dirname, '../../samples');

/**
 * The JSON Schema for editors, generated from the valibot schema the loader validates with. Checks a value's shape
 * only (keys, types, choices): the loader checks more (format tokens, `by:` per type, time zone names, a column or
 * field mapped twice).
 */
async function generated(): Promise<string> {
  const schema = toJsonSchema(MAPPING_SCHEMA, { errorMode: 'ignore', typeMode: 'output' });
  const withTitle = {
    $schema: schema.$schema,
    title: 'coupa-csv mapping file',
    description: 'CSV columns -> Coupa custom object fields (coupa-csv SPEC, "Mapping file")',
    ...schema,
  };
  // As prettier writes it, so that `prettier --check .` passes on the committed file.
  const options = (await resolveConfig(SCHEMA_FILE)) ?? {};
  return format(JSON.stringify(withTitle), { ...options, filepath: SCHEMA_FILE });
}

describe('schema/mapping.schema.json', () => {
  it("is the one generated from the loader's schema (UPDATE_MAPPING_SCHEMA=1 rewrites it)", async () => {
    if (process.env.UPDATE_MAPPING_SCHEMA === '1') await writeFile(SCHEMA_FILE, await generated());
    expect(await readFile(SCHEMA_FILE, 'utf8')).toBe(await generated());
  });

  let compiled: ((data: unknown) => boolean) | undefined;
  const validate = async (): Promise<(data: unknown) => boolean> => {
    compiled ??= new Ajv({ allErrors: true, strict: false }).compile(
      JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as object,
    );
    return compiled;
  };

  it('accepts every sample mapping, as the loader does', async () => {
    const check = await validate();
    const files = (await readdir(SAMPLES)).filter((f) => /\.mapping\.(ya?ml|json)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const name of files) {
      const text = await readFile(join(SAMPLES, name), 'utf8');
      expect(() => parseMappingText(text, name)).not.toThrow();
      expect(check(parse(text)), name).toBe(true);
    }
  });

  it.each([
    [
      'boolean words and grouping',
      'fields:\n  A: { field: a, type: boolean, true: [Ja, J], false: Nein }\n  B: { field: b, type: decimal, decimal: ",", group: "." }\n',
      true,
    ],
    [
      'a short field and constants',
      'object: 101\nfields:\n  A: a\nconstants:\n  b: 1\n  c: { name: x }\n',
      true,
    ],
    ['an unknown top key', 'fields:\n  A: a\ntimezon: UTC\n', false],
    ['an unknown field key', 'fields:\n  A: { field: a, fromat: x }\n', false],
    ['an unknown type', 'fields:\n  A: { field: a, type: decimel }\n', false],
    ['a bad decimal separator', 'fields:\n  A: { field: a, type: decimal, decimal: ";" }\n', false],
    ['a bad thousands separator', 'fields:\n  A: { field: a, type: decimal, group: "-" }\n', false],
    ['no fields', 'object: 101\n', false],
    ['fields as a list', 'fields:\n  - a\n', false],
    ['a field without field:', 'fields:\n  A: { type: string }\n', false],
    ['a field name with spaces', 'fields:\n  A: the a\n', false],
    ['required as text', 'fields:\n  A: { field: a, required: "yes" }\n', false],
    ['an empty word list', 'fields:\n  A: { field: a, type: boolean, true: [] }\n', false],
    ['a constant list', 'fields:\n  A: a\nconstants:\n  b: [1, 2]\n', false],
    ['object zero', 'object: 0\nfields:\n  A: a\n', false],
  ])('%s: same verdict as the loader', async (_name, text, valid) => {
    const check = await validate();
    let loaded = true;
    try {
      parseMappingText(text, 'm.yaml');
    } catch {
      loaded = false;
    }
    expect(loaded).toBe(valid);
    expect(check(parse(text))).toBe(valid);
  });
});
