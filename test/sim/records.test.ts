import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/index.js';
import { simToken, startTestSim } from '../helpers/sim.js';
import { api, BUDGET, call, fieldsOf, OBJ, type Rec } from './http.js';

let sim: Simulator;
let token: string;
let c: ReturnType<typeof api>;

beforeAll(async () => {
  sim = await startTestSim();
  token = await simToken(sim);
  c = api(sim, token);
});
afterAll(async () => {
  await sim.close();
});

const vendor = (code: string, extra: Record<string, unknown> = {}) => ({
  'vendor-code': code,
  'vendor-name': `Vendor ${code}`,
  ...extra,
});

describe('content negotiation', () => {
  it('answers XML when the request does not ask for JSON', async () => {
    const created = await c.post(OBJ, vendor('X-1', { notes: 'a < b & c' }));
    const id = created.json().id as number;
    const xml = await call(sim, 'GET', `${OBJ}/${id}`, { token, accept: null });
    expect(xml.status).toBe(200);
    expect(xml.headers['content-type']).toMatch(/xml/);
    expect(xml.text).toContain('<object-instance>');
    expect(xml.text).toContain(`<id type="integer">${id}</id>`);
    expect(xml.text).toContain('<vendor-code>X-1</vendor-code>');
    expect(xml.text).toContain('<notes>a &lt; b &amp; c</notes>');
    expect(xml.text).toContain('<tax-id nil="true"/>');
    const list = await call(sim, 'GET', `${OBJ}?vendor-code=X-1`, { token, accept: 'application/xml' });
    expect(list.text).toContain('<object-instances type="array">');
  });

  it('reads a body as JSON only when its Content-Type says so (a client that forgets the header fails loudly)', async () => {
    const before = sim.records(101).length;
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/xml']) {
      const r = await call(sim, 'POST', OBJ, {
        token,
        body: vendor('CT-1'),
        headers: { 'content-type': type },
      });
      expect(r.status).toBe(400);
      expect(r.json().errors['object-instance'][0]).toContain(
        'send JSON with Content-Type: application/json',
      );
    }
    expect(sim.records(101)).toHaveLength(before);
    const ok = await call(sim, 'POST', OBJ, {
      token,
      body: { 'custom-fields': vendor('CT-2') },
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    expect(ok.status).toBe(201);
  });

  it('types XML elements by their field (a date-like text stays text) and keeps the document well-formed', async () => {
    const created = await c.post(
      OBJ,
      vendor('X-2', {
        'vendor-name': 'a\u0001b',
        notes: '2026-01-01T00:00:00+00:00',
        'approved-at': '2026-07-04T18:30:00Z',
      }),
    );
    const xml = await call(sim, 'GET', `${OBJ}/${created.json().id as number}`, { token, accept: null });
    expect(xml.text).toContain('<notes>2026-01-01T00:00:00+00:00</notes>');
    expect(xml.text).toContain('<approved-at type="dateTime">2026-07-04T11:30:00-07:00</approved-at>');
    expect(xml.text).toMatch(/<created-at type="dateTime">/);
    expect(xml.text).toContain('<vendor-name>a*b</vendor-name>');
    expect(xml.text).not.toContain('\u0001');
  });

  it("answers XML errors, and an empty XML index is a 404 with Coupa's message", async () => {
    const bad = await call(sim, 'POST', OBJ, { token, accept: null, body: { 'custom-fields': {} } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<errors>');
    expect(bad.text).toContain("<error>Vendor code can't be blank</error>");
    const empty = await call(sim, 'GET', `${OBJ}?vendor-code=nothing-like-this`, { token, accept: null });
    expect(empty.status).toBe(404);
    expect(empty.text).toContain('<error>No results match your search criteria.</error>');
    const emptyJson = await c.get(`${OBJ}?vendor-code=nothing-like-this`);
    expect(emptyJson.status).toBe(200);
    expect(emptyJson.json()).toEqual([]);
  });
});

describe('record shape and input keys', () => {
  it('creates with 201, answers hyphenated keys and every custom field (null when unset)', async () => {
    const r = await c.post(OBJ, vendor('S-1'));
    expect(r.status).toBe(201);
    const rec = r.json() as Rec;
    expect(Object.keys(rec)).toEqual([
      'id',
      'created-at',
      'updated-at',
      'custom-object-code',
      'custom-object-name',
      'form-response-id',
      'created-by',
      'updated-by',
      'custom-fields',
    ]);
    expect(rec['custom-object-code']).toBe('vendor_onboarding');
    expect(rec['created-at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(Object.keys(rec['custom-fields'])).toEqual([
      'vendor-code',
      'vendor-name',
      'tax-id',
      'onboarding-date',
      'approved-at',
      'credit-limit',
      'payment-terms',
      'active',
      'owner',
      'supplier',
      'notes',
    ]);
    expect(rec['custom-fields']['tax-id']).toBeNull();
  });

  it('accepts underscored keys in the body (custom_fields, vendor_code)', async () => {
    const r = await call(sim, 'POST', OBJ, {
      token,
      body: { custom_fields: { vendor_code: 'U-1', vendor_name: 'Under Score', payment_terms: 30 } },
    });
    expect(r.status).toBe(201);
    expect(r.json()['custom-fields']).toMatchObject({
      'vendor-code': 'U-1',
      'vendor-name': 'Under Score',
      'payment-terms': 30,
    });
  });

  it('ignores read-only elements on input', async () => {
    const r = await call(sim, 'POST', OBJ, {
      token,
      body: {
        id: 999999,
        'created-at': '2001-01-01T00:00:00Z',
        'custom-object-code': 'hacked',
        'created-by': { id: 11 },
        'custom-fields': vendor('RO-1'),
      },
    });
    const rec = r.json();
    expect(rec.id).not.toBe(999999);
    expect(rec['created-at']).not.toContain('2001');
    expect(rec['custom-object-code']).toBe('vendor_onboarding');
    expect(rec['created-by'].login).toBe('integration');
  });

  it('ignores unknown custom fields silently', async () => {
    const r = await c.post(OBJ, vendor('UNK-1', { 'no-such-field': 'x' }));
    expect(r.status).toBe(201);
    expect(r.json()['custom-fields']).not.toHaveProperty('no-such-field');
  });
});

describe('field types', () => {
  it('text, integer, decimal (string out, scale 2), boolean (lenient in)', async () => {
    const r = await c.post(
      OBJ,
      vendor('T-1', { 'tax-id': 12345, 'payment-terms': '45', 'credit-limit': 1250.5, active: 'yes' }),
    );
    expect(r.json()['custom-fields']).toMatchObject({
      'tax-id': '12345',
      'payment-terms': 45,
      'credit-limit': '1250.50',
      active: true,
    });
    const r2 = await c.post(OBJ, vendor('T-2', { 'credit-limit': '99.999', active: 0 }));
    expect(r2.json()['custom-fields']).toMatchObject({ 'credit-limit': '100.00', active: false });
    // JSON numbers that JavaScript writes with an exponent are numbers all the same.
    const tiny = await c.post(OBJ, vendor('T-2e', { 'credit-limit': 0.0000001 }));
    expect(tiny.json()['custom-fields']).toMatchObject({ 'credit-limit': '0.00' });
    const huge = await c.post(OBJ, vendor('T-2f', { 'credit-limit': 1e21 }));
    expect(huge.json()['custom-fields']).toMatchObject({ 'credit-limit': '1000000000000000000000.00' });
    for (const [word, value] of [
      ['No', false],
      ['1', true],
      ['true', true],
      ['FALSE', false],
    ] as const) {
      const b = await c.post(OBJ, vendor(`B-${word}`, { active: word }));
      expect(b.json()['custom-fields'].active).toBe(value);
    }
  });

  it("refuses bad values with 400 and Coupa's error shape", async () => {
    const r = await c.post(
      OBJ,
      vendor('BAD-1', {
        'payment-terms': 'abc',
        'credit-limit': '12,5',
        active: 'maybe',
        'approved-at': 'tomorrow',
      }),
    );
    expect(r.status).toBe(400);
    expect(r.json()).toEqual({
      errors: {
        'object-instance': [
          'Approved at is not a valid datetime',
          'Credit limit is not a number',
          'Payment terms is not a number',
          'Active is not a valid boolean',
        ],
      },
    });
    const frac = await c.post(OBJ, vendor('BAD-2', { 'payment-terms': 2.5 }));
    expect(frac.json().errors['object-instance']).toEqual(['Payment terms must be an integer']);
  });

  it('stores a bare date as midnight UTC, so it reads back a day early at UTC-8', async () => {
    const r = await c.post(OBJ, vendor('D-1', { 'onboarding-date': '2026-03-01' }));
    expect(r.json()['custom-fields']['onboarding-date']).toBe('2026-02-28T16:00:00-08:00');
    const right = await c.post(OBJ, vendor('D-2', { 'onboarding-date': '2026-03-01T00:00:00-08:00' }));
    expect(right.json()['custom-fields']['onboarding-date']).toBe('2026-03-01T00:00:00-08:00');
  });

  it('stores datetimes as instants and shows them in the instance time zone (DST aware)', async () => {
    const r = await c.post(OBJ, vendor('DT-1', { 'approved-at': '2026-07-04T18:30:00Z' }));
    expect(r.json()['custom-fields']['approved-at']).toBe('2026-07-04T11:30:00-07:00');
    const r2 = await c.post(OBJ, vendor('DT-2', { 'approved-at': '2026-01-15T09:00:00+01:00' }));
    expect(r2.json()['custom-fields']['approved-at']).toBe('2026-01-15T00:00:00-08:00');
  });

  it('keeps years 0-99 (not 1900-1999) and very old instants stable over round trips (local mean time offsets)', async () => {
    const early = await c.post(OBJ, vendor('DT-3', { 'approved-at': '0099-01-01T00:00:00Z' }));
    expect(early.status).toBe(201);
    const shown = early.json()['custom-fields']['approved-at'] as string;
    expect(shown).toBe('0098-12-31T16:07:00-07:53'); // Los Angeles' LMT -07:52:58, printed in whole minutes
    const old = await c.post(OBJ, vendor('DT-4', { 'approved-at': '1850-01-01T00:00:00Z' }));
    const once = old.json()['custom-fields']['approved-at'] as string;
    const twice = await c.post(OBJ, vendor('DT-5', { 'approved-at': once }));
    expect(twice.json()['custom-fields']['approved-at']).toBe(once);
    const leap = await c.post(OBJ, vendor('DT-6', { 'approved-at': '0004-02-29T12:00:00Z' }));
    expect(leap.status).toBe(201);
  });

  it('shows datetimes in a configured time zone', async () => {
    const berlin = await startTestSim({ timezone: 'Europe/Berlin' });
    try {
      const t = await simToken(berlin);
      const r = await api(berlin, t).post(OBJ, vendor('TZ-1', { 'approved-at': '2026-01-15T09:00:00Z' }));
      expect(r.json()['custom-fields']['approved-at']).toBe('2026-01-15T10:00:00+01:00');
    } finally {
      await berlin.close();
    }
  });

  it('resolves lookup values, users and suppliers by id or natural key and returns objects', async () => {
    const byName = await c.post(BUDGET, {
      'allocation-code': 'A-1',
      'fiscal-year': 2026,
      amount: '10',
      'cost-center': { name: 'Marketing' },
    });
    expect(byName.json()['custom-fields']['cost-center']).toEqual({
      id: 31,
      active: true,
      name: 'Marketing',
      'external-ref-num': '100',
      'external-ref-code': 'CC-100',
    });
    const variants: Array<[Record<string, unknown>, number]> = [
      [{ id: 32 }, 32],
      [{ 'external-ref-code': 'CC-300' }, 33],
      [{ external_ref_num: '400' }, 34],
    ];
    for (const [ref, id] of variants) {
      const r = await c.post(BUDGET, {
        'allocation-code': `A-${id}`,
        'fiscal-year': 2026,
        amount: '1',
        'cost-center': ref,
      });
      expect(r.json()['custom-fields']['cost-center'].id).toBe(id);
    }
    const users = await c.post(
      OBJ,
      vendor('R-1', { owner: { login: 'asmith' }, supplier: { number: 'S-1002' } }),
    );
    expect(users.json()['custom-fields'].owner).toEqual({
      id: 12,
      login: 'asmith',
      email: 'asmith@example.com',
    });
    expect(users.json()['custom-fields'].supplier).toEqual({
      id: 22,
      name: 'Globex Logistics',
      number: 'S-1002',
    });
    const byEmail = await c.post(
      OBJ,
      vendor('R-2', { owner: { email: 'mchen@example.com' }, supplier: { name: 'Initech Office' } }),
    );
    expect(byEmail.json()['custom-fields'].owner.id).toBe(13);
    expect(byEmail.json()['custom-fields'].supplier.id).toBe(23);
    const byId = await c.post(OBJ, vendor('R-3', { owner: { id: 15 }, supplier: { id: 24 } }));
    expect(byId.json()['custom-fields'].owner.login).toBe('pnovak');
    expect(byId.json()['custom-fields'].supplier.number).toBe('S-1004');
  });

  it("fails a reference that matches nothing with Coupa's message", async () => {
    const r = await c.post(BUDGET, {
      'allocation-code': 'A-X',
      'fiscal-year': 2026,
      amount: '1',
      'cost-center': { name: 'Marketng' },
    });
    expect(r.status).toBe(400);
    expect(r.json().errors['object-instance']).toEqual([
      'Unable to find valid LookupValue record for cost-center with keys {"name"=>"Marketng"}. Possible keys are ["id", "name", "external-ref-num", "external-ref-code"]',
    ]);
    const u = await c.post(OBJ, vendor('R-X', { owner: { login: 'nobody' }, supplier: { number: 'S-9' } }));
    expect(u.json().errors['object-instance']).toEqual([
      'Unable to find valid User record for owner with keys {"login"=>"nobody"}. Possible keys are ["id", "login", "email"]',
      'Unable to find valid Supplier record for supplier with keys {"number"=>"S-9"}. Possible keys are ["id", "name", "number"]',
    ]);
    const id = await c.post(OBJ, vendor('R-Y', { owner: { id: 4242 } }));
    expect(id.json().errors['object-instance'][0]).toContain('{"id"=>4242}');
  });

  it('enforces required fields on create with "<prompt> can\'t be blank"', async () => {
    const r = await c.post(BUDGET, { 'allocation-code': '  ', currency: 'USD' });
    expect(r.status).toBe(400);
    expect(r.json().errors['object-instance']).toEqual([
      "Allocation code can't be blank",
      "Fiscal year can't be blank",
      "Amount can't be blank",
    ]);
    expect(
      sim
        .records(102)
        .some((rec) => fieldsOf(rec).currency === 'USD' && fieldsOf(rec)['allocation-code'] === '  '),
    ).toBe(false);
  });
});

describe('updates', () => {
  it('PUT changes only the fields sent; null clears a field; PATCH does the same', async () => {
    const created = (
      await c.post(OBJ, vendor('UP-1', { notes: 'first', 'payment-terms': 30, active: true }))
    ).json();
    const put = await c.put(`${OBJ}/${created.id}`, { notes: null, 'payment-terms': 60 });
    expect(put.status).toBe(200);
    expect(put.json()['custom-fields']).toMatchObject({
      'vendor-code': 'UP-1',
      notes: null,
      'payment-terms': 60,
      active: true,
    });
    const patch = await call(sim, 'PATCH', `${OBJ}/${created.id}`, {
      token,
      body: { 'custom-fields': { active: 'no' } },
    });
    expect(patch.status).toBe(200);
    expect(patch.json()['custom-fields']).toMatchObject({ active: false, 'payment-terms': 60 });
    expect(sim.records(101).find((r) => r.id === created.id)).toMatchObject({
      'custom-fields': { active: false, notes: null },
    });
  });

  it('refuses to blank a required field on update', async () => {
    const created = (await c.post(OBJ, vendor('UP-2'))).json();
    const r = await c.put(`${OBJ}/${created.id}`, { 'vendor-name': null });
    expect(r.status).toBe(400);
    expect(r.json().errors['object-instance']).toEqual(["Vendor name can't be blank"]);
  });
});

describe('routes', () => {
  it('accepts a trailing slash on the collection path', async () => {
    const r = await call(sim, 'POST', `${OBJ}/`, { token, body: { 'custom-fields': vendor('SL-1') } });
    expect(r.status).toBe(201);
    expect((await c.get(`${OBJ}/?vendor-code=SL-1`)).json()).toHaveLength(1);
  });

  it('answers 404 for an unknown object or instance id', async () => {
    expect((await c.get('/api/custom_objects/999/object_instances')).status).toBe(404);
    expect((await c.get(`${OBJ}/987654`)).status).toBe(404);
    expect((await c.put(`${OBJ}/987654`, { notes: 'x' })).status).toBe(404);
    expect((await c.get(`${OBJ}/abc`)).status).toBe(404);
    expect((await c.get('/api/something_else')).status).toBe(404);
  });

  it('has no DELETE', async () => {
    const created = (await c.post(OBJ, vendor('DEL-1'))).json();
    const r = await call(sim, 'DELETE', `${OBJ}/${created.id}`, { token });
    expect(r.status).toBe(405);
    expect((await c.get(`${OBJ}/${created.id}`)).status).toBe(200);
  });

  it('shows one record with GET', async () => {
    const created = (await c.post(OBJ, vendor('SHOW-1'))).json();
    const r = await c.get(`${OBJ}/${created.id}`);
    expect(r.json()).toEqual(created);
  });

  it('trims answers with return_object', async () => {
    const none = await call(sim, 'POST', `${OBJ}?return_object=none`, {
      token,
      body: { 'custom-fields': vendor('RET-1', { owner: { login: 'jdoe' } }) },
    });
    expect(none.status).toBe(201);
    expect(none.text).toBe('');
    const rec = sim.records(101).find((r) => fieldsOf(r)['vendor-code'] === 'RET-1');
    expect(rec).toBeDefined();
    const limited = await c.get(`${OBJ}?vendor-code=RET-1&return_object=limited`);
    expect(limited.json()).toEqual([{ id: rec!.id }]);
    const shallow = await c.get(`${OBJ}/${rec!.id as number}?return_object=shallow`);
    expect(shallow.json()['custom-fields'].owner).toEqual({ id: 11, login: 'jdoe' });
  });

  it('insert() and update() bypass HTTP and validate like the API', async () => {
    const rec = sim.insert(101, vendor('INS-1', { 'credit-limit': '5' }));
    expect(rec['custom-fields']).toMatchObject({ 'credit-limit': '5.00' });
    sim.update(101, rec.id as number, { notes: 'updated' });
    expect((await c.get(`${OBJ}/${rec.id as number}`)).json()['custom-fields'].notes).toBe('updated');
    expect(() => sim.insert(101, { 'vendor-code': 'x' })).toThrow(/Vendor name can't be blank/);
    expect(() => sim.records(999)).toThrow();
  });
});
