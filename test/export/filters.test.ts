import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/shared/errors.js';
import { FILTER_OPERATORS, parseFilter, parseFilters, zoneFilterValues } from '../../src/export/filters.js';

describe('parseFilter', () => {
  it.each([
    ['vendor-code=V-1001', 'vendor-code', 'eq', ['vendor-code', 'V-1001']],
    ['updated_at[gt_or_eq]=2026-01-01', 'updated-at', 'gt_or_eq', ['updated_at[gt_or_eq]', '2026-01-01']],
    ['vendor-name[contains]=a=b', 'vendor-name', 'contains', ['vendor-name[contains]', 'a=b']],
    ['payment-terms[in]=30,45', 'payment-terms', 'in', ['payment-terms[in]', '30,45']],
    ['notes[blank]=true', 'notes', 'blank', ['notes[blank]', 'true']],
    ['owner[login]=jdoe', 'owner', 'eq', ['owner[login]', 'jdoe']],
    [
      'cost-center[name][not_in]=Sales,Finance',
      'cost-center',
      'not_in',
      ['cost-center[name][not_in]', 'Sales,Finance'],
    ],
    ['active[not-eq]=true', 'active', 'not_eq', ['active[not_eq]', 'true']],
  ] as const)('%s', (source, normalized, operator, param) => {
    const f = parseFilter(source);
    expect(f.normalized).toBe(normalized);
    expect(f.operator).toBe(operator);
    expect(f.param).toEqual(param);
  });

  it('accepts every Coupa operator', () => {
    for (const op of FILTER_OPERATORS) {
      const value = op === 'blank' ? 'false' : 'x';
      expect(parseFilter(`notes[${op}]=${value}`).operator).toBe(op);
    }
  });

  it.each([
    [
      'vendor-code[contain]=V',
      /unknown operator "contain" \(did you mean "contains"\?\); valid operators: none/,
    ],
    ['vendor-code[like]=V', /unknown operator "like"; valid operators: .*starts_with/],
    ['vendor-code', /expected <field>\[<op>\]=<value>/],
    ['=x', /expected <field>\[<op>\]=<value>/],
    ['vendor code=x', /expected/],
    ['a[b][c][d]=1', /at most two brackets/],
    ['owner[nickname][eq]=x', /unknown reference attribute "nickname"/],
    ['notes[blank]=maybe', /blank takes true or false/],
    ['updated-at[contains]=2026', /does not apply to datetimes/],
    ['id[gt]=abc', /ids are whole numbers/],
    ['payment-terms[gt]=', /the value is empty/],
  ])('refuses %s with a usage error (exit 2)', (source, message) => {
    let caught: unknown;
    try {
      parseFilter(source);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).exitCode).toBe(2);
    expect((caught as UsageError).code).toBe('FILTER');
    expect((caught as UsageError).message).toContain(`--filter "${source}"`);
    expect((caught as UsageError).message).toMatch(message);
  });
});

describe('query arguments that are not filters', () => {
  it.each(['offset=10', 'limit=5', 'order_by=id', 'dir=desc', 'return_object=limited', 'fields=["id"]'])(
    '%s is refused (it would break the paging)',
    (filter) => {
      expect(() => parseFilter(filter)).toThrow(/is not a filter/);
    },
  );
});

describe('zoneFilterValues', () => {
  const LA = 'America/Los_Angeles';
  const params = (sources: string[], fields: string[] = []): Array<readonly [string, string]> =>
    zoneFilterValues(parseFilters(sources), new Set(fields), LA).map((f) => f.param);

  it('sends a date or a datetime without offset on a point-in-time field as wall-clock time in the instance zone', () => {
    expect(
      params(
        [
          'start-date=2026-03-15',
          'start_date[in]=2026-01-05, 2026-07-01',
          'updated_at[gt_or_eq]=2026-01-01',
          'created-at[lt]=2026-07-01T10:30:00',
        ],
        ['start-date'],
      ),
    ).toEqual([
      ['start-date', '2026-03-15T00:00:00-07:00'],
      ['start_date[in]', '2026-01-05T00:00:00-08:00,2026-07-01T00:00:00-07:00'],
      ['updated_at[gt_or_eq]', '2026-01-01T00:00:00-08:00'],
      ['created-at[lt]', '2026-07-01T10:30:00-07:00'],
    ]);
  });

  it('leaves values with an offset, other fields, references and text operators as written', () => {
    const sources = [
      'updated-at[gt]=2026-01-01T00:00:00+01:00',
      'notes=2026-03-15',
      'owner[login]=2026-03-15',
      'start-date[blank]=true',
    ];
    expect(params(sources, ['start-date', 'owner'])).toEqual(parseFilters(sources).map((f) => f.param));
  });
});
