import { describe, expect, it } from 'vitest';
import {
  chooseReferenceKey,
  matchField,
  nameWords,
  rankFieldMatches,
  referenceKeyNamed,
  type KnownField,
} from '../../src/mapping/index.js';

const FIELDS: KnownField[] = [
  { name: 'vendor-name', type: 'string' },
  { name: 'vendor-code', type: 'string' },
  { name: 'geschaftsjahr', type: 'integer' },
  { name: 'payment-terms', type: 'integer' },
  { name: 'owner', type: 'user', keys: ['id', 'login', 'email'] },
  { name: 'supplier', type: 'supplier', keys: ['id', 'name', 'number'] },
  { name: 'cost-center', type: 'lookup', keys: ['id', 'name', 'external-ref-num'] },
];
const matched = (header: string, fields = FIELDS): string | undefined =>
  matchField(header, fields).match?.field.name;

describe('matchField: a header to the object field it names', () => {
  it('ignores case, separators (-, _, spaces) and how the words are joined', () => {
    for (const header of [
      'Vendor Name',
      'vendor_name',
      'VENDOR-NAME',
      '  vendor   name ',
      'VendorName',
      'vendor.name',
    ])
      expect(matched(header), header).toBe('vendor-name');
  });

  it('ignores word order', () => {
    expect(matched('Name Vendor')).toBe('vendor-name');
    expect(matched('Code, Vendor')).toBe('vendor-code');
    expect(matched('Terms Payment')).toBe('payment-terms');
  });

  it('ignores accents, and reads German umlauts both ways (ä -> a and ä -> ae)', () => {
    expect(matched('Geschäftsjahr')).toBe('geschaftsjahr');
    expect(matched('GESCHÄFTSJAHR')).toBe('geschaftsjahr');
    expect(matched('Geschäftsjahr', [{ name: 'geschaeftsjahr', type: 'integer' }])).toBe('geschaeftsjahr');
    expect(matched('Crédit Limité', [{ name: 'credit-limite', type: 'decimal' }])).toBe('credit-limite');
    expect(nameWords('Straße Nº-Größe')).toEqual(['strasse', 'n', 'grosse']);
  });

  it('a reference field matches with the attribute the column holds, which becomes its by:', () => {
    expect(matchField('Owner Login', FIELDS).match).toMatchObject({ field: { name: 'owner' }, by: 'login' });
    expect(matchField('Login Owner', FIELDS).match).toMatchObject({ field: { name: 'owner' }, by: 'login' });
    expect(matchField('Owner E-Mail', FIELDS).match).toMatchObject({ field: { name: 'owner' }, by: 'email' });
    expect(matchField('Supplier Number', FIELDS).match).toMatchObject({
      field: { name: 'supplier' },
      by: 'number',
    });
    expect(matchField('Cost Center Name', FIELDS).match).toMatchObject({
      field: { name: 'cost-center' },
      by: 'name',
    });
    // An attribute the records do not carry is no match: a lookup here has no external-ref-code.
    expect(matched('Cost Center Code')).toBeUndefined();
    // Plain names carry no by:, the caller chooses one.
    expect(matchField('Owner', FIELDS).match?.by).toBeUndefined();
  });

  it('leaves out a bracketed unit only when nothing matches with it, and says so', () => {
    expect(matchField('Payment Terms (days)', FIELDS).match).toMatchObject({
      field: { name: 'payment-terms' },
      ignored: '(days)',
    });
    expect(
      matchField('x (y)', [
        { name: 'x-y', type: 'string' },
        { name: 'x', type: 'string' },
      ]).match?.field.name,
    ).toBe('x-y');
  });

  it('no match for an unknown header; several equally good fields are ambiguous, not a guess', () => {
    expect(matchField('Mystery Column', FIELDS)).toEqual({});
    expect(matchField('Name', FIELDS)).toEqual({});
    const twins: KnownField[] = [
      { name: 'vendor-name', type: 'string' },
      { name: 'vendor_name', type: 'string' },
    ];
    expect(matchField('Vendor Name', twins).ambiguous?.map((f) => f.name)).toEqual([
      'vendor-name',
      'vendor_name',
    ]);
    expect(matchField('Vendor Name', twins).match).toBeUndefined();
  });
});

describe('chooseReferenceKey: a natural key over the instance id', () => {
  it('login for users, number for suppliers, name for lookups; email when the column holds addresses', () => {
    expect(chooseReferenceKey('user', ['id', 'login', 'email'], ['jdoe'])).toBe('login');
    expect(chooseReferenceKey('user', ['id', 'login', 'email'], ['jdoe@example.com'])).toBe('email');
    expect(chooseReferenceKey('supplier', ['id', 'name', 'number'], ['S-1'])).toBe('number');
    expect(chooseReferenceKey('supplier', ['id', 'name'], ['Acme'])).toBe('name');
    expect(chooseReferenceKey('lookup', ['id', 'name', 'external-ref-num'], ['Marketing'])).toBe('name');
    // Only the keys the records carry: an id-only reference is read by id.
    expect(chooseReferenceKey('lookup', ['id'], ['31'])).toBe('id');
  });
});

describe('rankFieldMatches: one ranking for mapping init and the web page', () => {
  const ranked = (header: string): Array<[string, number]> =>
    rankFieldMatches(header, FIELDS).map((m) => [m.field.name, m.score]);

  it('the sure ways matchField accepts first, then near names for a person to confirm', () => {
    expect(ranked('Name Vendor')).toEqual([['vendor-name', 100]]);
    expect(ranked('VendorName')).toEqual([['vendor-name', 100]]);
    expect(rankFieldMatches('Owner Login', FIELDS)[0]).toMatchObject({
      field: { name: 'owner' },
      by: 'login',
      score: 90,
      exact: false,
    });
    expect(rankFieldMatches('Payment Terms (days)', FIELDS)[0]).toMatchObject({
      field: { name: 'payment-terms' },
      ignored: '(days)',
      score: 85,
    });
    // Near names: matchField takes none of them.
    expect(ranked('Vendor Code 2')).toEqual([['vendor-code', 79]]);
    expect(matched('Vendor Code 2')).toBeUndefined();
    expect(ranked('Vendr Name')).toEqual([['vendor-name', 59]]);
    expect(matched('Vendr Name')).toBeUndefined();
    expect(ranked('Favourite Colour')).toEqual([]);
  });

  it('what matchField picks is the best of the ranking', () => {
    for (const header of ['vendor_name', 'Geschäftsjahr', 'Supplier Number', 'Cost Center', 'Owner E-Mail']) {
      const best = rankFieldMatches(header, FIELDS)[0];
      expect(matchField(header, FIELDS).match?.field, header).toBe(best?.field);
      expect(matchField(header, FIELDS).match?.by, header).toBe(best?.by);
    }
  });
});

describe('referenceKeyNamed: the attribute a header names', () => {
  it('with the words matchField reads (code, number, e-mail...), other than id first', () => {
    expect(referenceKeyNamed('Owner Email', 'user', ['id', 'login', 'email'])).toBe('email');
    expect(referenceKeyNamed('Owner E-Mail', 'user', undefined)).toBe('email');
    expect(referenceKeyNamed('Cost Center Code', 'lookup', undefined)).toBe('external-ref-code');
    expect(referenceKeyNamed('Supplier No', 'supplier', undefined)).toBe('number');
    expect(referenceKeyNamed('Cost Center ID', 'lookup', ['id', 'name'])).toBe('id');
    // Only an attribute the reference carries, when its keys are known.
    expect(referenceKeyNamed('Owner Email', 'user', ['id', 'login'])).toBeUndefined();
    expect(referenceKeyNamed('Owner', 'user', undefined)).toBeUndefined();
  });
});
