import { describe, expect, it } from 'vitest';
import type { FieldInfo } from '../../src/fields/index.js';
import { nameWords } from '../../src/mapping/index.js';
import { chooseBy, matchScore, suggestFields } from '../../src/ui/field-suggestions.js';

const field = (name: string, type: FieldInfo['type'], keys?: string[]): FieldInfo => ({
  name,
  type,
  label: keys ? `${type} (${keys.join(', ')})` : type,
  blankIn: 0,
  ...(keys ? { keys } : {}),
});

const FIELDS: FieldInfo[] = [
  field('vendor-code', 'string'),
  field('vendor-name', 'string'),
  field('credit-limit', 'decimal'),
  field('onboarding-date', 'date'),
  field('owner', 'user', ['id', 'login', 'email']),
  field('supplier', 'supplier', ['id', 'name', 'number']),
  field('payment-terms', 'integer'),
  field('active', 'boolean'),
  field('cost-center', 'lookup', ['id', 'name', 'external-ref-num']),
];

describe('field suggestions from the object’s real fields', () => {
  it('reads names ignoring case, accents, separators and word order', () => {
    expect(nameWords('Crédit_Limit')).toEqual(['credit', 'limit']);
    expect(matchScore('Name Vendor', 'vendor-name')).toBe(100);
    expect(matchScore('VENDOR_CODE', 'vendor-code')).toBe(100);
    expect(matchScore('Crédit Límit', 'credit-limit')).toBe(100);
    expect(matchScore('Vendor Code', 'vendor-name')).toBe(0);
    expect(matchScore('Owner Login', 'owner')).toBeGreaterThan(0);
    expect(matchScore('Owner Login', 'owner')).toBeLessThan(100);
    expect(matchScore('Onbording Date', 'onboarding-date')).toBeGreaterThan(0); // a typo
    expect(matchScore('Favourite Colour', 'vendor-name')).toBe(0);
  });

  it('suggests each field for one column, with the type Coupa shows and the file’s own formats', () => {
    const header = [
      'Coupa ID',
      'VENDOR_CODE',
      'Name Vendor',
      'Crédit Limit',
      'Onboarding Date',
      'Owner Login',
      'Supplier Number',
      'Payment Terms (days)',
      'Cost Center',
      'Favourite Colour',
      'Vendor Code 2',
    ];
    const guessed = {
      'Crédit Limit': { field: 'credit-limit', type: 'decimal', decimal: ',' },
      'Onboarding Date': { field: 'onboarding-date', type: 'date', format: 'DD.MM.YYYY' },
      'Payment Terms (days)': { field: 'payment-terms-days', type: 'integer' },
    };
    const { columns, unusedFields } = suggestFields(header, FIELDS, guessed, ['Coupa ID']);
    const by = Object.fromEntries(columns.map((c) => [c.column, c]));
    expect(by['Coupa ID']?.match).toBe('none');
    expect(by.VENDOR_CODE).toMatchObject({ match: 'exact', spec: { field: 'vendor-code' } });
    expect(by['Vendor Code 2']?.match).toBe('none'); // vendor-code went to the exact column
    expect(by['Name Vendor']).toMatchObject({ match: 'exact', spec: { field: 'vendor-name' } });
    expect(by['Crédit Limit']?.spec).toEqual({ field: 'credit-limit', type: 'decimal', decimal: ',' });
    expect(by['Onboarding Date']?.spec).toEqual({
      field: 'onboarding-date',
      type: 'date',
      format: 'DD.MM.YYYY',
    });
    expect(by['Owner Login']).toMatchObject({
      match: 'close',
      spec: { field: 'owner', type: 'user', by: 'login' },
      label: 'user (id, login, email)',
    });
    expect(by['Supplier Number']?.spec).toEqual({ field: 'supplier', type: 'supplier', by: 'number' });
    expect(by['Payment Terms (days)']?.spec).toEqual({ field: 'payment-terms', type: 'integer' });
    expect(by['Cost Center']?.spec).toEqual({ field: 'cost-center', type: 'lookup', by: 'name' });
    expect(by['Favourite Colour']).toEqual({ column: 'Favourite Colour', match: 'none' });
    expect(unusedFields).toEqual(['active']);
  });

  it('picks by: from the keys the references carry', () => {
    expect(chooseBy('Owner Email', 'user', ['id', 'login', 'email'])).toBe('email');
    expect(chooseBy('Owner', 'user', ['id', 'email'])).toBe('email');
    expect(chooseBy('Cost Center ID', 'lookup', ['id', 'name'])).toBe('id');
    expect(chooseBy('Cost Center Ref', 'lookup', ['id', 'external-ref-num'])).toBe('external-ref-num');
  });

  it('matches as mapping init does: joined words, umlauts spelled out and E-Mail are the same name', () => {
    const fields = [...FIELDS, field('geschaeftsjahr', 'integer'), field('contact-email', 'string')];
    const header = ['VendorName', 'Geschäftsjahr', 'Contact E-Mail', 'Cost Center Code'];
    const by = Object.fromEntries(suggestFields(header, fields).columns.map((c) => [c.column, c]));
    expect(by.VendorName).toMatchObject({ match: 'exact', spec: { field: 'vendor-name' } });
    expect(by['Geschäftsjahr']).toMatchObject({ match: 'exact', spec: { field: 'geschaeftsjahr' } });
    expect(by['Contact E-Mail']).toMatchObject({ match: 'exact', spec: { field: 'contact-email' } });
    // A lookup with its attribute named: its code, when the records do not say which attributes it carries.
    const costCenter = [field('cost-center', 'lookup')];
    expect(suggestFields(['Cost Center Code'], costCenter).columns[0]).toMatchObject({
      match: 'close',
      spec: { field: 'cost-center', type: 'lookup', by: 'external-ref-code' },
    });
  });
});
