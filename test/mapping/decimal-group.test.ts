import { describe, expect, it } from 'vitest';
import type { ObjectInstance } from '../../src/coupa/types.js';
import { InputError } from '../../src/shared/errors.js';
import {
  bindMapping,
  convertRow,
  formatNumber,
  guessMapping,
  parseMappingText,
  recordToCells,
} from '../../src/mapping/index.js';

const LA = 'America/Los_Angeles';

function exported(fieldYaml: string, value: unknown): string {
  const mapping = parseMappingText(`fields:\n  Betrag: ${fieldYaml}\n`, 'm.yaml');
  const record: ObjectInstance = { id: 1, 'custom-fields': { f: value } };
  return recordToCells(mapping, record, LA)[0] ?? '<none>';
}

function imported(fieldYaml: string, cell: string): unknown {
  const mapping = parseMappingText(`fields:\n  Betrag: ${fieldYaml}\n`, 'm.yaml');
  const result = convertRow(bindMapping(mapping, ['Betrag'], 'in.csv'), [cell], LA);
  if (!result.ok) throw new Error(result.error);
  return result.fields.f;
}

describe('formatNumber', () => {
  it.each([
    ['12500.00', ',', '.', '12.500,00'],
    ['12500.00', '.', ',', '12,500.00'],
    ['-1234567.5', ',', '.', '-1.234.567,5'],
    ['999.99', ',', '.', '999,99'],
    ['1000', '.', "'", "1'000"],
    ['1000000', ',', '\u00a0', '1\u00a0000\u00a0000'],
    ['12500.00', ',', undefined, '12500,00'],
    ['0.5', ',', '.', '0,5'],
    ['not a number', ',', '.', 'not a number'],
  ] as const)('%s with decimal %j and group %j -> %j', (text, decimal, group, cell) => {
    expect(formatNumber(text, decimal, group)).toBe(cell);
  });
});

describe('an export with group: writes grouped numbers that import back unchanged', () => {
  it.each([
    ['{ field: f, type: decimal, decimal: ",", group: "." }', '12500.00', '12.500,00'],
    ['{ field: f, type: decimal, decimal: ",", group: "." }', 1250000.5, '1.250.000,5'],
    ['{ field: f, type: decimal, group: "," }', '-98765.4321', '-98,765.4321'],
    ['{ field: f, type: decimal, decimal: ",", group: " " }', '1234.5', '1 234,5'],
    ['{ field: f, type: integer, group: "\'" }', 1234567, "1'234'567"],
    ['{ field: f, type: integer, decimal: ",", group: "." }', 12500, '12.500'],
    ['{ field: f, type: decimal, decimal: "," }', '12500.00', '12500,00'],
  ])('%s: %j -> %j', (yaml, value, cell) => {
    expect(exported(yaml, value)).toBe(cell);
    const back = imported(yaml, cell);
    expect(typeof back === 'number' ? back : Number(back)).toBe(Number(value));
    if (typeof value === 'string') expect(back).toBe(value);
  });

  it('refuses a group that is the decimal separator, or on another type, or an unknown one', () => {
    const error = (text: string): string => {
      try {
        parseMappingText(text, 'm.yaml');
      } catch (e) {
        if (e instanceof InputError) return e.message;
        throw e;
      }
      return 'no error';
    };
    expect(error('fields:\n  A: { field: a, type: decimal, decimal: ",", group: "," }\n')).toMatch(
      /m\.yaml:2: fields\."A"\.group: "," is the decimal separator too/,
    );
    expect(error('fields:\n  A: { field: a, type: date, group: "." }\n')).toMatch(
      /fields\."A"\.group: applies to decimal and integer fields only \(this one is date\)/,
    );
    expect(error('fields:\n  A: { field: a, type: decimal, group: "-" }\n')).toMatch(
      /fields\."A"\.group: "-" is not a thousands separator/,
    );
  });
});

describe('mapping init records the grouping it sees', () => {
  const guessed = (values: string[]): unknown =>
    parseMappingText(
      guessMapping(
        ['Betrag'],
        values.map((v) => [v]),
      ),
      'g.yaml',
    ).fields[0];

  it.each([
    [['12.500,00', '980,00'], ',', '.'],
    [['1.250.000,50'], ',', '.'],
    [['12,500.00', '3.5'], '.', ','],
    [['12 500,00', '1 000,5'], ',', ' '],
    [["12'500.00", '7.25'], '.', "'"],
  ])('%j -> decimal %j, group %j', (values, decimal, group) => {
    expect(guessed(values)).toMatchObject({ type: 'decimal', decimal, group });
  });

  it('writes no group when the sample has none, or mixes them', () => {
    expect(guessed(['12500,00', '980,00'])).not.toHaveProperty('group');
    expect(guessed(['1.250,00', '1 250,00'])).not.toHaveProperty('group');
  });
});
