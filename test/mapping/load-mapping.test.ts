import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/shared/errors.js';
import { loadMapping, parseMappingText } from '../../src/mapping/index.js';

const SPEC_EXAMPLE = `object: 101                 # custom object id (the --object flag wins)
timezone: America/Los_Angeles   # the instance's time zone
id: Coupa ID
key: vendor-code
fields:
  Vendor Code: vendor-code
  Vendor Name: { field: vendor-name, required: true }
  Amount: { field: amount, type: decimal, decimal: "," }
  Start Date: { field: start-date, type: date, format: DD/MM/YYYY }
  Approved At: { field: approved-at, type: datetime, timezone: Europe/Berlin }
  Active: { field: active, type: boolean }
  Cost Center: { field: cost-center, type: lookup, by: name }
  Owner: { field: owner, type: user, by: login }
  Notes: { field: notes, blank: null }
constants:
  source-system: legacy-erp
`;

function mappingError(text: string, file = 'm.yaml'): InputError {
  try {
    parseMappingText(text, file);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected a mapping error');
}

describe('loading a valid mapping', () => {
  it('reads every key of the SPEC example', () => {
    const m = parseMappingText(SPEC_EXAMPLE, 'm.yaml');
    expect(m.object).toBe(101);
    expect(m.timezone).toBe('America/Los_Angeles');
    expect(m.id).toBe('Coupa ID');
    expect(m.key).toBe('vendor-code');
    expect(m.constants).toEqual({ 'source-system': 'legacy-erp' });
    expect(m.fields.map((f) => [f.column, f.field, f.type])).toEqual([
      ['Vendor Code', 'vendor-code', 'string'],
      ['Vendor Name', 'vendor-name', 'string'],
      ['Amount', 'amount', 'decimal'],
      ['Start Date', 'start-date', 'date'],
      ['Approved At', 'approved-at', 'datetime'],
      ['Active', 'active', 'boolean'],
      ['Cost Center', 'cost-center', 'lookup'],
      ['Owner', 'owner', 'user'],
      ['Notes', 'notes', 'string'],
    ]);
    expect(m.fields[1]).toMatchObject({ required: true, blank: 'skip' });
    expect(m.fields[2]).toMatchObject({ decimal: ',' });
    expect(m.fields[3]).toMatchObject({ format: 'DD/MM/YYYY' });
    expect(m.fields[4]).toMatchObject({ timezone: 'Europe/Berlin' });
    expect(m.fields[6]).toMatchObject({ by: 'name' });
    expect(m.fields[8]).toMatchObject({ blank: 'null' });
  });

  it('normalises underscores in field names to hyphens (Coupa answers with hyphens)', () => {
    const m = parseMappingText(
      'key: vendor_code\nfields:\n  Code: vendor_code\n  Ref: { field: ext_ref, type: lookup, by: external_ref_code }\n',
      'm.yml',
    );
    expect(m.fields.map((f) => f.field)).toEqual(['vendor-code', 'ext-ref']);
    expect(m.fields[1]?.by).toBe('external-ref-code');
    expect(m.key).toBe('vendor-code');
  });

  it('accepts JSON with the same keys', () => {
    const json = JSON.stringify({
      object: 102,
      key: 'allocation-code',
      fields: { Code: 'allocation-code', Year: { field: 'fiscal-year', type: 'integer', required: true } },
    });
    const m = parseMappingText(json, 'm.json');
    expect(m.object).toBe(102);
    expect(m.fields[1]).toMatchObject({ field: 'fiscal-year', type: 'integer', required: true });
  });

  it('ignores a UTF-8 BOM at the start of the file', () => {
    expect(parseMappingText('\uFEFFfields:\n  A: a\n', 'm.yaml').fields).toHaveLength(1);
  });
});

describe('mapping errors name the key, the line and what is wrong', () => {
  it.each([
    [
      'unknown top key with suggestion',
      'fields:\n  A: a\ntimezon: UTC\n',
      /"timezon" is not a mapping key \(did you mean "timezone"\?\)/,
      3,
    ],
    [
      'unknown top key without a close match',
      'fields:\n  A: a\nbanana: 1\n',
      /"banana" is not a mapping key \(one of: object, timezone, id, key, fields, constants\)/,
      3,
    ],
    [
      'unknown type',
      'fields:\n  Amount: { field: amount, type: decimel }\n',
      /fields\."Amount"\.type: "decimel" is not a type \(did you mean "decimal"\?\)/,
      2,
    ],
    [
      'unknown field key',
      'fields:\n  Amount:\n    field: amount\n    fromat: DD/MM/YYYY\n',
      /fields\."Amount": "fromat" is not a field key \(did you mean "format"\?\)/,
      4,
    ],
    [
      'bad time zone',
      'timezone: Europe/Berln\nfields:\n  A: a\n',
      /timezone: "Europe\/Berln" is not a time zone \(did you mean "Europe\/Berlin"\?\)/,
      1,
    ],
    [
      'bad column time zone',
      'fields:\n  At: { field: at, type: datetime, timezone: America/Los_Angles }\n',
      /fields\."At"\.timezone: .*did you mean "America\/Los_Angeles"/,
      2,
    ],
    [
      'object not a positive integer',
      'object: -3\nfields:\n  A: a\n',
      /object: -3 is not a custom object id/,
      1,
    ],
    ['object text', 'object: abc\nfields:\n  A: a\n', /object: "abc" is not a custom object id/, 1],
    ['fields missing', 'object: 101\n', /`fields:` is missing/, undefined],
    ['fields empty', 'fields: {}\n', /fields: is empty/, 1],
    ['fields is a list', 'fields:\n  - a\n', /fields: must be a map/, 2],
    ['empty file', '', /the mapping file is empty/, undefined],
    ['field with no name', 'fields:\n  Notes:\n', /fields\."Notes": needs a field name/, 2],
    [
      'long form without field',
      'fields:\n  Notes: { type: string }\n',
      /fields\."Notes": `field:` is missing/,
      2,
    ],
    ['field name with spaces', 'fields:\n  Notes: the notes\n', /"the notes" is not a valid field name/, 2],
    [
      'reference without by',
      'fields:\n  Owner: { field: owner, type: user }\n',
      /fields\."Owner": a user field needs `by:` \(one of: id, login, email\)/,
      2,
    ],
    [
      'reference with a wrong by',
      'fields:\n  CC: { field: cc, type: lookup, by: nmae }\n',
      /fields\."CC"\.by: "nmae" does not identify a lookup \(did you mean "name"\?\)/,
      2,
    ],
    [
      'supplier by login',
      'fields:\n  S: { field: s, type: supplier, by: login }\n',
      /"login" does not identify a supplier/,
      2,
    ],
    [
      'by on a string',
      'fields:\n  S: { field: s, by: name }\n',
      /fields\."S"\.by: applies to lookup, user and supplier fields only/,
      2,
    ],
    [
      'format on an integer',
      'fields:\n  N: { field: n, type: integer, format: YYYY }\n',
      /fields\."N"\.format: applies to date and datetime fields only/,
      2,
    ],
    [
      'bad date format token',
      'fields:\n  D: { field: d, type: date, format: DD/MM/YY }\n',
      /fields\."D"\.format: "DD\/MM\/YY" is not a date format: "YY" is not a token \(tokens: YYYY MM DD\)/,
      2,
    ],
    [
      'unknown format letters',
      'fields:\n  D: { field: d, type: date, format: D/M/YYYY }\n',
      /"D" is not a token/,
      2,
    ],
    [
      'time tokens in a date',
      'fields:\n  D: { field: d, type: date, format: YYYY-MM-DD HH:mm }\n',
      /a date format has no time tokens/,
      2,
    ],
    [
      'datetime format without HH',
      'fields:\n  D: { field: d, type: datetime, format: YYYY-MM-DD }\n',
      /a datetime format needs HH/,
      2,
    ],
    [
      'date format without a year',
      'fields:\n  D: { field: d, type: date, format: DD/MM }\n',
      /"DD\/MM" is not a date format: it has no YYYY/,
      2,
    ],
    [
      'blank: null is the null policy, other junk is not',
      'fields:\n  A: { field: a, blank: 3 }\n',
      /fields\."A"\.blank: 3 is not a blank policy/,
      2,
    ],
    [
      'repeated token',
      'fields:\n  D: { field: d, type: date, format: DD/MM/YYYY/DD }\n',
      /token DD appears twice/,
      2,
    ],
    [
      'decimal separator',
      'fields:\n  A: { field: a, type: decimal, decimal: ";" }\n',
      /fields\."A"\.decimal: ";" is not a decimal separator/,
      2,
    ],
    [
      'decimal on a date',
      'fields:\n  A: { field: a, type: date, decimal: "," }\n',
      /applies to decimal and integer fields only/,
      2,
    ],
    [
      'timezone on a date',
      'fields:\n  A: { field: a, type: date, timezone: UTC }\n',
      /fields\."A"\.timezone: applies to datetime fields only/,
      2,
    ],
    [
      'blank policy',
      'fields:\n  A: { field: a, blank: nul }\n',
      /fields\."A"\.blank: "nul" is not a blank policy \(did you mean "null"\?\)/,
      2,
    ],
    [
      'required not boolean',
      'fields:\n  A: { field: a, required: "sometimes" }\n',
      /fields\."A"\.required: "sometimes" is not true or false/,
      2,
    ],
    [
      'duplicate column ignoring case',
      'fields:\n  Amount: a\n  " amount": b\n',
      /fields\." amount": the column appears twice \(as "Amount" too/,
      3,
    ],
    [
      'same column twice (YAML)',
      'fields:\n  Amount: a\n  Amount: b\n',
      /not valid YAML: the key "Amount" appears twice in the same map/,
      3,
    ],
    [
      'field mapped twice',
      'fields:\n  A: amount\n  B: amount\n',
      /fields\."B": field "amount" is already mapped from column "A"/,
      3,
    ],
    [
      'key is not a mapped field',
      'key: vendor-cod\nfields:\n  Code: vendor-code\n',
      /key: "vendor-cod" is not one of the mapped fields \(did you mean "vendor-code"\?\)/,
      1,
    ],
    [
      'key names a column',
      'key: Code\nfields:\n  Code: vendor-code\n',
      /key: "Code" is a column; key names its field: "vendor-code"/,
      1,
    ],
    [
      'id column also mapped',
      'id: Code\nfields:\n  Code: vendor-code\n',
      /id: column "Code" is also mapped under fields/,
      1,
    ],
    [
      'constant clashes with a field',
      'fields:\n  A: a\nconstants:\n  a: 1\n',
      /constants\."a": field "a" is also mapped from column "A"/,
      4,
    ],
    [
      'constant list',
      'fields:\n  A: a\nconstants:\n  b: [1, 2]\n',
      /constants\."b": a constant is a single value/,
      4,
    ],
    ['invalid YAML', 'fields:\n  A: { field: a\n', /not valid YAML/, undefined],
    ['top level list', '- a\n- b\n', /the mapping must be a map of keys/, undefined],
  ])('%s', (_name, text, message, line) => {
    const error = mappingError(text);
    expect(error.code).toBe('MAPPING');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(message);
    expect(error.location?.file).toBe('m.yaml');
    if (line !== undefined) expect(error.location?.line).toBe(line);
    expect(error.message).not.toContain('\n');
  });

  it.each([
    [
      'an alias without its anchor',
      'fields:\n  A: a\n  B: { <<: *date, field: b }\n',
      /the alias \*date has no anchor &date/,
      3,
      12,
    ],
    ['a tab for indentation', 'fields:\n\tA: a\n', /a tab is used for indentation: indent with spaces/, 2, 1],
    ['two documents', 'fields:\n  A: a\n---\nfields:\n  B: b\n', /more than one YAML document/, 3, 1],
    [
      'a key with no value',
      'timezone:\nfields:\n  A: a\n',
      /^m\.yaml:1: timezone: has no value/,
      1,
      undefined,
    ],
    ['an empty type', 'fields:\n  A: { field: a, type: }\n', /fields\."A"\.type: has no value/, 2, undefined],
    [
      'an empty blank policy',
      'fields:\n  A:\n    field: a\n    blank:\n',
      /fields\."A"\.blank: has no value/,
      4,
      undefined,
    ],
    [
      'fields with nothing under it',
      'object: 1\nfields:\n',
      /fields: is empty: map at least one CSV column/,
      2,
      undefined,
    ],
  ])('%s', (_name, text, message, line, column) => {
    const error = mappingError(text);
    expect(error.message).toMatch(message);
    expect(error.exitCode).toBe(2);
    expect(error.location?.line).toBe(line);
    expect(error.location?.column).toBe(column);
  });

  it('an alias bomb is refused, not expanded', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    const error = mappingError(`${lines.join('\n')}\nfields:\n  A: a\n`);
    expect(error.code).toBe('MAPPING');
    expect(error.message).toMatch(/not valid YAML/);
  });

  it("reads a YAML merge key (<<) of a field's options", () => {
    const mapping = parseMappingText(
      'fields:\n  Start: &date { field: start, type: date, format: DD/MM/YYYY }\n  End: { <<: *date, field: end }\n',
      'm.yaml',
    );
    expect(mapping.fields[1]).toMatchObject({ field: 'end', type: 'date', format: 'DD/MM/YYYY' });
  });

  it('keeps column names and constants as written, in file order, where YAML would read them as numbers', () => {
    const mapping = parseMappingText(
      'fields:\n  Name: name\n  0100: account\n  2024.10: period\n  0x10: hex\n  2024: year\n  null: nothing\nconstants:\n  tax-id: 007\n  ratio: 1.10\n  terms: 30\n  notes: ~\n  active: true\n',
      'm.yaml',
    );
    expect(mapping.fields.map((f) => f.column)).toEqual(['Name', '0100', '2024.10', '0x10', '2024', 'null']);
    expect(mapping.constants).toEqual({
      'tax-id': '007',
      ratio: '1.10',
      terms: 30,
      notes: null,
      active: true,
    });
  });

  it('keeps the order of numeric column names in JSON, and refuses a JSON key given twice', () => {
    const mapping = parseMappingText(
      '{"fields": {"Name": "name", "2024": "year", "10": "ten"}, "constants": {"ratio": 1.10}}',
      'm.json',
    );
    expect(mapping.fields.map((f) => f.column)).toEqual(['Name', '2024', '10']);
    expect(mapping.constants).toEqual({ ratio: '1.10' });
    const error = mappingError(
      '{\n  "object": 101,\n  "object": 999,\n  "fields": {"A": "a"}\n}\n',
      'm.json',
    );
    expect(error.message).toMatch(/not valid JSON: the key "object" appears twice/);
    expect(error.location?.line).toBe(3);
  });

  it('names the likely cause of a JSON syntax error, at its line and column', () => {
    const trailing = mappingError('{\n  "fields": {\n    "A": "a",\n  }\n}\n', 'm.json');
    expect(trailing.message).toMatch(/JSON allows no trailing comma/);
    expect(trailing.location).toMatchObject({ line: 4, column: 3 });
    const comment = mappingError('{\n  // the fields\n  "fields": {"A": "a"}\n}\n', 'm.json');
    expect(comment.message).toMatch(/JSON has no comments/);
    expect(comment.location).toMatchObject({ line: 2, column: 3 });
    expect(comment.message).not.toMatch(/position/);
  });

  it('reports the line of a JSON syntax error', () => {
    const error = mappingError('{\n  "fields": {\n    "A": "a",\n  }\n}\n', 'm.json');
    expect(error.code).toBe('MAPPING');
    expect(error.message).toMatch(/not valid JSON/);
    expect(error.location?.line).toBe(4);
  });

  it('reports the line of a JSON validation error', () => {
    const error = mappingError(
      '{\n  "fields": {\n    "A": { "field": "a", "type": "strng" }\n  }\n}\n',
      'm.json',
    );
    expect(error.message).toMatch(/fields\."A"\.type: "strng" is not a type \(did you mean "string"\?\)/);
    expect(error.location?.line).toBe(3);
  });
});

describe('loadMapping (files)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coupa-csv-mapping-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads YAML and JSON files by extension', async () => {
    await writeFile(join(dir, 'a.yaml'), SPEC_EXAMPLE);
    await writeFile(join(dir, 'b.json'), JSON.stringify({ fields: { A: 'a' } }));
    expect((await loadMapping(join(dir, 'a.yaml'))).fields).toHaveLength(9);
    const json = await loadMapping(join(dir, 'b.json'));
    expect(json.file).toBe(join(dir, 'b.json'));
    expect(json.fields[0]?.field).toBe('a');
  });

  it('names a missing file', async () => {
    const path = join(dir, 'nope.yaml');
    await expect(loadMapping(path)).rejects.toMatchObject({
      code: 'MAPPING',
      message: `${path}: mapping file not found`,
    });
  });

  it('names a folder given as the mapping', async () => {
    await mkdir(join(dir, 'folder.yaml'));
    await expect(loadMapping(join(dir, 'folder.yaml'))).rejects.toMatchObject({
      code: 'MAPPING',
      message: /is a folder/,
    });
  });

  it('reads a UTF-16 mapping (Notepad\'s "Unicode") and refuses one that is not UTF-8, naming the line', async () => {
    const text = 'fields:\n  Café: cafe\nconstants:\n  notes: Café – imported\n';
    await writeFile(
      join(dir, 'u16.yaml'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    );
    const mapping = await loadMapping(join(dir, 'u16.yaml'));
    expect(mapping.fields[0]?.column).toBe('Café');
    expect(mapping.constants).toEqual({ notes: 'Café – imported' });
    // The same text saved as Windows-1252: é is 0xE9, – is 0x96.
    const ansi = Buffer.from(text.replace(/é/g, '\u0001').replace('–', '\u0002'), 'latin1');
    for (let i = 0; i < ansi.length; i++) {
      if (ansi[i] === 1) ansi[i] = 0xe9;
      if (ansi[i] === 2) ansi[i] = 0x96;
    }
    await writeFile(join(dir, 'ansi.yaml'), ansi);
    await expect(loadMapping(join(dir, 'ansi.yaml'))).rejects.toMatchObject({
      code: 'MAPPING',
      location: { line: 2 },
      message: /is not UTF-8.*save it as UTF-8/,
    });
  });

  it('prefixes the file and line to the message', async () => {
    const path = join(dir, 'bad.yaml');
    await writeFile(path, 'fields:\n  Amount: { field: amount, type: decimel }\n');
    await expect(loadMapping(path)).rejects.toThrow(
      `${path}:2: fields."Amount".type: "decimel" is not a type (did you mean "decimal"?)`,
    );
  });
});
