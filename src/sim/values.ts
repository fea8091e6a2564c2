import type { SimConfig, SimFieldConfig, SimLookupValue, SimSupplier, SimUser } from './types.js';
import { formatInstant, parseInstant } from './time.js';

/**
 * A custom field value as stored: text -> string, integer -> number, decimal -> canonical string with the field's
 * scale, boolean -> boolean, date/datetime -> ms since epoch, references -> the referenced id. null = unset.
 */
export type StoredValue = string | number | boolean | null;

/** The referenceable things of the instance (lookup values, users, suppliers), indexed for resolution. */
export class Directory {
  readonly users = new Map<number, SimUser>();
  readonly suppliers = new Map<number, SimSupplier>();
  readonly lookupValues = new Map<number, SimLookupValue>();
  private readonly lookupSets = new Map<string, SimLookupValue[]>();

  constructor(config: SimConfig) {
    for (const u of config.users) this.users.set(u.id, u);
    for (const s of config.suppliers) this.suppliers.set(s.id, s);
    for (const [name, values] of Object.entries(config.lookups)) {
      this.lookupSets.set(name, values);
      for (const v of values) this.lookupValues.set(v.id, v);
    }
  }

  lookupSet(name: string): SimLookupValue[] {
    return this.lookupSets.get(name) ?? [];
  }
}

/** `vendor-code` -> `Vendor code`, unless the field has a prompt. */
export function promptOf(field: SimFieldConfig): string {
  if (field.prompt) return field.prompt;
  const words = field.name.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A validation message as Coupa words it: the field's prompt, then what is wrong (`Amount is not a number`). */
export function fieldError(field: SimFieldConfig, problem: string): string {
  return `${promptOf(field)} ${problem}`;
}

/** Hyphenated form of an input key: `vendor_code` and `vendor-code` reach the same field. */
export function hyphenate(key: string): string {
  return key.replace(/_/g, '-');
}

type Coerced = { ok: true; value: StoredValue } | { ok: false; error: string };

const ok = (value: StoredValue): Coerced => ({ ok: true, value });
const bad = (error: string): Coerced => ({ ok: false, error });
/** A refusal worded by `fieldError` (built only when a value is refused, not on every write). */
const invalid = (field: SimFieldConfig, problem: string): Coerced => bad(fieldError(field, problem));

const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0', 'off']);

/** How an instance casts input (two of Coupa's variations). */
export interface CastOptions {
  /** A boolean word it does not know is stored as true instead of refused. */
  lenientBooleans: boolean;
  /** Datetimes without an offset are read in this zone (undefined: UTC). */
  localZone: string | undefined;
}

const STRICT: CastOptions = { lenientBooleans: false, localZone: undefined };

/** Reads an input value for a field as Coupa would, or explains why it cannot. */
export function coerceValue(
  field: SimFieldConfig,
  raw: unknown,
  dir: Directory,
  cast: CastOptions = STRICT,
): Coerced {
  if (raw === null || raw === undefined) return ok(null);
  switch (field.type) {
    case 'text':
      if (typeof raw === 'string') return ok(raw);
      if (typeof raw === 'number' || typeof raw === 'boolean') return ok(String(raw));
      return invalid(field, 'is invalid');
    case 'integer': {
      if (raw === '') return ok(null);
      const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : undefined;
      if (text === undefined || !/^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
        return invalid(field, 'is not a number');
      }
      const n = Number(text);
      if (!Number.isInteger(n)) return invalid(field, 'must be an integer');
      if (!Number.isSafeInteger(n)) return invalid(field, 'is out of range');
      return ok(n);
    }
    case 'decimal': {
      if (raw === '') return ok(null);
      // A JSON number in plain digits: String() writes 1e-7 and 1e+21 with an exponent.
      const text =
        typeof raw === 'number'
          ? raw.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 })
          : typeof raw === 'string'
            ? raw.trim()
            : undefined;
      const canonical = text === undefined ? undefined : normaliseDecimal(text, field.scale ?? 2);
      return canonical === undefined ? invalid(field, 'is not a number') : ok(canonical);
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === '') return ok(null);
      const word = typeof raw === 'number' || typeof raw === 'string' ? String(raw).trim().toLowerCase() : '';
      if (TRUE_WORDS.has(word)) return ok(true);
      if (FALSE_WORDS.has(word)) return ok(false);
      // Rails casts every word outside its false list as true: an instance that does not validate stores it so.
      if (cast.lenientBooleans && word !== '') return ok(true);
      return invalid(field, 'is not a valid boolean');
    }
    case 'date':
    case 'datetime': {
      if (raw === '') return ok(null);
      const ms = typeof raw === 'string' ? parseInstant(raw, cast.localZone) : undefined;
      return ms === undefined ? invalid(field, `is not a valid ${field.type}`) : ok(ms);
    }
    case 'lookup':
      return resolveReference(field, raw, 'LookupValue', LOOKUP_KEYS, dir.lookupSet(field.lookup ?? ''));
    case 'user':
      return resolveReference(field, raw, 'User', USER_KEYS, [...dir.users.values()]);
    case 'supplier':
      return resolveReference(field, raw, 'Supplier', SUPPLIER_KEYS, [...dir.suppliers.values()]);
  }
}

export const LOOKUP_KEYS = ['id', 'name', 'external-ref-num', 'external-ref-code'] as const;
export const USER_KEYS = ['id', 'login', 'email'] as const;
export const SUPPLIER_KEYS = ['id', 'name', 'number'] as const;

/** The keys a reference field can be set and filtered by. */
export function referenceKeys(field: SimFieldConfig): readonly string[] {
  return field.type === 'lookup' ? LOOKUP_KEYS : field.type === 'user' ? USER_KEYS : SUPPLIER_KEYS;
}

function resolveReference<T extends { id: number }>(
  field: SimFieldConfig,
  raw: unknown,
  model: string,
  keys: readonly string[],
  candidates: readonly T[],
): Coerced {
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) {
    return invalid(field, `must be an object with one of the keys ${keys.join(', ')}`);
  }
  const given = Object.entries(raw as Record<string, unknown>).map(([k, v]) => [hyphenate(k), v] as const);
  if (given.length === 0) return ok(null);
  if (given.every(([k]) => keys.includes(k))) {
    const match = candidates.find((c) =>
      given.every(([k, v]) => {
        const actual = naturalKey(c, k);
        if (actual === null) return false;
        return (typeof v === 'string' || typeof v === 'number') && String(actual) === String(v).trim();
      }),
    );
    if (match) return ok(match.id);
  }
  // An unknown key gets the same answer as no match; the message is built only for a refusal.
  const shown = `{${given.map(([k, v]) => `"${k}"=>${rubyInspect(v)}`).join(', ')}}`;
  const possible = `Possible keys are [${keys.map((k) => `"${k}"`).join(', ')}]`;
  return bad(`Unable to find valid ${model} record for ${field.name} with keys ${shown}. ${possible}`);
}

/** The value of key `key` (`login`, `external-ref-num`...) of a referenced thing, or null when it has none. */
export function naturalKey(target: object, key: string): string | number | null {
  const v = (target as Record<string, unknown>)[key];
  return typeof v === 'string' || typeof v === 'number' ? v : null;
}

function rubyInspect(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'nil';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Blank as Rails means it: unset, or text of white space only (what `required` refuses and `[blank]` finds). */
export function isBlank(v: StoredValue): boolean {
  return v === null || (typeof v === 'string' && v.trim() === '');
}

/** `1250.5` -> `1250.50` at scale 2 (half away from zero), or undefined when not a decimal number. */
export function normaliseDecimal(text: string, scale: number): string | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) return undefined;
  const [, sign = '', int = '', frac = ''] = m;
  if (int === '' && frac === '') return undefined;
  const digits = BigInt((int || '0') + frac.padEnd(scale + 1, '0').slice(0, scale + 1));
  const rounded = (digits + 5n) / 10n;
  const s = rounded.toString().padStart(scale + 1, '0');
  const whole = s.slice(0, s.length - scale);
  const part = s.slice(s.length - scale);
  const negative = sign === '-' && rounded !== 0n;
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${part}` : ''}`;
}

/** How records are shown: all attributes (`full`), references trimmed to ids and natural keys (`shallow`). */
export type Detail = 'full' | 'shallow';

/** A stored value as the API returns it (JSON shapes; XML is rendered from the same tree). */
export function presentValue(
  field: SimFieldConfig,
  value: StoredValue,
  dir: Directory,
  tz: string,
  detail: Detail,
): unknown {
  if (value === null) return null;
  switch (field.type) {
    case 'date':
    case 'datetime':
      return formatInstant(value as number, tz);
    case 'lookup': {
      const v = dir.lookupValues.get(value as number);
      if (!v) return { id: value };
      const keys = {
        name: v.name,
        'external-ref-num': v['external-ref-num'] ?? null,
        'external-ref-code': v['external-ref-code'] ?? null,
      };
      return detail === 'shallow' ? { id: v.id, ...keys } : { id: v.id, active: v.active ?? true, ...keys };
    }
    case 'user': {
      const u = dir.users.get(value as number);
      return u ? presentUser(u, detail) : { id: value };
    }
    case 'supplier': {
      const s = dir.suppliers.get(value as number);
      return s ? { id: s.id, name: s.name, number: s.number } : { id: value };
    }
    default:
      return value;
  }
}

/** A user as records show one, in a user field and as `created-by` / `updated-by`. */
export function presentUser(u: SimUser, detail: Detail): Record<string, unknown> {
  return detail === 'shallow' ? { id: u.id, login: u.login } : { id: u.id, login: u.login, email: u.email };
}
