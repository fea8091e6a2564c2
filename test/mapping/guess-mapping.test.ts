import { describe, expect, it } from 'vitest';
import { guessMapping, parseMappingText } from '../../src/mapping/index.js';
import type { FieldSpec } from '../../src/mapping/types.js';

function specs(header: string[], rows: string[][], object?: number): { yaml: string; fields: FieldSpec[] } {
  const yaml = guessMapping(header, rows, object === undefined ? {} : { object });
  const mapping = parseMappingText(yaml, 'guess.yaml');
  return { yaml, fields: mapping.fields };
}

describe('guessMapping', () => {
  it('guesses each type from the sample and writes YAML that loads', () => {
    const header = [
      'Vendor Code',
      'Amount',
      'Betrag',
      'Qty',
      'Active',
      'Start',
      'Datum',
      'US Date',
      'At',
      'Zip',
      'Notes',
    ];
    const rows = [
      [
        'V-1',
        '1250.50',
        '1.250,50',
        '3',
        'yes',
        '2026-03-01',
        '31.12.2026',
        '12/31/2026',
        '2026-03-01T10:00:00Z',
        '01234',
        'a',
      ],
      [
        'V-2',
        '-7',
        '980,00',
        '12',
        'no',
        '2026-03-02',
        '01.02.2026',
        '01/02/2026',
        '2026-03-01T11:00:00+01:00',
        '99999',
        '',
      ],
    ];
    const { yaml, fields } = specs(header, rows, 101);
    expect(yaml).toContain('object: 101\n');
    const byColumn = Object.fromEntries(fields.map((f) => [f.column, f]));
    expect(byColumn['Vendor Code']).toMatchObject({ field: 'vendor-code', type: 'string' });
    expect(byColumn.Amount).toMatchObject({ field: 'amount', type: 'decimal', decimal: '.' });
    expect(byColumn.Betrag).toMatchObject({ type: 'decimal', decimal: ',' });
    expect(byColumn.Qty).toMatchObject({ type: 'integer' });
    expect(byColumn.Active).toMatchObject({ type: 'boolean' });
    expect(byColumn.Start).toMatchObject({ type: 'date' });
    expect(byColumn.Start?.format).toBeUndefined();
    expect(byColumn.Datum).toMatchObject({ type: 'date', format: 'DD.MM.YYYY' });
    expect(byColumn['US Date']).toMatchObject({ type: 'date', format: 'MM/DD/YYYY' });
    expect(byColumn.At).toMatchObject({ type: 'datetime' });
    expect(byColumn.Zip).toMatchObject({ type: 'string' }); // leading zero: a code, not a number
    expect(byColumn.Notes).toMatchObject({ type: 'string' });
    expect(yaml).toMatch(/# key: vendor-code/);
  });

  it('prefers DD/MM when a first part is over 12, notes ambiguity otherwise', () => {
    const dayFirst = specs(['D'], [['13/01/2026'], ['01/02/2026']]);
    expect(dayFirst.fields[0]).toMatchObject({ type: 'date', format: 'DD/MM/YYYY' });
    expect(dayFirst.yaml).not.toMatch(/ambiguous/);
    const ambiguous = specs(['D'], [['01/02/2026'], ['03/04/2026']]);
    expect(ambiguous.fields[0]).toMatchObject({ type: 'date', format: 'DD/MM/YYYY' });
    expect(ambiguous.yaml).toMatch(/ambiguous in the first rows: could be MM\/DD\/YYYY/);
  });

  it('treats an id-like column as the id column and quotes awkward headers', () => {
    const { yaml, fields } = specs(
      ['Coupa ID', 'Amount: EUR', 'true', '#tag', 'Café Größe', ' x '],
      [['1', '2', 'a', 'b', 'c', 'd']],
    );
    expect(yaml).toMatch(/^id: Coupa ID/m);
    expect(fields.map((f) => [f.column, f.field])).toEqual([
      ['Amount: EUR', 'amount-eur'],
      ['true', 'true'],
      ['#tag', 'tag'],
      ['Café Größe', 'cafe-grosse'],
      [' x ', 'x'],
    ]);
  });

  it('spells letters without a decomposition (ø, æ, ł, ...) in ASCII and keeps numbers past 2^53 as text', () => {
    const { yaml, fields } = specs(
      ['Ünïcødé Ñame', 'Æble Łódź', 'Account', 'Qty'],
      [
        ['a', 'b', '12345678901234567890', '7'],
        ['c', 'd', '2', '8'],
      ],
    );
    expect(fields.map((f) => [f.field, f.type])).toEqual([
      ['unicode-name', 'string'],
      ['aeble-lodz', 'string'],
      ['account', 'string'],
      ['qty', 'integer'],
    ]);
    expect(yaml).toContain('numbers too long for an integer field: kept as text');
  });

  it('gives unique field names and skips unnamed and repeated columns with a comment', () => {
    const { yaml, fields } = specs(['Name', 'name!', '', 'NAME'], [['a', 'b', 'c', 'd']]);
    expect(fields.map((f) => f.field)).toEqual(['name', 'name-2']);
    expect(yaml).toMatch(/# column 3 has no header name/);
    expect(yaml).toMatch(/appears twice/);
  });

  it('treats a header with a combining accent as a repeat of its precomposed spelling, as loadMapping does', () => {
    // 'Café' with a precomposed é (NFC) and 'Cafe' + U+0301 COMBINING ACUTE ACCENT (NFD) are the same column name.
    const { yaml, fields } = specs(['Café', 'Cafe\u0301'], [['a', 'b']]);
    expect(fields.map((f) => f.column)).toEqual(['Café']);
    expect(yaml).toContain(`# ${JSON.stringify('Cafe\u0301')}: appears twice in the header`);
  });

  it('guesses from every row it is given (past the 50 the CLI reads by default) and says how many', () => {
    // Row 60 is the first with a decimal and the first with a value in Late; Empty never has one.
    const rows = Array.from({ length: 100 }, (_, i) => [
      i === 59 ? '60.5' : String(i + 1),
      i < 59 ? '' : '2026-03-01',
      '',
    ]);
    const { yaml, fields } = specs(['N', 'Late', 'Empty'], rows);
    expect(fields[0]).toMatchObject({ type: 'decimal', decimal: '.' });
    expect(fields[1]).toMatchObject({ type: 'date' });
    expect(fields[2]).toMatchObject({ type: 'string' });
    expect(yaml).toMatch(/Empty: empty {3}# no values in the first rows/);
    expect(yaml).toMatch(/^# Types were guessed from the first 100 data row\(s\)\.$/m);
  });

  it('leaves object commented out when not given', () => {
    expect(guessMapping(['A'], [['1']])).toMatch(/^# object: 101/m);
  });
});
