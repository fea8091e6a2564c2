import { describe, expect, it } from 'vitest';
import type { ObjectInstance } from '../../src/coupa/types.js';
import { InputError } from '../../src/shared/errors.js';
import {
  bindMapping,
  convertRow,
  guessMapping,
  parseMappingText,
  recordToCells,
} from '../../src/mapping/index.js';

const LA = 'America/Los_Angeles';
const JA_NEIN = '{ field: f, type: boolean, true: [Ja, J], false: [Nein, N] }';

function convert(
  fieldYaml: string,
  cell: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  const mapping = parseMappingText(`fields:\n  Aktiv: ${fieldYaml}\n`, 'm.yaml');
  const result = convertRow(bindMapping(mapping, ['Aktiv'], 'in.csv'), [cell], LA);
  return result.ok ? { ok: true, value: result.fields.f } : { ok: false, error: result.error };
}

function exported(fieldYaml: string, value: unknown): string | undefined {
  const mapping = parseMappingText(`fields:\n  Aktiv: ${fieldYaml}\n`, 'm.yaml');
  const record: ObjectInstance = { id: 1, 'custom-fields': { f: value } };
  return recordToCells(mapping, record, LA)[0];
}

function loadError(text: string): InputError {
  try {
    parseMappingText(text, 'm.yaml');
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected a mapping error');
}

describe("a boolean column's own words (true: / false:)", () => {
  it.each([
    ['Ja', true],
    ['ja', true],
    ['JA', true],
    ['  Ja  ', true],
    ['J', true],
    ['Nein', false],
    ['NEIN', false],
    ['n', false],
    // The built-in words still count.
    ['true', true],
    ['No', false],
    ['1', true],
    ['0', false],
  ])('reads %j as %s', (cell, value) => {
    expect(convert(JA_NEIN, cell)).toEqual({ ok: true, value });
  });

  it('names the column words in the conversion error', () => {
    expect(convert(JA_NEIN, 'Vielleicht')).toEqual({
      ok: false,
      error:
        'column "Aktiv": "Vielleicht" is not a boolean (true: Ja, J; false: Nein, N; or true/false, yes/no, y/n, 1/0)',
    });
  });

  it('takes one word as well as a list, and a list on one side only', () => {
    expect(convert('{ field: f, type: boolean, true: Oui, false: Non }', 'oui')).toEqual({
      ok: true,
      value: true,
    });
    expect(convert('{ field: f, type: boolean, true: [X] }', 'x')).toEqual({ ok: true, value: true });
    expect(convert('{ field: f, type: boolean, true: [X] }', 'no')).toEqual({ ok: true, value: false });
  });

  it('reads words YAML would read otherwise, as written', () => {
    const m = parseMappingText(
      'fields:\n  A: { field: a, type: boolean, true: [Sí, "On"], false: [Não, "Off"] }\n',
      'm.yaml',
    );
    expect(m.fields[0]).toMatchObject({ trueWords: ['Sí', 'On'], falseWords: ['Não', 'Off'] });
  });

  it('an export with the mapping writes the first word of each list', () => {
    expect(exported(JA_NEIN, true)).toBe('Ja');
    expect(exported(JA_NEIN, false)).toBe('Nein');
    expect(exported(JA_NEIN, 'true')).toBe('Ja');
    expect(exported(JA_NEIN, null)).toBe('');
    expect(exported('{ field: f, type: boolean, false: [Nein] }', true)).toBe('true');
    // and an import of those words gives the same values back
    expect(convert(JA_NEIN, exported(JA_NEIN, false) ?? '')).toEqual({ ok: true, value: false });
  });

  it.each([
    [
      'words on a non-boolean field',
      'fields:\n  A: { field: a, type: string, true: [Ja] }\n',
      /fields\."A"\.true: applies to boolean fields only \(this one is string\)/,
      2,
    ],
    [
      'a word on both sides',
      'fields:\n  A:\n    field: a\n    type: boolean\n    true: [Ja, J]\n    false: [Nein, j]\n',
      /fields\."A"\.false: "J" is in both true: and false:/,
      6,
    ],
    [
      'a true word that is a built-in false',
      'fields:\n  A: { field: a, type: boolean, true: [Ja, "0"] }\n',
      /fields\."A"\.true: "0" already means false/,
      2,
    ],
    [
      'an empty list',
      'fields:\n  A: { field: a, type: boolean, true: [] }\n',
      /fields\."A"\.true: must be a word or a list of words/,
      2,
    ],
    [
      'a number in the list',
      'fields:\n  A: { field: a, type: boolean, true: [Ja, 2] }\n',
      /fields\."A"\.true: must be a word or a list of words.*quote/,
      2,
    ],
  ])('refuses %s', (_name, text, message, line) => {
    const error = loadError(text);
    expect(error.message).toMatch(message);
    expect(error.location?.line).toBe(line);
  });
});

describe('mapping init recognises yes/no words', () => {
  function guessed(values: string[]): { yaml: string; spec: unknown } {
    const yaml = guessMapping(
      ['Flag'],
      values.map((v) => [v]),
    );
    return { yaml, spec: parseMappingText(yaml, 'guess.yaml').fields[0] };
  }

  it.each([
    [['Ja', 'Nein', 'Ja'], 'Ja', 'Nein'],
    [['Oui', 'Non'], 'Oui', 'Non'],
    [['Sí', 'No', 'Sí'], 'Sí', 'No'],
    [['Si', 'No'], 'Si', 'No'],
    [['Sim', 'Não'], 'Sim', 'Não'],
    [['Ja', 'Nee'], 'Ja', 'Nee'],
    [['Tak', 'Nie'], 'Tak', 'Nie'],
    [['Da', 'Nu'], 'Da', 'Nu'],
    [['Kyllä', 'Ei'], 'Kyllä', 'Ei'],
    [['Igen', 'Nem'], 'Igen', 'Nem'],
    [['Evet', 'Hayır'], 'Evet', 'Hayır'],
    [['J', 'N', 'J'], 'J', 'N'],
    [['JA', 'NEIN'], 'JA', 'NEIN'],
    [['ja', 'nein'], 'ja', 'nein'],
    // Words of two languages, one of each side.
    [['Ja', 'No'], 'Ja', 'No'],
  ])('%j -> true: [%s], false: [%s]', (values, yes, no) => {
    const { spec } = guessed(values);
    expect(spec).toMatchObject({ type: 'boolean', trueWords: [yes], falseWords: [no] });
  });

  it('a sample with one of the two words: its pair from the table, marked to check', () => {
    const { yaml, spec } = guessed(['Ja', 'Ja']);
    expect(spec).toMatchObject({ type: 'boolean', trueWords: ['Ja'], falseWords: ['Nein'] });
    expect(yaml).toMatch(/only "Ja" in the first rows: check the other word/);
    expect(guessed(['NON']).spec).toMatchObject({ trueWords: ['OUI'], falseWords: ['NON'] });
  });

  it('built-in words need no lists, and other columns are not booleans', () => {
    expect(guessed(['yes', 'no']).spec).toMatchObject({ type: 'boolean' });
    expect(guessed(['yes', 'no']).spec).not.toHaveProperty('trueWords');
    expect(guessed(['Ja', 'Nein', 'Vielleicht']).spec).toMatchObject({ type: 'string' });
    expect(guessed(['EUR', 'USD']).spec).toMatchObject({ type: 'string' });
    expect(guessed(['Ja', 'Oui']).spec).toMatchObject({ type: 'string' });
    expect(guessed(['S']).spec).toMatchObject({ type: 'string' });
  });
});
