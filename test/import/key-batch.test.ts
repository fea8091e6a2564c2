import { describe, expect, it } from 'vitest';
import {
  KEY_LOOKUP_BATCH,
  LOOKUP_BATCH,
  MAX_LIST_CHARS,
  planKeyLookups,
} from '../../src/import/key-batch.js';

const keys = (n: number, prefix = 'V'): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

describe('planKeyLookups (49 keys a request)', () => {
  it('120 keys make lists of 49, 49 and 22 (one fewer than a page: see KEY_LOOKUP_BATCH)', () => {
    const plan = planKeyLookups(keys(120));
    expect(plan.lists.map((l) => l.length)).toEqual([49, 49, 22]);
    expect(plan.alone).toEqual([]);
    expect(plan.lists.flat()).toEqual(keys(120));
    expect(KEY_LOOKUP_BATCH).toBe(49);
    expect(LOOKUP_BATCH).toBe(50);
  });

  it('a value holding a comma is looked up alone (the comma separates the list)', () => {
    const plan = planKeyLookups(['A', 'Smith, John', 'B']);
    expect(plan.lists).toEqual([['A', 'B']]);
    expect(plan.alone).toEqual(['Smith, John']);
  });

  it('repeated values are asked once', () => {
    expect(planKeyLookups(['A', 'B', 'A'])).toEqual({ lists: [['A', 'B']], alone: [] });
  });

  it('values equal ignoring case go alone after the first (which row a record belongs to must be clear)', () => {
    const plan = planKeyLookups(['abc', 'ABC', 'x']);
    expect(plan.lists).toEqual([['abc', 'x']]);
    expect(plan.alone).toEqual(['ABC']);
  });

  it('keeps each encoded list under the URL budget, and a value too long for any list goes alone', () => {
    const long = Array.from({ length: 49 }, (_, i) => `${'é'.repeat(100)}-${i}`); // ~600 encoded chars each
    const plan = planKeyLookups(long);
    for (const list of plan.lists) {
      expect(encodeURIComponent(list.join(',')).length).toBeLessThanOrEqual(MAX_LIST_CHARS);
    }
    expect(plan.lists.flat()).toEqual(long);
    expect(plan.lists.length).toBeGreaterThan(5);
    const huge = 'x'.repeat(MAX_LIST_CHARS + 1);
    expect(planKeyLookups(['a', huge]).alone).toEqual([huge]);
  });

  it('takes a custom batch size and budget', () => {
    expect(planKeyLookups(keys(5), undefined, { batch: 2 }).lists).toEqual([
      ['V-1', 'V-2'],
      ['V-3', 'V-4'],
      ['V-5'],
    ]);
    expect(planKeyLookups(['aaaa', 'bbbb', 'cccc'], undefined, { maxChars: 11 }).lists).toEqual([
      ['aaaa', 'bbbb'],
      ['cccc'],
    ]);
  });
});
