import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { simToken, startTestSim } from '../helpers/sim.js';
import { api, BUDGET, OBJ, type Rec } from './http.js';

let sim: Simulator;
let c: ReturnType<typeof api>;
const budgetIds: number[] = [];

beforeAll(async () => {
  sim = await startTestSim();
  c = api(sim, await simToken(sim));
  const vendors = [
    {
      'vendor-code': 'ALPHA-1',
      'vendor-name': 'Alpha Corp',
      'payment-terms': 30,
      'credit-limit': '100',
      active: true,
      'approved-at': '2026-01-10T12:00:00Z',
      owner: { login: 'jdoe' },
      notes: 'first',
    },
    {
      'vendor-code': 'ALPHA-2',
      'vendor-name': 'Alpha Two',
      'payment-terms': 60,
      'credit-limit': '2500.50',
      active: false,
      'approved-at': '2026-02-10T12:00:00Z',
      owner: { login: 'asmith' },
    },
    { 'vendor-code': 'BETA-1', 'vendor-name': 'Beta Ltd', 'payment-terms': 45, active: true, notes: '' },
    {
      'vendor-code': 'GAMMA-1',
      'vendor-name': 'Gamma Alpha',
      'payment-terms': 90,
      'credit-limit': '99.99',
      'approved-at': '2026-03-10T12:00:00Z',
      owner: { login: 'jdoe' },
      notes: 'x',
    },
  ];
  for (const v of vendors) sim.insert(101, v);
  for (let i = 1; i <= 120; i++) {
    const rec = sim.insert(102, {
      'allocation-code': `AL-${String(i).padStart(3, '0')}`,
      'fiscal-year': 2024 + (i % 3),
      amount: String(i * 10),
    });
    budgetIds.push(rec.id as number);
  }
});
afterAll(async () => {
  await sim.close();
});

async function codes(query: string): Promise<string[]> {
  const r = await c.get(`${OBJ}?${query}`);
  expect(r.status, r.text).toBe(200);
  return (r.json() as Rec[]).map((rec) => String(rec['custom-fields']['vendor-code']));
}

async function status(query: string): Promise<{ status: number; message: string }> {
  const r = await c.get(`${OBJ}?${query}`);
  return { status: r.status, message: r.status === 200 ? '' : String(r.json().errors['object-instance'][0]) };
}

describe('index paging and ordering', () => {
  it('returns 50 records by ascending id by default and caps limit at 50', async () => {
    const page = (await c.get(BUDGET)).json() as Rec[];
    expect(page.map((r) => r.id)).toEqual(budgetIds.slice(0, 50));
    expect(((await c.get(`${BUDGET}?limit=200`)).json() as Rec[]).length).toBe(50);
    expect(((await c.get(`${BUDGET}?limit=7`)).json() as Rec[]).length).toBe(7);
  });

  it('pages with limit and offset; a short page is the last', async () => {
    const page = (await c.get(`${BUDGET}?limit=10&offset=5`)).json() as Rec[];
    expect(page.map((r) => r.id)).toEqual(budgetIds.slice(5, 15));
    const last = (await c.get(`${BUDGET}?offset=100`)).json() as Rec[];
    expect(last.map((r) => r.id)).toEqual(budgetIds.slice(100));
    expect((await c.get(`${BUDGET}?offset=500`)).json()).toEqual([]);
  });

  it('pages by keyset (id[gt], order_by=id, dir=asc) without skipping or repeating', async () => {
    const seen: number[] = [];
    let last = 0;
    for (;;) {
      const page = (await c.get(`${BUDGET}?id[gt]=${last}&order_by=id&dir=asc&limit=50`)).json() as Rec[];
      seen.push(...page.map((r) => r.id));
      if (page.length < 50) break;
      last = page[page.length - 1]!.id;
    }
    expect(seen).toEqual(budgetIds);
  });

  it('orders by any attribute, custom fields included, asc or desc', async () => {
    const desc = (await c.get(`${BUDGET}?dir=desc&limit=3`)).json() as Rec[];
    expect(desc.map((r) => r.id)).toEqual(budgetIds.slice(-3).reverse());
    // amount is a decimal: ordered as a number, not as text ("90.00" < "1200.00").
    const byAmount = (await c.get(`${BUDGET}?order_by=amount&dir=desc&limit=2`)).json() as Rec[];
    expect(byAmount.map((r) => r['custom-fields'].amount)).toEqual(['1200.00', '1190.00']);
    const byYear = (await c.get(`${BUDGET}?order_by=fiscal_year&dir=asc&limit=50`)).json() as Rec[];
    const years = byYear.map((r) => r['custom-fields']['fiscal-year'] as number);
    expect(years).toEqual([...years].sort());
    expect(years[0]).toBe(2024);
    // ties keep ascending id
    for (let i = 1; i < byYear.length; i++) {
      if (years[i] === years[i - 1]) expect(byYear[i]!.id).toBeGreaterThan(byYear[i - 1]!.id);
    }
    expect(await codes('order_by=vendor-name&dir=desc')).toEqual(['GAMMA-1', 'BETA-1', 'ALPHA-2', 'ALPHA-1']);
    expect(await codes('order_by=approved-at')).toEqual(['BETA-1', 'ALPHA-1', 'ALPHA-2', 'GAMMA-1']);
  });

  it('refuses a bad limit, dir or order_by with 400', async () => {
    expect((await status('limit=abc')).status).toBe(400);
    expect((await status('dir=sideways')).status).toBe(400);
    expect((await status('order_by=nope')).status).toBe(400);
  });
});

describe('index filters', () => {
  it('equals, on custom fields by bare name with - or _', async () => {
    expect(await codes('vendor-code=BETA-1')).toEqual(['BETA-1']);
    expect(await codes('vendor_code=BETA-1')).toEqual(['BETA-1']);
    expect(await codes('payment-terms=60')).toEqual(['ALPHA-2']);
  });

  it('contains, starts_with, ends_with', async () => {
    expect(await codes('vendor-name[contains]=Alpha')).toEqual(['ALPHA-1', 'ALPHA-2', 'GAMMA-1']);
    expect(await codes('vendor-code[starts_with]=ALPHA')).toEqual(['ALPHA-1', 'ALPHA-2']);
    expect(await codes('vendor_code[ends_with]=-1')).toEqual(['ALPHA-1', 'BETA-1', 'GAMMA-1']);
  });

  it('gt, lt, gt_or_eq, lt_or_eq on numbers (decimals compared as numbers)', async () => {
    expect(await codes('payment-terms[gt]=45')).toEqual(['ALPHA-2', 'GAMMA-1']);
    expect(await codes('payment-terms[lt]=45')).toEqual(['ALPHA-1']);
    expect(await codes('payment-terms[gt_or_eq]=45')).toEqual(['ALPHA-2', 'BETA-1', 'GAMMA-1']);
    expect(await codes('credit-limit[lt_or_eq]=100')).toEqual(['ALPHA-1', 'GAMMA-1']);
  });

  it('not_eq, in, not_in (nulls never match, as in SQL)', async () => {
    expect(await codes('vendor-code[not_eq]=ALPHA-1')).toEqual(['ALPHA-2', 'BETA-1', 'GAMMA-1']);
    expect(await codes('notes[not_eq]=x')).toEqual(['ALPHA-1', 'BETA-1']);
    expect(await codes('vendor-code[in]=ALPHA-1,GAMMA-1')).toEqual(['ALPHA-1', 'GAMMA-1']);
    expect(await codes('payment-terms[in]=30,90')).toEqual(['ALPHA-1', 'GAMMA-1']);
    expect(await codes('vendor-code[not_in]=ALPHA-1,GAMMA-1')).toEqual(['ALPHA-2', 'BETA-1']);
  });

  it('blank=true / blank=false (empty text counts as blank)', async () => {
    expect(await codes('notes[blank]=true')).toEqual(['ALPHA-2', 'BETA-1']);
    expect(await codes('notes[blank]=false')).toEqual(['ALPHA-1', 'GAMMA-1']);
    expect(await codes('credit-limit[blank]=true')).toEqual(['BETA-1']);
  });

  it('booleans', async () => {
    expect(await codes('active=true')).toEqual(['ALPHA-1', 'BETA-1']);
    expect(await codes('active=false')).toEqual(['ALPHA-2']);
  });

  it('datetimes compared as instants, value with an offset or a bare date', async () => {
    expect(await codes(`approved-at[gt]=${encodeURIComponent('2026-02-01T00:00:00-08:00')}`)).toEqual([
      'ALPHA-2',
      'GAMMA-1',
    ]);
    expect(await codes(`approved-at[lt]=${encodeURIComponent('2026-02-10T04:00:00-08:00')}`)).toEqual([
      'ALPHA-1',
    ]);
    expect(await codes(`approved_at[lt_or_eq]=${encodeURIComponent('2026-02-10T04:00:00-08:00')}`)).toEqual([
      'ALPHA-1',
      'ALPHA-2',
    ]);
    expect(await codes(`approved-at=${encodeURIComponent('2026-01-10T13:00:00+01:00')}`)).toEqual([
      'ALPHA-1',
    ]);
    expect(await codes('approved-at[gt_or_eq]=2026-02-10')).toEqual(['ALPHA-2', 'GAMMA-1']);
  });

  it('created-at and updated-at, spelled with - or _', async () => {
    expect(await codes('updated-at[gt]=2000-01-01')).toHaveLength(4);
    expect(await codes(`updated_at[lt]=${encodeURIComponent('2000-01-01T00:00:00+00:00')}`)).toEqual([]);
    const [first] = (await c.get(`${OBJ}?limit=1`)).json() as Rec[];
    expect(await codes(`created-at[gt_or_eq]=${encodeURIComponent(first!['created-at'])}`)).toContain(
      'ALPHA-1',
    );
  });

  it('refuses text operators and blank on datetimes', async () => {
    for (const q of [
      'approved-at[contains]=2026',
      'updated-at[starts_with]=2026',
      'approved-at[blank]=true',
      'created_at[ends_with]=00',
    ]) {
      const r = await status(q);
      expect(r.status, q).toBe(400);
      expect(r.message).toMatch(/does not apply to dates and datetimes/);
    }
  });

  it('refuses an unknown operator, an unknown attribute and a bad value with 400', async () => {
    expect(await status('vendor-code[like]=A')).toMatchObject({
      status: 400,
      message: expect.stringContaining('unknown operator "like"'),
    });
    expect((await status('no-such-field=1')).status).toBe(400);
    expect((await status('payment-terms[gt]=soon')).status).toBe(400);
    expect((await status('approved-at[gt]=yesterday')).status).toBe(400);
    expect((await status('notes[blank]=maybe')).status).toBe(400);
  });

  it('filters references by id or natural key', async () => {
    expect(await codes('owner[login]=jdoe')).toEqual(['ALPHA-1', 'GAMMA-1']);
    expect(await codes('owner=12')).toEqual(['ALPHA-2']);
    expect(await codes('owner[id]=11')).toEqual(['ALPHA-1', 'GAMMA-1']);
    expect(await codes('owner[email][starts_with]=asm')).toEqual(['ALPHA-2']);
    expect(await codes('owner[blank]=true')).toEqual(['BETA-1']);
  });

  it('filters on id and ANDs every filter', async () => {
    const all = (await c.get(OBJ)).json() as Rec[];
    const second = all[1]!.id;
    expect(await codes(`id[gt]=${second}`)).toEqual(['BETA-1', 'GAMMA-1']);
    expect(await codes(`id[lt_or_eq]=${second}`)).toEqual(['ALPHA-1', 'ALPHA-2']);
    expect(await codes(`id=${second}`)).toEqual(['ALPHA-2']);
    expect(await codes(`id[in]=${second},${all[3]!.id}`)).toEqual(['ALPHA-2', 'GAMMA-1']);
    expect(await codes('vendor-code[starts_with]=ALPHA&payment-terms[gt]=40')).toEqual(['ALPHA-2']);
    expect(await codes(`id[gt]=${all[0]!.id}&notes[blank]=false&dir=desc`)).toEqual(['GAMMA-1']);
  });
});
