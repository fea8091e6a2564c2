import { afterEach, describe, expect, it } from 'vitest';
import {
  startSimulator,
  validateSimConfig,
  type Simulator,
  type SimulatorOptions,
  type SimVariations,
} from '../../src/sim/index.js';
import { VALIDATION_WARNING } from '../../src/sim/routes/api.js';
import { simToken, startTestSim } from '../helpers/sim.js';
import { api, BUDGET, call, fieldsOf, OBJ, type Rec } from './http.js';

/** Coupa's variations, each off by default and turned on by an option, as the simulator answers them. */
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startTestSim(options);
  return sim;
}

/** A 401 (no token), a 403 (token without the scope), a 404 (unknown object) and a 429 (extra429). */
async function fourErrors(s: Simulator, accept: string | null) {
  const narrow = await simToken(s, 'core.common.read');
  const token = await simToken(s);
  const r401 = await call(s, 'GET', OBJ, { accept });
  const r403 = await call(s, 'GET', OBJ, { accept, token: narrow });
  const r404 = await call(s, 'GET', '/api/custom_objects/999/object_instances', { accept, token });
  s.setFaults({ extra429: 1 });
  const r429 = await call(s, 'GET', OBJ, { accept, token });
  s.setFaults({ extra429: 0 });
  return { 401: r401, 403: r403, 404: r404, 429: r429 };
}

describe('errorBody', () => {
  it('default: the body is in the format the request asked for', async () => {
    const s = await start();
    const replies = await fourErrors(s, 'application/json');
    for (const [status, r] of Object.entries(replies)) {
      expect(r.status).toBe(Number(status));
      expect(r.headers['content-type']).toMatch(/json/);
      expect(r.json().errors['object-instance'][0]).toEqual(expect.any(String));
    }
    expect(replies[403].text).toContain('core.custom_objects.read_write');
  });

  it('empty: 401, 403, 404 and 429 come with no body at all; a 400 keeps its messages', async () => {
    const s = await start({ variations: { errorBody: 'empty' } });
    const replies = await fourErrors(s, 'application/json');
    for (const [status, r] of Object.entries(replies)) {
      expect(r.status).toBe(Number(status));
      expect(r.text).toBe('');
    }
    expect(replies[401].headers['www-authenticate']).toBe('Bearer');
    expect(replies[429].headers['retry-after']).toBe('1');
    const bad = await api(s, await simToken(s)).post(OBJ, {});
    expect(bad.status).toBe(400);
    expect(bad.json().errors['object-instance']).toContain("Vendor code can't be blank");
  });

  it('xml: an XML error list although the request asked for JSON', async () => {
    const s = await start({ variations: { errorBody: 'xml' } });
    const replies = await fourErrors(s, 'application/json');
    for (const [status, r] of Object.entries(replies)) {
      expect(r.status).toBe(Number(status));
      expect(r.headers['content-type']).toMatch(/xml/);
      expect(r.text).toMatch(/^<\?xml[^>]*>\n<errors>\n {2}<error>[^<]+<\/error>\n<\/errors>\n$/);
    }
    expect(replies[404].text).toContain('Unable to find custom object with id 999');
  });

  it('json: a JSON error list although the request asked for XML', async () => {
    const s = await start({ variations: { errorBody: 'json' } });
    const replies = await fourErrors(s, null);
    for (const [status, r] of Object.entries(replies)) {
      expect(r.status).toBe(Number(status));
      expect(r.headers['content-type']).toMatch(/json/);
      expect(r.json().errors['object-instance']).toHaveLength(1);
    }
    expect(replies[401].json().errors['object-instance']).toEqual(['Missing access token']);
  });
});

describe('warnings', () => {
  it('puts a warnings list beside the validation errors of a write, not beside other errors', async () => {
    const s = await start({ variations: { warnings: true } });
    const c = api(s, await simToken(s));
    const created = await c.post(OBJ, { 'vendor-code': 'W-1' });
    expect(created.status).toBe(400);
    expect(created.json()).toEqual({
      errors: { 'object-instance': ["Vendor name can't be blank"], warnings: [VALIDATION_WARNING] },
    });
    const id = (s.insert(101, { 'vendor-code': 'W-2', 'vendor-name': 'Two' }) as { id: number }).id;
    const updated = await c.put(`${OBJ}/${id}`, { 'payment-terms': 'soon' });
    expect(updated.json().errors).toEqual({
      'object-instance': ['Payment terms is not a number'],
      warnings: [VALIDATION_WARNING],
    });
    const missing = await c.get(`${OBJ}/99999`);
    expect(missing.status).toBe(404);
    expect(missing.json().errors.warnings).toBeUndefined();
    const badQuery = await c.get(`${OBJ}?nope=1`);
    expect(badQuery.status).toBe(400);
    expect(badQuery.json().errors.warnings).toBeUndefined();
  });

  it('is off by default', async () => {
    const s = await start();
    const created = await api(s, await simToken(s)).post(OBJ, { 'vendor-code': 'W-1' });
    expect(created.json()).toEqual({ errors: { 'object-instance': ["Vendor name can't be blank"] } });
  });
});

describe('cdata', () => {
  it('writes XML error text in CDATA, unescaped, and splits a ]]> across two sections', async () => {
    const s = await start({ variations: { cdata: true } });
    const token = await simToken(s);
    const r = await call(s, 'POST', BUDGET, {
      token,
      accept: 'application/xml',
      body: {
        'custom-fields': {
          'allocation-code': 'A&B',
          'fiscal-year': 2026,
          amount: '1',
          'cost-center': { name: 'R&D <x>]]>' },
        },
      },
    });
    expect(r.status).toBe(400);
    expect(r.text).toContain(
      '<error><![CDATA[Unable to find valid LookupValue record for cost-center with keys {"name"=>"R&D <x>]]]]><![CDATA[>"}.',
    );
    const denied = await call(s, 'GET', OBJ, { accept: 'application/xml' });
    expect(denied.text).toContain('<error><![CDATA[Missing access token]]></error>');
  });

  it('escapes instead by default', async () => {
    const s = await start();
    const r = await call(s, 'POST', BUDGET, {
      token: await simToken(s),
      accept: 'application/xml',
      body: {
        'custom-fields': {
          'allocation-code': 'X',
          'fiscal-year': 2026,
          amount: '1',
          'cost-center': { name: 'R&D' },
        },
      },
    });
    expect(r.text).toContain('{"name"=&gt;"R&amp;D"}');
    expect(r.text).not.toContain('CDATA');
  });
});

describe('lenientBooleans', () => {
  it('stores an unknown boolean word as true; known words keep their meaning; blank stays null', async () => {
    const s = await start({ variations: { lenientBooleans: true } });
    const c = api(s, await simToken(s));
    const base = { 'vendor-name': 'N' };
    for (const [code, word, want] of [
      ['L-1', 'maybe', true],
      ['L-2', 'ja', true],
      ['L-3', 'no', false],
      ['L-4', '', null],
    ] as const) {
      const r = await c.post(OBJ, { ...base, 'vendor-code': code, active: word });
      expect(r.status).toBe(201);
      expect((r.json() as Rec)['custom-fields'].active).toBe(want);
    }
  });

  it('refuses the unknown word by default', async () => {
    const s = await start();
    const r = await api(s, await simToken(s)).post(OBJ, {
      'vendor-code': 'L-1',
      'vendor-name': 'N',
      active: 'maybe',
    });
    expect(r.status).toBe(400);
    expect(r.json().errors['object-instance']).toEqual(['Active is not a valid boolean']);
  });
});

describe('caseInsensitiveFilters', () => {
  const seed = (s: Simulator): void => {
    for (const [code, name] of [
      ['Alpha-1', 'Alpha Corp'],
      ['alpha-2', 'Second'],
      ['BETA-1', 'beta ltd'],
    ]) {
      s.insert(101, { 'vendor-code': code, 'vendor-name': name });
    }
  };
  const codes = async (s: Simulator, token: string, query: string): Promise<string[]> => {
    const r = await call(s, 'GET', `${OBJ}?${query}`, { token });
    expect(r.status).toBe(200);
    return (r.json() as Rec[]).map((rec) => String(rec['custom-fields']['vendor-code']));
  };

  it('compares text without case: equality, in, not_in, contains, starts_with, ends_with, order_by', async () => {
    const s = await start({ variations: { caseInsensitiveFilters: true } });
    seed(s);
    const token = await simToken(s);
    expect(await codes(s, token, 'vendor_code=ALPHA-1')).toEqual(['Alpha-1']);
    expect(await codes(s, token, 'vendor_code[not_eq]=alpha-1')).toEqual(['alpha-2', 'BETA-1']);
    expect(await codes(s, token, 'vendor_code[in]=ALPHA-2,beta-1')).toEqual(['alpha-2', 'BETA-1']);
    expect(await codes(s, token, 'vendor_code[not_in]=ALPHA-2,beta-1')).toEqual(['Alpha-1']);
    expect(await codes(s, token, 'vendor_name[contains]=CORP')).toEqual(['Alpha-1']);
    expect(await codes(s, token, 'vendor_code[starts_with]=ALPHA')).toEqual(['Alpha-1', 'alpha-2']);
    expect(await codes(s, token, 'vendor_name[ends_with]=LTD')).toEqual(['BETA-1']);
    expect(await codes(s, token, 'order_by=vendor_code&dir=asc')).toEqual(['Alpha-1', 'alpha-2', 'BETA-1']);
  });

  it('compares text exactly by default', async () => {
    const s = await start();
    seed(s);
    const token = await simToken(s);
    expect(await codes(s, token, 'vendor_code=ALPHA-1')).toEqual([]);
    expect(await codes(s, token, 'vendor_code[in]=ALPHA-2,beta-1')).toEqual([]);
    expect(await codes(s, token, 'vendor_code[starts_with]=ALPHA')).toEqual([]);
    expect(await codes(s, token, 'order_by=vendor_code&dir=asc')).toEqual(['Alpha-1', 'BETA-1', 'alpha-2']);
  });
});

describe('localTimes', () => {
  it("reads a datetime without an offset in the instance's zone (values and filters); a date alone stays UTC", async () => {
    const s = await start({ timezone: 'America/Los_Angeles', variations: { localTimes: true } });
    const c = api(s, await simToken(s));
    const winter = await c.post(OBJ, {
      'vendor-code': 'T-1',
      'vendor-name': 'N',
      'approved-at': '2026-01-10T09:00:00',
      'onboarding-date': '2026-03-01',
    });
    expect(winter.status).toBe(201);
    expect((winter.json() as Rec)['custom-fields']['approved-at']).toBe('2026-01-10T09:00:00-08:00');
    expect((winter.json() as Rec)['custom-fields']['onboarding-date']).toBe('2026-02-28T16:00:00-08:00');
    const summer = await c.post(OBJ, {
      'vendor-code': 'T-2',
      'vendor-name': 'N',
      'approved-at': '2026-07-10 09:00',
    });
    expect((summer.json() as Rec)['custom-fields']['approved-at']).toBe('2026-07-10T09:00:00-07:00');
    const withOffset = await c.post(OBJ, {
      'vendor-code': 'T-3',
      'vendor-name': 'N',
      'approved-at': '2026-01-10T09:00:00Z',
    });
    expect((withOffset.json() as Rec)['custom-fields']['approved-at']).toBe('2026-01-10T01:00:00-08:00');
    const found = (await c.get(`${OBJ}?approved_at=2026-01-10T09:00:00`)).json() as Rec[];
    expect(found.map((r) => r['custom-fields']['vendor-code'])).toEqual(['T-1']);
  });

  it('reads a wall time the clocks skip with the offset before the change, a repeated one as the earlier', async () => {
    const s = await start({ timezone: 'America/Los_Angeles', variations: { localTimes: true } });
    const c = api(s, await simToken(s));
    const stored = async (code: string, value: string): Promise<unknown> =>
      fieldsOf(
        (await c.post(OBJ, { 'vendor-code': code, 'vendor-name': 'N', 'approved-at': value })).json() as Rec,
      )['approved-at'];
    expect(await stored('G-1', '2026-03-08T02:30:00')).toBe('2026-03-08T03:30:00-07:00');
    expect(await stored('F-1', '2026-11-01T01:30:00')).toBe('2026-11-01T01:30:00-07:00');
    expect(await stored('D-1', '2026-03-08T12:00:00')).toBe('2026-03-08T12:00:00-07:00');
  });

  it('reads it as UTC by default', async () => {
    const s = await start({ timezone: 'America/Los_Angeles' });
    const r = await api(s, await simToken(s)).post(OBJ, {
      'vendor-code': 'T-1',
      'vendor-name': 'N',
      'approved-at': '2026-01-10T09:00:00',
    });
    expect(fieldsOf(r.json() as Rec)['approved-at']).toBe('2026-01-10T01:00:00-08:00');
  });
});

describe('configuration', () => {
  it('takes variations from the config file; an option wins key by key', async () => {
    const base = validateSimConfig({
      objects: [{ id: 101, code: 'c', name: 'C', fields: [{ name: 'vendor-code', type: 'text' }] }],
    });
    const s = await start({
      config: { ...base, variations: { errorBody: 'empty', cdata: true } },
      variations: { errorBody: 'xml' },
    });
    expect(s.variations).toMatchObject({ errorBody: 'xml', cdata: true, warnings: false });
    const r = await call(s, 'GET', OBJ);
    expect(r.text).toContain('<error><![CDATA[Missing access token]]></error>');
  });

  it('refuses an unknown variation or a bad value, naming it', async () => {
    const objects = [{ id: 1, code: 'c', name: 'C', fields: [] }];
    expect(() => validateSimConfig({ objects, variations: { errorBody: 'html' } })).toThrow(
      /variations\.errorBody: must be one of default, empty, xml, json/,
    );
    expect(() => validateSimConfig({ objects, variations: { cdta: true } })).toThrow(/unknown key "cdta"/);
    expect(() => validateSimConfig({ objects, variations: { warnings: 'yes' } })).toThrow(
      /variations\.warnings: must be true or false/,
    );
    await expect(
      startSimulator({ variations: { localTime: true } as unknown as Partial<SimVariations> }),
    ).rejects.toThrow(/unknown variation "localTime"/);
  });
});

describe('index lookups by list (a reload looks keys up 50 at a time)', () => {
  it('finds records by id[in] and by a custom field [in], at most 50 a page', async () => {
    const s = await start();
    const ids: number[] = [];
    for (let i = 1; i <= 120; i++)
      ids.push((s.insert(101, { 'vendor-code': `K-${i}`, 'vendor-name': 'N' }) as { id: number }).id);
    const token = await simToken(s);
    const want = [ids[2]!, ids[60]!, ids[119]!];
    const byId = (await call(s, 'GET', `${OBJ}?id[in]=${want.join(',')}`, { token })).json() as Rec[];
    expect(byId.map((r) => r.id)).toEqual(want);
    const byCode = (
      await call(s, 'GET', `${OBJ}?vendor_code[in]=K-3,K-61,K-120,K-999`, { token })
    ).json() as Rec[];
    expect(byCode.map((r) => r.id)).toEqual(want);
    const sixty = ids.slice(0, 60);
    const capped = (
      await call(s, 'GET', `${OBJ}?id[in]=${sixty.join(',')}&limit=60`, { token })
    ).json() as Rec[];
    expect(capped.map((r) => r.id)).toEqual(sixty.slice(0, 50));
    const rest = (
      await call(s, 'GET', `${OBJ}?id[in]=${sixty.join(',')}&id[gt]=${sixty[49]!}`, { token })
    ).json() as Rec[];
    expect(rest.map((r) => r.id)).toEqual(sixty.slice(50));
  });
});
