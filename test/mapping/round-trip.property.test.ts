/**
 * Property: every value the mapping accepts survives export -> import unchanged. A cell is converted, "stored" the
 * way Coupa stores it (dates and datetimes as instants returned in the instance zone, references resolved to
 * objects), exported back with recordToCells, converted again, and stored again: both stored values are equal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ObjectInstance } from '../../src/coupa/types.js';
import { bindMapping, convertRow, parseMappingText, recordToCells } from '../../src/mapping/index.js';
import { formatInZone } from '../../src/shared/time.js';
import type { FieldSpec } from '../../src/mapping/types.js';

const ZONES = [
  'America/Los_Angeles',
  'Europe/Berlin',
  'UTC',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Pacific/Chatham',
];

/** What Coupa keeps and returns for a value sent in a create. */
function store(spec: FieldSpec, value: unknown, instanceTz: string): unknown {
  if (value === undefined || value === null) return value;
  if (spec.type === 'date' || spec.type === 'datetime')
    return formatInZone(new Date(value as string), instanceTz);
  if (spec.type === 'lookup' || spec.type === 'user' || spec.type === 'supplier') {
    const sent = value as Record<string, unknown>;
    // The resolved record: every identifying attribute, the one sent among them.
    return {
      id: 4242,
      name: 'Resolved',
      login: 'resolved',
      email: 'r@example.com',
      number: 'S-9',
      'external-ref-num': '9',
      'external-ref-code': 'CC-9',
      active: true,
      ...sent,
    };
  }
  return value;
}

function roundTrip(fieldYaml: string, cell: string, instanceTz: string): void {
  const mapping = parseMappingText(`fields:\n  Col: ${fieldYaml}\n`, 'm.yaml');
  const spec = mapping.fields[0] as FieldSpec;
  const bound = bindMapping(mapping, ['Col'], 'in.csv');
  const first = convertRow(bound, [cell], instanceTz);
  if (!first.ok) throw new Error(`not accepted: ${JSON.stringify(cell)}: ${first.error}`);
  const stored = store(spec, first.fields.f, instanceTz);
  const record: ObjectInstance = { id: 1, 'custom-fields': { f: stored } };
  const [exported = ''] = recordToCells(mapping, record, instanceTz);
  const second = convertRow(bound, [exported], instanceTz);
  if (!second.ok)
    throw new Error(
      `export ${JSON.stringify(exported)} of ${JSON.stringify(cell)} is not accepted: ${second.error}`,
    );
  expect(store(spec, second.fields.f, instanceTz)).toEqual(stored);
}

const zone = fc.constantFrom(...ZONES);
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
const calendarDate = fc
  .date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => ({ y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() }));
const wallTime = fc.record({
  h: fc.integer({ min: 0, max: 23 }),
  mi: fc.integer({ min: 0, max: 59 }),
  s: fc.integer({ min: 0, max: 59 }),
});

describe('export -> import round trip (property)', () => {
  it('strings (trimmed, any unicode, inner line breaks)', () => {
    const text = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .filter((s) => s.trim() === s && s !== '');
    fc.assert(
      fc.property(text, zone, (s, tz) => roundTrip('f', s, tz)),
      { numRuns: 300 },
    );
  });

  it('integers, with or without thousands separators', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.constantFrom('', ' ', "'", ','),
        zone,
        (n, sep, tz) => {
          const text = sep === '' ? String(n) : groupThousands(String(n), sep);
          roundTrip('{ field: f, type: integer }', text, tz);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decimals with either separator and thousands separators', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.string({ unit: fc.constantFrom('0', '1', '5', '9'), maxLength: 6 }),
        fc.constantFrom('.', ','),
        fc.constantFrom('', ' ', "'", 'other'),
        zone,
        (int, frac, decimal, thousands, tz) => {
          const other = decimal === '.' ? ',' : '.';
          const grouped =
            thousands === ''
              ? String(int)
              : groupThousands(String(int), thousands === 'other' ? other : thousands);
          const text = frac === '' ? grouped : `${grouped}${decimal}${frac}`;
          roundTrip(`{ field: f, type: decimal, decimal: "${decimal}" }`, text, tz);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('booleans', () => {
    const word = fc.constantFrom('true', 'false', 'TRUE', 'Yes', 'no', 'y', 'N', '1', '0');
    fc.assert(
      fc.property(word, zone, (w, tz) => roundTrip('{ field: f, type: boolean }', w, tz)),
      { numRuns: 50 },
    );
  });

  it('dates in every format, in every zone, keep their calendar date', () => {
    const formats = ['', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'YYYYMMDD', 'YYYY/MM/DD', 'DD-MM-YYYY'];
    fc.assert(
      fc.property(calendarDate, fc.constantFrom(...formats), zone, (date, format, tz) => {
        const text = (format === '' ? 'YYYY-MM-DD' : format)
          .replace('YYYY', pad(date.y, 4))
          .replace('MM', pad(date.m))
          .replace('DD', pad(date.d));
        const yaml =
          format === '' ? '{ field: f, type: date }' : `{ field: f, type: date, format: "${format}" }`;
        roundTrip(yaml, text, tz);
        // And the exported cell is the very date that was imported.
        const mapping = parseMappingText(`fields:\n  Col: ${yaml}\n`, 'm.yaml');
        const converted = convertRow(bindMapping(mapping, ['Col'], 'x'), [text], tz);
        if (!converted.ok) throw new Error(converted.error);
        const stored = formatInZone(new Date(converted.fields.f as string), tz);
        expect(recordToCells(mapping, { id: 1, 'custom-fields': { f: stored } }, tz)).toEqual([text]);
      }),
      { numRuns: 600 },
    );
  });

  it('datetimes: ISO with offset, ISO without (incl. DST gaps and folds), and formats', () => {
    fc.assert(
      fc.property(
        calendarDate,
        wallTime,
        fc.constantFrom('iso-offset', 'iso-local', 'format'),
        fc.integer({ min: -12 * 4, max: 14 * 4 }).map((q) => q * 15),
        fc.option(zone, { nil: undefined }),
        zone,
        (date, t, style, offsetMinutes, columnTz, tz) => {
          const ymd = `${pad(date.y, 4)}-${pad(date.m)}-${pad(date.d)}`;
          const hms = `${pad(t.h)}:${pad(t.mi)}:${pad(t.s)}`;
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          let text = `${ymd}T${hms}`;
          let yaml = '{ field: f, type: datetime';
          if (columnTz !== undefined) yaml += `, timezone: ${columnTz}`;
          if (style === 'iso-offset') text += `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
          if (style === 'format') {
            text = `${pad(date.d)}/${pad(date.m)}/${pad(date.y, 4)} ${hms}`;
            yaml += ', format: "DD/MM/YYYY HH:mm:ss"';
          }
          roundTrip(`${yaml} }`, text, tz);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('references by each identifying attribute', () => {
    const cases = [
      ['lookup', 'name'],
      ['lookup', 'external-ref-code'],
      ['lookup', 'external-ref-num'],
      ['lookup', 'id'],
      ['user', 'login'],
      ['user', 'email'],
      ['user', 'id'],
      ['supplier', 'name'],
      ['supplier', 'number'],
      ['supplier', 'id'],
    ] as const;
    const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() === s && s !== '');
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        text,
        fc.integer({ min: 1, max: 2 ** 40 }),
        zone,
        ([type, by], s, id, tz) => {
          roundTrip(`{ field: f, type: ${type}, by: ${by} }`, by === 'id' ? String(id) : s, tz);
        },
      ),
      { numRuns: 300 },
    );
  });
});

function groupThousands(digits: string, sep: string): string {
  const negative = digits.startsWith('-');
  const body = negative ? digits.slice(1) : digits;
  const grouped = body.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return (negative ? '-' : '') + grouped;
}
