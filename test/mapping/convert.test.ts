import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/shared/errors.js';
import { bindMapping, convertRow, parseMappingText } from '../../src/mapping/index.js';
import type { BoundMapping, RowConversion } from '../../src/mapping/types.js';

const LA = 'America/Los_Angeles';

function bindOne(fieldYaml: string, extra = ''): BoundMapping {
  const mapping = parseMappingText(`${extra}fields:\n  Col: ${fieldYaml}\n`, 'm.yaml');
  return bindMapping(mapping, ['Col'], 'in.csv');
}

function convertOne(fieldYaml: string, cell: string, tz = LA): RowConversion {
  return convertRow(bindOne(fieldYaml), [cell], tz);
}

function valueOf(fieldYaml: string, cell: string, tz = LA): unknown {
  const result = convertOne(fieldYaml, cell, tz);
  if (!result.ok) throw new Error(result.error);
  return result.fields.f;
}

function errorOf(fieldYaml: string, cell: string, tz = LA): string {
  const result = convertOne(fieldYaml, cell, tz);
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.fields)}`);
  return result.error;
}

describe('bindMapping', () => {
  const mapping = parseMappingText(
    'id: Coupa ID\nkey: vendor-code\nfields:\n  Vendor Code: vendor-code\n  Vendor Name: vendor-name\n  Amount: { field: amount, type: decimal }\n',
    'm.yaml',
  );

  it('matches columns ignoring case and surrounding spaces', () => {
    const bound = bindMapping(
      mapping,
      ['  AMOUNT ', 'coupa id', 'vendor name', 'Vendor CODE', 'Other'],
      'in.csv',
    );
    expect(bound.columns.map((c) => [c.spec.column, c.index])).toEqual([
      ['Vendor Code', 3],
      ['Vendor Name', 2],
      ['Amount', 0],
    ]);
    expect(bound.idIndex).toBe(1);
    expect(bound.keyIndex).toBe(3);
  });

  it('leaves idIndex unset when the id column is absent (create mode does not need it)', () => {
    const bound = bindMapping(mapping, ['Vendor Code', 'Vendor Name', 'Amount'], 'in.csv');
    expect(bound.idIndex).toBeUndefined();
  });

  it('names a missing column and the closest header', () => {
    let error: unknown;
    try {
      bindMapping(mapping, ['Vendor Code', 'Vendr Name', 'Amount'], 'in.csv');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({
      code: 'MISSING_COLUMN',
      exitCode: 2,
      location: { file: 'in.csv', line: 1 },
      message:
        'in.csv:1: mapped column "Vendor Name" (closest header: "Vendr Name") is not in the header (mapping m.yaml)',
    });
  });

  it('a header read as one column (wrong delimiter or encoding) says so, without suggesting that column', () => {
    const garbled = 'Vendor Code;Vendor Name;Amount;'.repeat(40);
    let message = '';
    try {
      bindMapping(mapping, [garbled], 'in.csv');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('the header was read as a single column: check --delimiter and --encoding');
    expect(message).not.toContain('closest header');
    expect(message.length).toBeLessThan(300);
  });

  it('names every missing column at once', () => {
    expect(() => bindMapping(mapping, ['Code', 'Name'], 'in.csv')).toThrow(
      /mapped columns "Vendor Code" \(closest header: "Code"\), "Vendor Name" \(closest header: "Name"\), "Amount" \(closest header: ".*"\) are not in the header/,
    );
  });
});

describe('convertRow: values by type', () => {
  it.each([
    // string: outer spaces trimmed, inner text kept
    ['f', '  Acme  Inc ', 'Acme  Inc'],
    ['f', 'line1\nline2', 'line1\nline2'],
    // integer
    ['{ field: f, type: integer }', '42', 42],
    ['{ field: f, type: integer }', '-7', -7],
    ['{ field: f, type: integer }', '1 234 567', 1234567],
    ['{ field: f, type: integer }', "1'234", 1234],
    ['{ field: f, type: integer }', '1,234', 1234],
    ['{ field: f, type: integer }', '12.00', 12],
    ['{ field: f, type: integer, decimal: "," }', '1.234', 1234],
    // Not ambiguous: more than three digits before the separator, a thousands separator before it, or not three zeros.
    ['{ field: f, type: integer }', '1234.000', 1234],
    ['{ field: f, type: integer }', '1,000.000', 1000],
    ['{ field: f, type: integer }', '1.0', 1],
    ['{ field: f, type: integer }', '1.0000', 1],
    ['{ field: f, type: integer, decimal: "," }', '1.000', 1000],
    // decimal, "." separator
    ['{ field: f, type: decimal }', '1250.50', '1250.50'],
    ['{ field: f, type: decimal }', '1,250.50', '1250.50'],
    ['{ field: f, type: decimal }', '1 250.5', '1250.5'],
    ['{ field: f, type: decimal }', "1'250.5", '1250.5'],
    ['{ field: f, type: decimal }', '-0.5', '-0.5'],
    ['{ field: f, type: decimal }', '+3', '3'],
    ['{ field: f, type: decimal }', '.5', '0.5'],
    ['{ field: f, type: decimal }', '007.10', '7.10'],
    ['{ field: f, type: decimal }', '-0.00', '0.00'],
    ['{ field: f, type: decimal }', '12345678901234567890.123', '12345678901234567890.123'],
    // decimal, "," separator
    ['{ field: f, type: decimal, decimal: "," }', '1.250,50', '1250.50'],
    ['{ field: f, type: decimal, decimal: "," }', '1 250,50', '1250.50'],
    ['{ field: f, type: decimal, decimal: "," }', '\u00a01\u00a0250,5', '1250.5'],
    ['{ field: f, type: decimal, decimal: "," }', '12,3', '12.3'],
    ['{ field: f, type: decimal, decimal: "," }', '-980', '-980'],
    // boolean
    ['{ field: f, type: boolean }', 'true', true],
    ['{ field: f, type: boolean }', 'FALSE', false],
    ['{ field: f, type: boolean }', 'Yes', true],
    ['{ field: f, type: boolean }', 'no', false],
    ['{ field: f, type: boolean }', 'Y', true],
    ['{ field: f, type: boolean }', 'n', false],
    ['{ field: f, type: boolean }', '1', true],
    ['{ field: f, type: boolean }', '0', false],
    // date: midnight in the instance zone
    ['{ field: f, type: date }', '2026-03-01', '2026-03-01T00:00:00-08:00'],
    ['{ field: f, type: date }', '2026-07-04', '2026-07-04T00:00:00-07:00'],
    ['{ field: f, type: date, format: DD/MM/YYYY }', '01/03/2026', '2026-03-01T00:00:00-08:00'],
    ['{ field: f, type: date, format: DD/MM/YYYY }', '1/3/2026', '2026-03-01T00:00:00-08:00'],
    ['{ field: f, type: date, format: MM/DD/YYYY }', '03/01/2026', '2026-03-01T00:00:00-08:00'],
    ['{ field: f, type: date, format: DD.MM.YYYY }', '29.02.2024', '2024-02-29T00:00:00-08:00'],
    ['{ field: f, type: date, format: YYYYMMDD }', '20260301', '2026-03-01T00:00:00-08:00'],
    ['{ field: f, type: date, format: DD/MM/YYYY }', '2026-03-01', '2026-03-01T00:00:00-08:00'],
    ['{ field: f, type: date }', '2026-03-01T00:00:00-08:00', '2026-03-01T00:00:00-08:00'],
    // datetime
    ['{ field: f, type: datetime }', '2026-03-01T10:15:30', '2026-03-01T10:15:30-08:00'],
    ['{ field: f, type: datetime }', '2026-03-01 10:15', '2026-03-01T10:15:00-08:00'],
    ['{ field: f, type: datetime }', '2026-03-01T10:15:30Z', '2026-03-01T10:15:30+00:00'],
    ['{ field: f, type: datetime }', '2026-03-01T10:15:30+05:30', '2026-03-01T10:15:30+05:30'],
    ['{ field: f, type: datetime }', '2026-03-01T10:15:30.999-03:00', '2026-03-01T10:15:30-03:00'],
    [
      '{ field: f, type: datetime, timezone: Europe/Berlin }',
      '2026-07-01T12:00:00',
      '2026-07-01T12:00:00+02:00',
    ],
    [
      '{ field: f, type: datetime, format: DD/MM/YYYY HH:mm }',
      '01/03/2026 14:30',
      '2026-03-01T14:30:00-08:00',
    ],
    [
      '{ field: f, type: datetime, format: DD/MM/YYYY HH:mm:ss, timezone: Europe/Berlin }',
      '29/03/2026 02:30:00',
      '2026-03-29T03:30:00+02:00',
    ],
    // DST: gap moves forward, fold takes the first occurrence
    ['{ field: f, type: datetime }', '2026-03-08T02:30:00', '2026-03-08T03:30:00-07:00'],
    ['{ field: f, type: datetime }', '2026-11-01T01:30:00', '2026-11-01T01:30:00-07:00'],
    ['{ field: f, type: datetime }', '2026-03-01', '2026-03-01T00:00:00-08:00'],
    // references
    ['{ field: f, type: lookup, by: name }', ' Marketing ', { name: 'Marketing' }],
    ['{ field: f, type: lookup, by: external-ref-code }', 'CC-100', { 'external-ref-code': 'CC-100' }],
    ['{ field: f, type: user, by: login }', 'jdoe', { login: 'jdoe' }],
    ['{ field: f, type: user, by: email }', 'jdoe@example.com', { email: 'jdoe@example.com' }],
    ['{ field: f, type: supplier, by: number }', 'S-1001', { number: 'S-1001' }],
    ['{ field: f, type: supplier, by: id }', '17', { id: 17 }],
  ])('%s: %j -> %j', (yaml, cell, expected) => {
    expect(valueOf(yaml, cell)).toEqual(expected);
  });

  it.each([
    ['{ field: f, type: integer }', '12.5', 'column "Col": "12.5" is not a whole number'],
    [
      '{ field: f, type: integer }',
      '1.000',
      'column "Col": "1.000" is ambiguous: 1 with "." as the decimal separator, or 1000 with "." between thousands; write it without the ".000", or set decimal: "," for a file that uses "," for decimals',
    ],
    [
      '{ field: f, type: integer, decimal: "," }',
      '-12,000',
      'column "Col": "-12,000" is ambiguous: -12 with "," as the decimal separator, or -12000 with "," between thousands; write it without the ",000", or set decimal: "." for a file that uses "." for decimals',
    ],
    ['{ field: f, type: integer }', 'abc', 'column "Col": "abc" is not a whole number'],
    [
      '{ field: f, type: integer }',
      '99999999999999999999',
      'column "Col": "99999999999999999999" is too large for a whole number',
    ],
    ['{ field: f, type: decimal, decimal: "," }', '12,3x', 'column "Col": "12,3x" is not a decimal'],
    [
      '{ field: f, type: decimal }',
      '12,3',
      'column "Col": "12,3" is not a decimal (the decimal separator is "."; set decimal: "," in the mapping if the file uses ",")',
    ],
    ['{ field: f, type: decimal }', '1.2.3', 'column "Col": "1.2.3" is not a decimal'],
    ['{ field: f, type: decimal }', '1e5', 'column "Col": "1e5" is not a decimal'],
    ['{ field: f, type: decimal }', '1,,234', 'column "Col": "1,,234" is not a decimal'],
    ['{ field: f, type: decimal }', '-', 'column "Col": "-" is not a decimal'],
    [
      '{ field: f, type: boolean }',
      'maybe',
      'column "Col": "maybe" is not a boolean (true/false, yes/no, y/n, 1/0)',
    ],
    [
      '{ field: f, type: date, format: DD/MM/YYYY }',
      '31/02/2026',
      'column "Col": "31/02/2026" is not a valid date (format DD/MM/YYYY)',
    ],
    [
      '{ field: f, type: date }',
      '2026-02-29',
      'column "Col": "2026-02-29" is not a valid date (expected YYYY-MM-DD)',
    ],
    [
      '{ field: f, type: date }',
      '03/01/2026',
      'column "Col": "03/01/2026" is not a valid date (expected YYYY-MM-DD)',
    ],
    [
      '{ field: f, type: date, format: MM/DD/YYYY }',
      '13/01/2026',
      'column "Col": "13/01/2026" is not a valid date (format MM/DD/YYYY)',
    ],
    [
      '{ field: f, type: datetime }',
      '2026-03-01T24:30',
      'column "Col": "2026-03-01T24:30" is not a valid datetime (expected ISO 8601, e.g. 2026-03-01T14:30:00 or 2026-03-01T14:30:00+01:00)',
    ],
    [
      '{ field: f, type: datetime, format: DD/MM/YYYY HH:mm }',
      '01/03/2026',
      'column "Col": "01/03/2026" is not a valid datetime (format DD/MM/YYYY HH:mm)',
    ],
    [
      '{ field: f, type: user, by: id }',
      'jdoe',
      'column "Col": "jdoe" is not a valid id (a positive whole number)',
    ],
    [
      '{ field: f, type: user, by: id }',
      '0',
      'column "Col": "0" is not a valid id (a positive whole number)',
    ],
  ])('%s: %j fails: %s', (yaml, cell, message) => {
    expect(errorOf(yaml, cell)).toBe(message);
  });

  it('shortens long cells in messages', () => {
    const message = errorOf('{ field: f, type: integer }', 'x'.repeat(500));
    expect(message.length).toBeLessThan(120);
    expect(message).toContain('...');
  });
});

describe('convertRow: blanks, required, constants, id and key', () => {
  const mapping = parseMappingText(
    [
      'id: Coupa ID',
      'key: code',
      'fields:',
      '  Code: { field: code, required: true }',
      '  Notes: { field: notes, blank: null }',
      '  Tax: tax',
      '  Amount: { field: amount, type: decimal, blank: error }',
      'constants:',
      '  source-system: legacy-erp',
      '  priority: 3',
      '',
    ].join('\n'),
    'm.yaml',
  );
  const bound = bindMapping(mapping, ['Coupa ID', 'Code', 'Notes', 'Tax', 'Amount'], 'in.csv');

  it('skips blank cells by default, sends null for blank: null, merges constants, returns key and id', () => {
    expect(convertRow(bound, [' 42 ', 'V-1', '  ', '', '1.5'], LA)).toEqual({
      ok: true,
      id: 42,
      key: 'V-1',
      fields: { code: 'V-1', notes: null, amount: '1.5', 'source-system': 'legacy-erp', priority: 3 },
    });
  });

  it('has no id when the id cell is empty (create rows in an update file are the caller’s business)', () => {
    const result = convertRow(bound, ['', 'V-1', 'n', 't', '2'], LA);
    expect(result.ok && result.id).toBeUndefined();
  });

  it('fails a row whose required or blank: error cell is empty, naming every column', () => {
    expect(convertRow(bound, ['', ' ', 'n', 't', ''], LA)).toEqual({
      ok: false,
      error: 'column "Code" is required but blank; column "Amount" is blank (the mapping says blank: error)',
    });
  });

  it('fails a bad id', () => {
    expect(convertRow(bound, ['12a', 'V-1', '', '', '1'], LA)).toEqual({
      ok: false,
      error: 'column "Coupa ID": "12a" is not a Coupa id (a positive whole number)',
    });
  });

  it('joins several conversion errors into one line', () => {
    const result = convertRow(bound, ['x', 'V-1', '', '', 'abc'], LA);
    expect(result).toEqual({
      ok: false,
      error:
        'column "Amount": "abc" is not a decimal; column "Coupa ID": "x" is not a Coupa id (a positive whole number)',
    });
  });

  it('treats missing cells (short rows) as blank', () => {
    expect(convertRow(bound, ['1', 'V-1'], LA)).toMatchObject({
      ok: false,
      error: 'column "Amount" is blank (the mapping says blank: error)',
    });
  });

  it('uses the time zone given per call (dates follow the instance)', () => {
    const dates = bindOne('{ field: f, type: date }');
    expect(convertRow(dates, ['2026-03-01'], 'Europe/Berlin')).toMatchObject({
      fields: { f: '2026-03-01T00:00:00+01:00' },
    });
    expect(convertRow(dates, ['2026-03-01'], LA)).toMatchObject({
      fields: { f: '2026-03-01T00:00:00-08:00' },
    });
  });

  it.each([
    ['{ field: f, type: date, format: DD/MM/YYYY }', '01/03/0000', '0000'],
    ['{ field: f, type: date }', '0026-03-01', '0026'],
    ['{ field: f, type: datetime }', '0001-01-01T00:00:00', '0001'],
    ['{ field: f, type: datetime }', '0999-12-31T23:59:59+01:00', '0999'],
    ['{ field: f, type: datetime, format: DD.MM.YYYY HH:mm }', '01.03.0099 10:30', '0099'],
  ])('a year before 1000 is a typo or a placeholder, not a date: %s %j', (spec, cell, year) => {
    expect(errorOf(spec, cell, 'Europe/Berlin')).toContain(`the year ${year} is before 1000`);
  });

  it('the year 1000 and later convert (with the local mean time offset the zone had before 1900)', () => {
    expect(valueOf('{ field: f, type: date }', '1000-01-01', 'Europe/Berlin')).toBe(
      '1000-01-01T00:00:00+00:53',
    );
    expect(valueOf('{ field: f, type: datetime }', '1800-03-01T10:00:00')).toBe('1800-03-01T10:00:00-07:53');
  });

  it('returns no key when the key cell is blank', () => {
    const m = parseMappingText('key: code\nfields:\n  Code: code\n  Name: name\n', 'm.yaml');
    const b = bindMapping(m, ['Code', 'Name'], 'in.csv');
    const result = convertRow(b, ['', 'x'], LA);
    expect(result).toEqual({ ok: true, fields: { name: 'x' } });
  });
});
