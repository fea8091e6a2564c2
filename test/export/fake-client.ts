import type { ClientStats, CoupaClient, IndexQuery, ObjectInstance } from '../../src/coupa/types.js';

/**
 * An in-memory CoupaClient for unit tests of the export's pure parts: `list` understands `id[gt]`, `id[lt_or_eq]`,
 * `dir`, `limit` (at most 50) and answers after a short random delay, so requests complete out of order.
 */
export class FakeClient implements CoupaClient {
  readonly queries: IndexQuery[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Called before each answer: tests mutate `records` here to simulate changes during an export. */
  beforeAnswer?: (call: number) => void;
  /** Makes the n-th call (1-based) fail. */
  failOn?: { call: number; error: Error };
  private calls = 0;

  constructor(
    public records: ObjectInstance[],
    private readonly maxDelayMs = 3,
  ) {}

  static withIds(ids: Iterable<number>): FakeClient {
    return new FakeClient([...ids].map((id) => makeRecord(id)));
  }

  async list(_objectId: number, query: IndexQuery): Promise<ObjectInstance[]> {
    this.queries.push(query);
    const call = ++this.calls;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * (this.maxDelayMs + 1))));
      this.beforeAnswer?.(call);
      if (this.failOn?.call === call) throw this.failOn.error;
      const get = (k: string): string | undefined => query.find(([key]) => key === k)?.[1];
      const gt = get('id[gt]');
      const le = get('id[lt_or_eq]');
      const limit = Math.min(50, Number(get('limit') ?? 50));
      let out = [...this.records].sort((a, b) => a.id - b.id);
      if (gt !== undefined) out = out.filter((r) => r.id > Number(gt));
      if (le !== undefined) out = out.filter((r) => r.id <= Number(le));
      if (get('dir') === 'desc') out.reverse();
      return structuredClone(out.slice(0, limit));
    } finally {
      this.inFlight--;
    }
  }

  get(): Promise<ObjectInstance> {
    return Promise.reject(new Error('not used'));
  }
  create(): Promise<ObjectInstance> {
    return Promise.reject(new Error('not used'));
  }
  update(): Promise<ObjectInstance> {
    return Promise.reject(new Error('not used'));
  }
  stats(): ClientStats {
    return { requests: this.calls, retries: 0, throttled: 0 };
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function makeRecord(id: number, updatedAt = '2026-05-01T10:00:00-07:00'): ObjectInstance {
  return {
    id,
    'created-at': '2026-05-01T10:00:00-07:00',
    'updated-at': updatedAt,
    'custom-fields': { 'vendor-code': `V-${id}` },
  };
}
