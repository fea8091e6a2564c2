import { describe, expect, it } from 'vitest';
import type { ObjectInstance } from '../../src/coupa/types.js';
import { canonicalNumber, changedFields, fieldTypes, formatChanges } from '../../src/import/compare.js';
import type { FieldType } from '../../src/mapping/types.js';

const record = (fields: Record<string, unknown>): ObjectInstance => ({ id: 7, 'custom-fields': fields });
const types = new Map<string, FieldType>([
  ['amount', 'decimal'],
  ['terms', 'integer'],
  ['since', 'date'],
  ['at', 'datetime'],
  ['active', 'boolean'],
  ['owner', 'user'],
  ['cc', 'lookup'],
  ['name', 'string'],
  ['notes', 'string'],
]);

describe('changedFields (unchanged rows send nothing)', () => {
  it('decimals compare as numbers: "100.00" holds 100, "100" and "100.0"', () => {
    const stored = record({ amount: '100.00' });
    expect(changedFields({ amount: '100' }, stored, types)).toEqual([]);
    expect(changedFields({ amount: '100.0' }, stored, types)).toEqual([]);
    expect(changedFields({ amount: 100 }, stored, types)).toEqual([]);
    expect(changedFields({ amount: '100.01' }, stored, types)).toEqual([
      { field: 'amount', old: '100.00', new: '100.01' },
    ]);
  });

  it('integers compare as numbers, text stays exact (case and spaces count)', () => {
    expect(changedFields({ terms: 30 }, record({ terms: 30 }), types)).toEqual([]);
    expect(changedFields({ terms: 30 }, record({ terms: '30' }), types)).toEqual([]);
    expect(changedFields({ terms: 45 }, record({ terms: 30 }), types)).toHaveLength(1);
    expect(changedFields({ name: 'Acme' }, record({ name: 'acme' }), types)).toHaveLength(1);
    expect(changedFields({ name: 'Acme' }, record({ name: 'Acme' }), types)).toEqual([]);
  });

  it('dates and datetimes compare as instants, whatever offset the instance writes them in', () => {
    const stored = record({ since: '2026-03-01T00:00:00-08:00', at: '2026-05-01T10:15:30-07:00' });
    expect(
      changedFields({ since: '2026-03-01T08:00:00Z', at: '2026-05-01T17:15:30+00:00' }, stored, types),
    ).toEqual([]);
    expect(changedFields({ since: '2026-03-02T00:00:00-08:00' }, stored, types)).toEqual([
      { field: 'since', old: '2026-03-01T00:00:00-08:00', new: '2026-03-02T00:00:00-08:00' },
    ]);
  });

  it('booleans compare as booleans', () => {
    expect(changedFields({ active: true }, record({ active: true }), types)).toEqual([]);
    expect(changedFields({ active: false }, record({ active: 'false' }), types)).toEqual([]);
    expect(changedFields({ active: false }, record({ active: true }), types)).toEqual([
      { field: 'active', old: 'true', new: 'false' },
    ]);
  });

  it('references compare by the attribute the row sets (by:), shown by it', () => {
    const stored = record({
      owner: { id: 5, login: 'jdoe', email: 'j@x' },
      cc: { id: 3, name: 'Marketing', 'external-ref-num': null },
    });
    expect(changedFields({ owner: { login: 'jdoe' }, cc: { name: 'Marketing' } }, stored, types)).toEqual([]);
    expect(changedFields({ owner: { id: 5 } }, stored, types)).toEqual([]);
    expect(changedFields({ owner: { login: 'asmith' } }, stored, types)).toEqual([
      { field: 'owner', old: 'jdoe', new: 'asmith' },
    ]);
    expect(changedFields({ cc: { 'external-ref-num': 'X1' } }, stored, types)).toHaveLength(1);
    expect(changedFields({ owner: { login: 'jdoe' } }, record({ owner: null }), types)).toEqual([
      { field: 'owner', old: '(blank)', new: 'jdoe' },
    ]);
  });

  it('blanks: a field left out (blank: skip) is not compared; null (blank: null) equals an empty or missing value', () => {
    const stored = record({ name: 'Acme', notes: 'something' });
    expect(changedFields({ name: 'Acme' }, stored, types)).toEqual([]);
    expect(changedFields({ notes: null }, record({ notes: '' }), types)).toEqual([]);
    expect(changedFields({ notes: null }, record({}), types)).toEqual([]);
    expect(changedFields({ notes: null }, stored, types)).toEqual([
      { field: 'notes', old: 'something', new: '(blank)' },
    ]);
  });

  it('a field the record lacks differs (the update then finds out whether Coupa knows it)', () => {
    expect(changedFields({ colour: 'red' }, record({}), types)).toEqual([
      { field: 'colour', old: '(blank)', new: 'red' },
    ]);
  });

  it('reads the underscore spelling of a field name', () => {
    expect(changedFields({ 'vendor-code': 'V1' }, record({ vendor_code: 'V1' }), types)).toEqual([]);
  });

  it('constants (no type) compare as written, numbers numerically', () => {
    expect(
      changedFields({ source: 'erp', level: 2 }, record({ source: 'erp', level: '2.0' }), types),
    ).toEqual([]);
  });

  it('formats _changes as field: old -> new pairs separated by "; "', () => {
    expect(
      formatChanges([
        { field: 'a', old: '1', new: '2' },
        { field: 'b', old: '(blank)', new: 'x' },
      ]),
    ).toBe('a: 1 -> 2; b: (blank) -> x');
  });

  it('fieldTypes maps field names to their types', () => {
    expect(fieldTypes([{ field: 'amount', type: 'decimal' }]).get('amount')).toBe('decimal');
  });

  it('canonicalNumber: one text per number', () => {
    expect(canonicalNumber('0100.500')).toBe('100.5');
    expect(canonicalNumber('-0.00')).toBe('0');
    expect(canonicalNumber(12)).toBe('12');
    expect(canonicalNumber('1e3')).toBeUndefined();
    expect(canonicalNumber('abc')).toBeUndefined();
    expect(canonicalNumber('12345678901234567890.10')).toBe('12345678901234567890.1');
  });
});
