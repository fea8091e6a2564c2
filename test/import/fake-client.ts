import { CoupaApiError, OutcomeUnknownError } from '../../src/coupa/errors.js';
import type {
  ClientStats,
  CoupaClient,
  IndexQuery,
  ObjectInstance,
  WriteOptions,
} from '../../src/coupa/types.js';
import { AbortedError } from '../../src/shared/errors.js';

/** What a create does: store and answer, store and lose the answer, lose it before storing, or throw. */
export type CreateOutcome = 'ok' | 'drop-after-store' | 'drop-before-store' | Error;

/** A small in-memory CoupaClient for pipeline unit tests (integration tests use the real simulator). */
export class FakeClient implements CoupaClient {
  records: ObjectInstance[] = [];
  calls: Array<{ method: string; fields?: Record<string, unknown>; id?: number; query?: IndexQuery }> = [];
  inFlight = 0;
  maxInFlight = 0;
  private nextId = 1;
  private creates = 0;

  constructor(
    private readonly behaviour: {
      /** Fields the object does not have: silently not stored (like the simulator). */
      unknownFields?: string[];
      /** Decides each create (call number from 1). */
      createOutcome?: (fields: Record<string, unknown>, call: number) => CreateOutcome;
      /** Waits before answering a create (call number from 1). */
      delay?: (fields: Record<string, unknown>, call: number) => Promise<void>;
      /** Returns every record whatever the filter (an instance that ignores the filter). */
      ignoreFilter?: boolean;
      /** Required fields: missing ones fail with 400 "<field> can't be blank". */
      required?: string[];
      /** The preflight (and every list) fails with this. */
      listError?: Error;
    } = {},
  ) {}

  async list(_objectId: number, query: IndexQuery): Promise<ObjectInstance[]> {
    this.calls.push({ method: 'list', query });
    if (this.behaviour.listError) throw this.behaviour.listError;
    await tick();
    let limit = 50;
    let offset = 0;
    let out = this.records;
    // Equality and `[in]` lists (the batched lookups), on custom fields or `id`; records in id order.
    const valueOf = (r: ObjectInstance, field: string): string =>
      field === 'id' ? String(r.id) : String(r['custom-fields'][field]);
    for (const [k, v] of query) {
      if (k === 'limit') limit = Number(v);
      else if (k === 'offset') offset = Number(v);
      else if (k === 'order_by' || k === 'dir') continue;
      else if (this.behaviour.ignoreFilter) continue;
      else if (k.endsWith('[in]')) {
        const field = k.slice(0, -'[in]'.length);
        const wanted = new Set(v.split(','));
        out = out.filter((r) => wanted.has(valueOf(r, field)));
      } else out = out.filter((r) => valueOf(r, k) === v);
    }
    return structuredClone(out.slice(offset, offset + limit));
  }

  async get(_objectId: number, id: number): Promise<ObjectInstance> {
    await tick();
    const r = this.records.find((x) => x.id === id);
    if (!r) throw new CoupaApiError(404, [], 'GET', `/x/${id}`);
    return structuredClone(r);
  }

  async create(
    _objectId: number,
    fields: Record<string, unknown>,
    options: WriteOptions = {},
  ): Promise<ObjectInstance> {
    // As the real client: the hook runs right before the request would leave, and may hold it back.
    if (options.beforeSend && !options.beforeSend()) throw new AbortedError('not sent', 'NOT_SENT');
    const call = ++this.creates;
    this.calls.push({ method: 'create', fields });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await (this.behaviour.delay?.(fields, call) ?? tick());
      const missing = (this.behaviour.required ?? []).filter(
        (f) => fields[f] === undefined || fields[f] === '',
      );
      if (missing.length)
        throw new CoupaApiError(
          400,
          missing.map((f) => `${f} can't be blank`),
          'POST',
          '/x',
        );
      const outcome = this.behaviour.createOutcome?.(fields, call) ?? 'ok';
      if (outcome instanceof Error) throw outcome;
      if (outcome === 'drop-before-store') throw new OutcomeUnknownError('connection lost', '/x');
      const record = this.store(fields);
      if (outcome === 'drop-after-store') throw new OutcomeUnknownError('connection lost', '/x');
      return structuredClone(record);
    } finally {
      this.inFlight--;
    }
  }

  async update(
    _objectId: number,
    id: number,
    fields: Record<string, unknown>,
    options: WriteOptions = {},
  ): Promise<ObjectInstance> {
    if (options.beforeSend && !options.beforeSend()) throw new AbortedError('not sent', 'NOT_SENT');
    this.calls.push({ method: 'update', id, fields });
    await tick();
    const r = this.records.find((x) => x.id === id);
    if (!r) throw new CoupaApiError(404, [], 'PUT', `/x/${id}`);
    Object.assign(r['custom-fields'], this.kept(fields));
    return structuredClone(r);
  }

  stats(): ClientStats {
    return { requests: this.calls.length, retries: 0, throttled: 0 };
  }

  async close(): Promise<void> {}

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  private store(fields: Record<string, unknown>): ObjectInstance {
    const record: ObjectInstance = {
      id: this.nextId++,
      'created-at': new Date().toISOString(),
      'custom-fields': this.kept(fields),
    };
    this.records.push(record);
    return record;
  }

  private kept(fields: Record<string, unknown>): Record<string, unknown> {
    const unknown = new Set(this.behaviour.unknownFields ?? []);
    return Object.fromEntries(Object.entries(fields).filter(([k]) => !unknown.has(k)));
  }
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
