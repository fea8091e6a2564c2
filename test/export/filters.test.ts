import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { FILTER_OPERATORS, parseFilter } from '../../src/export/filters.js';

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
