import { describe, expect, it } from 'vitest';
import type { ObjectInstance } from '../../src/coupa/index.js';
import { parseFilters } from '../../src/export/filters.js';
import { buildExportQuery, edgeQuery } from '../../src/export/query.js';

const base = { mapping: undefined, timezone: 'UTC', since: undefined, incremental: false, zoneSetBy: 'test' };

describe("the export's query (export/query.ts)", () => {
  it('turns filters on id into the paging range, and asks for the range edges in id order', () => {
    const q = buildExportQuery(
      { ...base, filters: parseFilters(['id[gt_or_eq]=10', 'id[lt]=20', 'active=true']) },
      () => undefined,
    );
    expect(q.query).toEqual([['active', 'true']]);
    expect([q.after, q.upTo]).toEqual([9, 19]);
    expect(edgeQuery(q, 'desc')).toEqual([
      ['active', 'true'],
      ['id[gt]', '9'],
      ['id[lt_or_eq]', '19'],
      ['order_by', 'id'],
      ['dir', 'desc'],
      ['limit', '1'],
    ]);
  });

  it('an incremental run asks from its watermark and checks every record against it', () => {
    const since = '2026-05-01T10:00:00Z';
    const q = buildExportQuery({ ...base, filters: [], since, incremental: true }, () => undefined);
    expect(q.query).toEqual([['updated-at[gt_or_eq]', since]]);
    const old = { id: 1, 'updated-at': '2026-04-30T10:00:00Z' } as ObjectInstance;
    expect(q.checkRecord(old)?.filter).toContain('the --state watermark');
    expect(q.checkRecord({ ...old, 'updated-at': '2026-05-02T00:00:00Z' })).toBeUndefined();
    expect(() =>
      buildExportQuery(
        { ...base, filters: parseFilters(['updated-at[gt]=2026-01-01']), incremental: true },
        () => undefined,
      ),
    ).toThrow(/cannot be combined with --state/);
  });

  it('says when a date is read as UTC because no zone was set', () => {
    const notices: string[] = [];
    buildExportQuery(
      { ...base, zoneSetBy: undefined, filters: parseFilters(['updated-at[gt]=2026-01-01']) },
      (m) => notices.push(m),
    );
    expect(notices).toEqual([expect.stringContaining('no time zone given')]);
  });
});
