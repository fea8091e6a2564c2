import { describe, expect, it } from 'vitest';
import type { ObjectInstance } from '../../src/coupa/types.js';
import {
  droppedFields,
  ExportIssues,
  exportColumns,
  parseMappingText,
  recordToCells,
} from '../../src/mapping/index.js';

const LA = 'America/Los_Angeles';

function record(fields: Record<string, unknown>, id = 1234): ObjectInstance {
  return {
    id,
    'created-at': '2026-05-01T10:15:30-07:00',
    'updated-at': '2026-05-01T10:15:30-07:00',
    'custom-fields': fields,
  };
}

function cellOf(fieldYaml: string, value: unknown, tz = LA): string {
  const mapping = parseMappingText(`fields:\n  Col: ${fieldYaml}\n`, 'm.yaml');
  return recordToCells(mapping, record({ f: value }), tz)[0] ?? '<none>';
}

describe('exportColumns', () => {
  it('puts the id column first, then the fields in mapping order', () => {
    const mapping = parseMappingText(
      'id: Coupa ID\nfields:\n  Code: code\n  Amount: { field: amount, type: decimal }\n',
      'm.yaml',
    );
    expect(exportColumns(mapping)).toEqual(['Coupa ID', 'Code', 'Amount']);
  });
  it('has no id column when the mapping names none', () => {
    expect(exportColumns(parseMappingText('fields:\n  Code: code\n', 'm.yaml'))).toEqual(['Code']);
  });
});

describe('recordToCells: the reverse conversion', () => {
  it.each([
    ['f', 'Acme, Inc', 'Acme, Inc'],
    ['f', null, ''],
    ['f', undefined, ''],
    ['f', 12, '12'],
    ['{ field: f, type: integer }', 30, '30'],
    ['{ field: f, type: integer }', '30', '30'],
    ['{ field: f, type: decimal }', '1250.50', '1250.50'],
    ['{ field: f, type: decimal }', 1250.5, '1250.5'],
    ['{ field: f, type: decimal }', 1e21, '1000000000000000000000'],
    ['{ field: f, type: decimal, decimal: "," }', '1250.50', '1250,50'],
    ['{ field: f, type: decimal, decimal: "," }', '-3', '-3'],
    ['{ field: f, type: boolean }', true, 'true'],
    ['{ field: f, type: boolean }', false, 'false'],
    ['{ field: f, type: boolean }', 'yes', 'true'],
    // Coupa returns dates as instants in the instance zone: the calendar date is kept.
    ['{ field: f, type: date }', '2026-03-01T00:00:00-08:00', '2026-03-01'],
    ['{ field: f, type: date, format: DD/MM/YYYY }', '2026-03-01T00:00:00-08:00', '01/03/2026'],
    ['{ field: f, type: date, format: MM/DD/YYYY }', '2026-03-01T00:00:00-08:00', '03/01/2026'],
    // The same instant written with another offset is still 1 March in Los Angeles.
    ['{ field: f, type: date }', '2026-03-01T08:00:00Z', '2026-03-01'],
    // A date sent as midnight UTC by another tool reads back a day early in Los Angeles: that is what it is.
    ['{ field: f, type: date }', '2026-03-01T00:00:00Z', '2026-02-28'],
    ['{ field: f, type: date }', '2026-03-01', '2026-03-01'],
    ['{ field: f, type: datetime }', '2026-03-01T10:15:30-08:00', '2026-03-01T10:15:30-08:00'],
    ['{ field: f, type: datetime }', '2026-03-01T18:15:30Z', '2026-03-01T10:15:30-08:00'],
    [
      '{ field: f, type: datetime, timezone: Europe/Berlin }',
      '2026-03-01T10:15:30-08:00',
      '2026-03-01T19:15:30+01:00',
    ],
    [
      '{ field: f, type: datetime, format: DD/MM/YYYY HH:mm:ss }',
      '2026-07-01T10:15:30-07:00',
      '01/07/2026 10:15:30',
    ],
    ['{ field: f, type: datetime }', 'garbage', 'garbage'],
    [
      '{ field: f, type: lookup, by: name }',
      { id: 3, active: true, name: 'Marketing', 'external-ref-num': '100', 'external-ref-code': 'CC-100' },
      'Marketing',
    ],
    [
      '{ field: f, type: lookup, by: external-ref-code }',
      { id: 3, name: 'Marketing', 'external-ref-code': 'CC-100' },
      'CC-100',
    ],
    ['{ field: f, type: user, by: login }', { id: 5, login: 'jdoe', email: 'jdoe@example.com' }, 'jdoe'],
    ['{ field: f, type: user, by: id }', { id: 5, login: 'jdoe' }, '5'],
    ['{ field: f, type: supplier, by: number }', { id: 9, name: 'Acme', number: 'S-1001' }, 'S-1001'],
    ['{ field: f, type: supplier, by: number }', { id: 9, name: 'Acme' }, ''],
  ])('%s: %j -> %j', (yaml, value, expected) => {
    expect(cellOf(yaml, value)).toBe(expected);
  });

  it('writes the id and reads underscore keys too', () => {
    const mapping = parseMappingText('id: Coupa ID\nfields:\n  Code: vendor-code\n', 'm.yaml');
    expect(recordToCells(mapping, record({ vendor_code: 'V-1' }, 77), LA)).toEqual(['77', 'V-1']);
  });

  it('dates stay the same calendar date in Berlin too', () => {
    expect(cellOf('{ field: f, type: date }', '2026-10-25T00:00:00+02:00', 'Europe/Berlin')).toBe(
      '2026-10-25',
    );
    expect(cellOf('{ field: f, type: date }', '2026-03-29T00:00:00+01:00', 'Europe/Berlin')).toBe(
      '2026-03-29',
    );
  });
});

describe('droppedFields', () => {
  it.each([
    [{ 'vendor-code': 'V-1', colour: 'red' }, { 'vendor-code': 'V-1' }, ['colour']],
    [{ vendor_code: 'V-1' }, { 'vendor-code': 'V-1' }, []],
    [{ 'vendor-code': 'V-1' }, { vendor_code: 'V-1' }, []],
    [{ Notes: null }, { notes: null }, []],
    [{ Notes: 'x' }, { notes: 'x' }, []],
    [{ NOTES: 'x' }, { notes: null }, ['NOTES']],
    [{ vendor_code: 'V-1' }, { 'vendor-code': null }, ['vendor_code']],
    [{ a: 1, b: 2 }, {}, ['a', 'b']],
    [
      { 'vendor-code': 'V-1', Tax_ID: 'T', colour: 'red' },
      { 'vendor-code': 'V-1', 'tax-id': 'T' },
      ['colour'],
    ],
  ])('%j vs %j -> %j', (sent, returned, expected) => {
    expect(droppedFields(sent, record(returned))).toEqual(expected);
  });

  it('treats a record without custom-fields as having none', () => {
    expect(droppedFields({ a: 1 }, { id: 1 } as unknown as ObjectInstance)).toEqual(['a']);
  });
});

describe('ExportIssues: what a mapped export wrote differently from what is stored', () => {
  const mapping = parseMappingText(
    [
      'fields:',
      '  Owner: { field: owner, type: user, by: login }',
      '  Since: { field: since, type: date }',
      '  At: { field: at, type: datetime }',
      '  Berlin At: { field: berlin-at, type: datetime, timezone: Europe/Berlin }',
      '  Extra: extra',
      '',
    ].join('\n'),
    'm.yaml',
  );
  const stored = (owner: unknown, id: number): ObjectInstance =>
    record(
      {
        owner,
        since: '2026-01-05T00:00:00-08:00',
        at: '2026-07-01T10:00:00-07:00',
        'berlin-at': '2026-07-01T10:00:00-07:00',
      },
      id,
    );

  it('is silent for records written in the zone in use, and names a field no record has', () => {
    const issues = new ExportIssues();
    recordToCells(mapping, stored({ id: 11, login: 'jdoe' }, 1), LA, issues);
    expect(issues.messages(mapping, 1, LA)).toEqual([
      'column "Extra": no exported record has the field extra (the column is empty): check the name against the object\'s fields',
    ]);
    expect(new ExportIssues().messages(mapping, 0, LA)).toEqual([]);
  });

  it('counts references without their by: attribute (an empty cell), with the first record', () => {
    const issues = new ExportIssues();
    const cells = recordToCells(mapping, stored({ id: 11 }, 7), LA, issues);
    recordToCells(mapping, stored({ id: 12, login: null }, 8), LA, issues);
    expect(cells[0]).toBe('');
    const [message] = issues.messages(mapping, 2, LA);
    expect(message).toContain(
      'column "Owner": in 2 records (first: id 7) the owner has no login, written as an empty cell',
    );
    expect(message).toContain('blank: null');
  });

  it('names dates and datetimes whose offset is not the zone in use (a day may be off), not a column with its own zone', () => {
    const issues = new ExportIssues();
    const cells = recordToCells(mapping, stored({ id: 11, login: 'jdoe' }, 3), 'UTC', issues);
    expect(cells[1]).toBe('2026-01-05'); // midnight in LA is 08:00 UTC: the same day, by luck
    const messages = issues.messages(mapping, 1, 'UTC');
    expect(messages.filter((m) => m.includes('carry another UTC offset than UTC'))).toEqual([
      expect.stringContaining('column "Since": 1 record (first: id 3, 2026-01-05T00:00:00-08:00)'),
      expect.stringContaining('column "At": 1 record'),
    ]);
  });
  it('names what importing the file again would store otherwise: times the format cannot write, trimmed text, empty text in a blank: null column', () => {
    const m = parseMappingText(
      [
        'fields:',
        '  At: { field: at, type: datetime, format: DD/MM/YYYY HH:mm, timezone: Europe/Berlin }',
        '  Name: name',
        '  Notes: { field: notes, blank: null }',
        '',
      ].join('\n'),
      'm.yaml',
    );
    const issues = new ExportIssues();
    recordToCells(m, record({ at: '2026-07-01T10:00:00+02:00', name: 'plain', notes: 'x' }, 1), LA, issues);
    recordToCells(m, record({ at: '2026-10-25T02:30:00+02:00', name: 'x', notes: 'y' }, 2), LA, issues); // the first 02:30
    expect(issues.messages(m, 2, LA)).toEqual([]);
    const cells = recordToCells(
      m,
      record({ at: '2026-07-01T10:00:45+02:00', name: '  padded ', notes: '' }, 3),
      LA,
      issues,
    );
    expect(cells).toEqual(['01/07/2026 10:00', '  padded ', '']);
    // The second 02:30 of the night the clocks go back: written the same as the first.
    recordToCells(m, record({ at: '2026-10-25T02:30:00+01:00', name: 'x', notes: 'y' }, 4), LA, issues);
    expect(issues.messages(m, 4, LA)).toEqual([
      expect.stringContaining(
        'column "At": 2 records (first: id 3, 2026-07-01T10:00:45+02:00) cannot be written exactly with the format DD/MM/YYYY HH:mm',
      ),
      expect.stringContaining(
        'column "Name": 1 record (first: id 3) hold text with white space at its start or end',
      ),
      expect.stringContaining('column "Notes": 1 record (first: id 3) hold empty text'),
    ]);
  });
});
