// The records of every custom object: storage, validation on write and the API's JSON shape of a record. The query
// language over them is in query.ts.
import type { SimConfig, SimFieldConfig, SimObjectConfig, SimUser } from './types.js';
import { formatInstant } from './time.js';
import {
  coerceValue,
  Directory,
  fieldError,
  hyphenate,
  isBlank,
  presentUser,
  presentValue,
  type CastOptions,
  type Detail,
  type StoredValue,
} from './values.js';

/** An error answer of the API: status and messages (rendered as JSON or XML by the server). */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly messages: string[],
  ) {
    super(messages.join('; '));
    this.name = 'SimHttpError';
  }
}

export interface StoredRecord {
  id: number;
  createdAt: number;
  updatedAt: number;
  createdBy: SimUser;
  updatedBy: SimUser;
  values: Map<string, StoredValue>;
}

export interface ObjectState {
  def: SimObjectConfig;
  fields: Map<string, SimFieldConfig>;
  /** Sorted by id (ids only grow), so keyset paging can binary-search. */
  records: StoredRecord[];
  byId: Map<number, StoredRecord>;
}

/** `return_object`: `none` (nothing, writes only), `limited` (ids only), `shallow`, or full. */
export type ReturnObject = 'full' | 'shallow' | 'limited' | 'none';

/** The records of every custom object, with Coupa's validation on write. */
export class SimStore {
  private readonly objects = new Map<number, ObjectState>();
  /** The lookup values, users and suppliers that reference fields resolve against. */
  readonly directory: Directory;
  private nextId = 1;

  constructor(
    config: SimConfig,
    readonly timezone: string,
    private readonly apiUser: SimUser,
    private readonly now: () => number = Date.now,
    private readonly cast?: CastOptions,
  ) {
    this.directory = new Directory(config);
    for (const def of config.objects) {
      this.objects.set(def.id, {
        def,
        fields: new Map(def.fields.map((f) => [f.name, f])),
        records: [],
        byId: new Map(),
      });
    }
  }

  /** The object definition, or a 404. */
  object(objectId: number): ObjectState {
    const state = this.objects.get(objectId);
    if (!state) throw new SimHttpError(404, [`Unable to find custom object with id ${objectId}`]);
    return state;
  }

  private record(state: ObjectState, id: number): StoredRecord {
    const rec = state.byId.get(id);
    if (!rec) throw new SimHttpError(404, [`Unable to find ${state.def.name} record with id ${id}`]);
    return rec;
  }

  /** Creates a record from a request body's custom fields. Throws SimHttpError 400 when invalid. */
  create(objectId: number, input: Record<string, unknown>): StoredRecord {
    const state = this.object(objectId);
    const values = new Map<string, StoredValue>();
    for (const f of state.def.fields) values.set(f.name, null);
    this.apply(state, values, input);
    const now = this.stamp();
    const rec: StoredRecord = {
      id: this.nextId++,
      createdAt: now,
      updatedAt: now,
      createdBy: this.apiUser,
      updatedBy: this.apiUser,
      values,
    };
    state.records.push(rec);
    state.byId.set(rec.id, rec);
    return rec;
  }

  /** Changes the fields given, leaves the rest. Throws SimHttpError 404 / 400. */
  update(objectId: number, id: number, input: Record<string, unknown>): StoredRecord {
    const state = this.object(objectId);
    const rec = this.record(state, id);
    const values = new Map(rec.values);
    this.apply(state, values, input);
    rec.values = values;
    rec.updatedAt = this.stamp();
    rec.updatedBy = this.apiUser;
    return rec;
  }

  /** One record, or a 404. */
  get(objectId: number, id: number): StoredRecord {
    return this.record(this.object(objectId), id);
  }

  /** Every record of an object, id order. */
  all(objectId: number): StoredRecord[] {
    return this.object(objectId).records;
  }

  /** Coupa keeps seconds; consecutive writes in one second share a stamp, like on a real instance. */
  private stamp(): number {
    return Math.floor(this.now() / 1000) * 1000;
  }

  private apply(state: ObjectState, values: Map<string, StoredValue>, input: Record<string, unknown>): void {
    const problems = new Map<string, string>();
    for (const [rawKey, raw] of Object.entries(input)) {
      const field = state.fields.get(hyphenate(rawKey));
      if (!field) continue; // unknown custom fields are ignored silently, as Coupa does
      const result = coerceValue(field, raw, this.directory, this.cast);
      if (result.ok) values.set(field.name, result.value);
      else problems.set(field.name, result.error);
    }
    // Messages in the order the fields are defined, like Rails validations.
    const errors: string[] = [];
    for (const field of state.def.fields) {
      const problem = problems.get(field.name);
      if (problem) {
        errors.push(problem);
        continue;
      }
      if (field.required && isBlank(values.get(field.name) ?? null))
        errors.push(fieldError(field, "can't be blank"));
    }
    if (errors.length > 0) throw new SimHttpError(400, errors);
  }

  /** A record in the API's JSON shape. */
  present(objectId: number, rec: StoredRecord, how: ReturnObject = 'full'): Record<string, unknown> {
    if (how === 'limited' || how === 'none') return { id: rec.id };
    const state = this.object(objectId);
    const detail: Detail = how === 'shallow' ? 'shallow' : 'full';
    const fields: Record<string, unknown> = {};
    for (const f of state.def.fields) {
      fields[f.name] = presentValue(f, rec.values.get(f.name) ?? null, this.directory, this.timezone, detail);
    }
    return {
      id: rec.id,
      'created-at': formatInstant(rec.createdAt, this.timezone),
      'updated-at': formatInstant(rec.updatedAt, this.timezone),
      'custom-object-code': state.def.code,
      'custom-object-name': state.def.name,
      'form-response-id': null,
      'created-by': presentUser(rec.createdBy, detail),
      'updated-by': presentUser(rec.updatedBy, detail),
      'custom-fields': fields,
    };
  }
}
