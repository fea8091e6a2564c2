import { describe, expect, it } from 'vitest';
import { bindMapping, convertRow, parseMappingText } from '../../src/mapping/index.js';
import type { TypedCell } from '../../src/shared/typed-cell.js';

const LA = 'America/Los_Angeles';

/** One cell of an `.xlsx` row (its shown text and typed value) through a one-column mapping. */
function convert(
  fieldYaml: string,
  text: string,
  typed: TypedCell | undefined,
): { ok: true; value: unknown } | { ok: false; error: string } {
  const mapping = parseMappingText(`fields:\n  C: ${fieldYaml}\n`, 'm.yaml');
  const result = convertRow(bindMapping(mapping, ['C'], 'in.xlsx'), [text], LA, [typed]);
  return result.ok ? { ok: true, value: result.fields.f } : { ok: false, error: result.error };
}

describe('typed spreadsheet cells in the mapping conversion', () => {
  it('a date cell needs no format: (the format the text would need is ignored)', () => {
    const date: TypedCell = { kind: 'date', value: '2026-01-31' };
    expect(convert('{ field: f, type: date, format: DD/MM/YYYY }', '2026-01-31', date)).toEqual({
      ok: true,
      value: '2026-01-31T00:00:00-08:00',
    });
    // A date-and-time cell in a date column gives its day.
    const dt: TypedCell = { kind: 'datetime', value: '2026-07-04T13:30:00' };
    expect(convert('{ field: f, type: date }', '2026-07-04T13:30:00', dt)).toEqual({
      ok: true,
      value: '2026-07-04T00:00:00-07:00',
    });
  });

  it('a datetime cell is the wall clock of the field zone; a date cell its midnight', () => {
    const dt: TypedCell = { kind: 'datetime', value: '2026-07-04T13:30:05' };
    expect(convert('{ field: f, type: datetime, format: DD.MM.YYYY HH:mm }', 'x', dt)).toEqual({
      ok: true,
      value: '2026-07-04T13:30:05-07:00',
    });
    expect(convert('{ field: f, type: datetime }', 'x', { kind: 'date', value: '2026-01-02' })).toEqual({
      ok: true,
      value: '2026-01-02T00:00:00-08:00',
    });
  });

  it('a number cell skips decimal: and group:; a whole-number column refuses a fraction', () => {
    const n: TypedCell = { kind: 'number', value: 1250000.5 };
    expect(convert("{ field: f, type: decimal, decimal: ',', group: '.' }", '1250000.50', n)).toEqual({
      ok: true,
      value: '1250000.5',
    });
    expect(
      convert("{ field: f, type: integer, decimal: ',' }", '12500', { kind: 'number', value: 12500 }),
    ).toEqual({
      ok: true,
      value: 12500,
    });
    const fraction = convert('{ field: f, type: integer }', '2.5', { kind: 'number', value: 2.5 });
    expect(fraction.ok).toBe(false);
    // Without the typed value, the same text with decimal: ',' would be 1250000,50 misread.
    expect(convert("{ field: f, type: decimal, decimal: ',' }", '1250000.50', undefined).ok).toBe(false);
  });

  it('a boolean cell skips the word lists; a text cell still goes through them', () => {
    const yaml = '{ field: f, type: boolean, true: [Ja], false: [Nein] }';
    expect(convert(yaml, 'FALSE', { kind: 'boolean', value: false })).toEqual({ ok: true, value: false });
    expect(convert(yaml, 'Ja', undefined)).toEqual({ ok: true, value: true });
  });

  it('a string column takes the text as shown, a lookup by id a whole-number cell', () => {
    expect(convert('f', '12500.00', { kind: 'number', value: 12500 })).toEqual({
      ok: true,
      value: '12500.00',
    });
    expect(convert('{ field: f, type: lookup, by: id }', '31.00', { kind: 'number', value: 31 })).toEqual({
      ok: true,
      value: { id: 31 },
    });
  });

  it('a pairing the types do not fit falls back to the text and its usual error', () => {
    const result = convert('{ field: f, type: date }', '45000', { kind: 'number', value: 45000 });
    expect(result).toMatchObject({ ok: false });
    expect((result as { error: string }).error).toMatch(/"45000" is not a valid date/);
  });
});
