import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  SimClientConfig,
  SimConfig,
  SimErrorBody,
  SimFieldConfig,
  SimFieldType,
  SimLookupValue,
  SimObjectConfig,
  SimSupplier,
  SimUser,
  SimVariations,
} from './types.js';

/** A config file that cannot be read or is not valid. The message names the file and the bad key. */
export class SimConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimConfigError';
  }
}

export const FIELD_TYPES: readonly SimFieldType[] = [
  'text',
  'integer',
  'decimal',
  'boolean',
  'date',
  'datetime',
  'lookup',
  'user',
  'supplier',
];

/** Elements outside `custom-fields`: a custom field may not take one of these names. */
export const READ_ONLY_ELEMENTS = [
  'id',
  'created-at',
  'updated-at',
  'created-by',
  'updated-by',
  'custom-object-code',
  'custom-object-name',
  'form-response-id',
] as const;

export const DEFAULT_CLIENT: SimClientConfig = {
  id: 'coupa-csv-sim',
  secret: 'sim-secret',
  scopes: ['core.custom_objects.read_write'],
};

export const DEFAULT_API_USER: SimUser = { id: 900, login: 'integration', email: 'integration@example.com' };

/**
 * Path of the config shipped in the package (`samples/sim-config.json`): found from this module's folder upwards,
 * so that src/sim, dist/sim and the bundled CLI in dist/ alike find it.
 */
export function defaultSimConfigPath(): string {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'samples', 'sim-config.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return path.resolve(start, '../../samples/sim-config.json');
  }
}

/**
 * Reads and validates a simulator config file (JSON, format in {@link SimConfig}).
 * @example const config = await loadSimConfig('samples/sim-config.json');
 * @throws SimConfigError naming the file and the bad key.
 */
export async function loadSimConfig(path: string): Promise<SimConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new SimConfigError(`sim config ${path}: cannot read the file (${reason})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    // Not Node's own message: it quotes the text around the error, which may be the apiKey.
    const at = /position (\d+)/.exec((error as Error).message);
    const line = at === null ? undefined : text.slice(0, Number(at[1])).split('\n').length;
    throw new SimConfigError(
      `sim config ${path}${line === undefined ? '' : `:${line}`}: not valid JSON (a value without quotes, a missing or extra comma?)`,
    );
  }
  return validateSimConfig(raw, path);
}

/**
 * Checks a config object and returns it typed. `source` names it in messages (a file path or "config").
 * @throws SimConfigError `sim config <source>: <key path>: <problem>`.
 */
export function validateSimConfig(raw: unknown, source = 'config'): SimConfig {
  const fail = (where: string, problem: string): never => {
    throw new SimConfigError(`sim config ${source}: ${where}: ${problem}`);
  };
  const root = expectObject(raw, '(root)', fail);
  checkKeys(
    root,
    ['timezone', 'variations', 'client', 'apiKey', 'apiUser', 'users', 'suppliers', 'lookups', 'objects'],
    '(root)',
    fail,
  );

  const config: SimConfig = { users: [], suppliers: [], lookups: {}, objects: [] };
  if (root.timezone !== undefined) {
    const tz = expectString(root.timezone, 'timezone', fail);
    if (!isValidTimeZone(tz)) fail('timezone', `"${tz}" is not an IANA time zone`);
    config.timezone = tz;
  }
  if (root.variations !== undefined) config.variations = readVariations(root.variations, fail);
  if (root.client !== undefined) {
    const c = expectObject(root.client, 'client', fail);
    checkKeys(c, ['id', 'secret', 'scopes'], 'client', fail);
    const scopes = expectArray(c.scopes, 'client.scopes', fail).map((s, i) =>
      expectString(s, `client.scopes[${i}]`, fail),
    );
    if (scopes.some((s) => /\s/.test(s))) fail('client.scopes', 'a scope may not contain spaces');
    config.client = {
      id: expectString(c.id, 'client.id', fail),
      secret: expectString(c.secret, 'client.secret', fail),
      scopes,
    };
  }
  if (root.apiKey !== undefined) {
    const key = expectString(root.apiKey, 'apiKey', fail);
    if (key.trim() === '') fail('apiKey', 'must not be empty');
    config.apiKey = key;
  }
  if (root.apiUser !== undefined) config.apiUser = readUser(root.apiUser, 'apiUser', fail);
  if (root.users !== undefined) {
    config.users = expectArray(root.users, 'users', fail).map((u, i) => readUser(u, `users[${i}]`, fail));
    checkUnique(config.users, (u) => u.id, 'users', 'id', fail);
    checkUnique(config.users, (u) => u.login, 'users', 'login', fail);
  }
  if (root.suppliers !== undefined) {
    config.suppliers = expectArray(root.suppliers, 'suppliers', fail).map((s, i) =>
      readSupplier(s, `suppliers[${i}]`, fail),
    );
    checkUnique(config.suppliers, (s) => s.id, 'suppliers', 'id', fail);
  }
  if (root.lookups !== undefined) {
    const sets = expectObject(root.lookups, 'lookups', fail);
    for (const [name, values] of Object.entries(sets)) {
      const where = `lookups.${name}`;
      const list = expectArray(values, where, fail).map((v, i) => readLookupValue(v, `${where}[${i}]`, fail));
      checkUnique(list, (v) => v.id, where, 'id', fail);
      config.lookups[name] = list;
    }
  }
  const objects = expectArray(root.objects, 'objects', fail);
  if (objects.length === 0) fail('objects', 'declare at least one custom object');
  config.objects = objects.map((o, i) => readObject(o, `objects[${i}]`, config, fail));
  checkUnique(config.objects, (o) => o.id, 'objects', 'id', fail);
  return config;
}

type Fail = (where: string, problem: string) => never;

function readObject(raw: unknown, where: string, config: SimConfig, fail: Fail): SimObjectConfig {
  const o = expectObject(raw, where, fail);
  checkKeys(o, ['id', 'code', 'name', 'fields'], where, fail);
  const fields = expectArray(o.fields, `${where}.fields`, fail).map((f, i) =>
    readField(f, `${where}.fields[${i}]`, config, fail),
  );
  checkUnique(fields, (f) => f.name, `${where}.fields`, 'name', fail);
  return {
    id: expectId(o.id, `${where}.id`, fail),
    code: expectString(o.code, `${where}.code`, fail),
    name: expectString(o.name, `${where}.name`, fail),
    fields,
  };
}

function readField(raw: unknown, where: string, config: SimConfig, fail: Fail): SimFieldConfig {
  const f = expectObject(raw, where, fail);
  checkKeys(f, ['name', 'type', 'prompt', 'required', 'lookup', 'scale'], where, fail);
  const name = expectString(f.name, `${where}.name`, fail);
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    fail(
      `${where}.name`,
      `"${name}" must be lowercase letters and digits separated by hyphens (e.g. vendor-code)`,
    );
  }
  if ((READ_ONLY_ELEMENTS as readonly string[]).includes(name)) {
    fail(`${where}.name`, `"${name}" is a read-only element name`);
  }
  const type = expectString(f.type, `${where}.type`, fail);
  if (!(FIELD_TYPES as readonly string[]).includes(type)) {
    fail(`${where}.type`, `"${type}" is not one of ${FIELD_TYPES.join(', ')}`);
  }
  const field: SimFieldConfig = { name, type: type as SimFieldType };
  if (f.prompt !== undefined) field.prompt = expectString(f.prompt, `${where}.prompt`, fail);
  if (f.required !== undefined) {
    if (typeof f.required !== 'boolean') fail(`${where}.required`, 'must be true or false');
    field.required = f.required;
  }
  if (type === 'lookup') {
    if (f.lookup === undefined)
      fail(`${where}.lookup`, 'a lookup field names its lookup set (a key of "lookups")');
    const set = expectString(f.lookup, `${where}.lookup`, fail);
    if (!(set in config.lookups)) {
      const known = Object.keys(config.lookups);
      fail(
        `${where}.lookup`,
        `unknown lookup set "${set}" (known: ${known.length ? known.join(', ') : 'none'})`,
      );
    }
    field.lookup = set;
  } else if (f.lookup !== undefined) {
    fail(`${where}.lookup`, 'only lookup fields have a lookup set');
  }
  if (f.scale !== undefined) {
    if (type !== 'decimal') fail(`${where}.scale`, 'only decimal fields have a scale');
    if (typeof f.scale !== 'number' || !Number.isInteger(f.scale) || f.scale < 0 || f.scale > 10) {
      fail(`${where}.scale`, 'must be an integer from 0 to 10');
    }
    field.scale = f.scale;
  }
  return field;
}

const BOOLEAN_VARIATIONS = [
  'warnings',
  'cdata',
  'lenientBooleans',
  'caseInsensitiveFilters',
  'localTimes',
] as const satisfies ReadonlyArray<keyof SimVariations>;
const ERROR_BODIES: readonly SimErrorBody[] = ['default', 'empty', 'xml', 'json'];

function readVariations(raw: unknown, fail: Fail): Partial<SimVariations> {
  const v = expectObject(raw, 'variations', fail);
  checkKeys(v, ['errorBody', ...BOOLEAN_VARIATIONS], 'variations', fail);
  const out: Partial<SimVariations> = {};
  if (v.errorBody !== undefined) {
    if (!(ERROR_BODIES as readonly unknown[]).includes(v.errorBody)) {
      fail('variations.errorBody', `must be one of ${ERROR_BODIES.join(', ')}`);
    }
    out.errorBody = v.errorBody as SimErrorBody;
  }
  for (const key of BOOLEAN_VARIATIONS) {
    const value = v[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') fail(`variations.${key}`, 'must be true or false');
    out[key] = value;
  }
  return out;
}

function readUser(raw: unknown, where: string, fail: Fail): SimUser {
  const u = expectObject(raw, where, fail);
  checkKeys(u, ['id', 'login', 'email'], where, fail);
  return {
    id: expectId(u.id, `${where}.id`, fail),
    login: expectString(u.login, `${where}.login`, fail),
    email: expectString(u.email, `${where}.email`, fail),
  };
}

function readSupplier(raw: unknown, where: string, fail: Fail): SimSupplier {
  const s = expectObject(raw, where, fail);
  checkKeys(s, ['id', 'name', 'number'], where, fail);
  return {
    id: expectId(s.id, `${where}.id`, fail),
    name: expectString(s.name, `${where}.name`, fail),
    number: expectString(s.number, `${where}.number`, fail),
  };
}

function readLookupValue(raw: unknown, where: string, fail: Fail): SimLookupValue {
  const v = expectObject(raw, where, fail);
  checkKeys(v, ['id', 'name', 'external-ref-num', 'external-ref-code', 'active'], where, fail);
  const out: SimLookupValue = {
    id: expectId(v.id, `${where}.id`, fail),
    name: expectString(v.name, `${where}.name`, fail),
  };
  for (const key of ['external-ref-num', 'external-ref-code'] as const) {
    const value = v[key];
    if (value !== undefined && value !== null) out[key] = expectString(value, `${where}.${key}`, fail);
  }
  if (v.active !== undefined) {
    if (typeof v.active !== 'boolean') fail(`${where}.active`, 'must be true or false');
    out.active = v.active;
  }
  return out;
}

function expectObject(value: unknown, where: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'must be an object');
  return value as Record<string, unknown>;
}

function expectArray(value: unknown, where: string, fail: Fail): unknown[] {
  if (!Array.isArray(value)) fail(where, value === undefined ? 'is missing (a list)' : 'must be a list');
  return value as unknown[];
}

function expectString(value: unknown, where: string, fail: Fail): string {
  if (typeof value !== 'string' || value.trim() === '') {
    fail(where, value === undefined ? 'is missing' : 'must be a non-empty string');
  }
  return value;
}

function expectId(value: unknown, where: string, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    fail(where, value === undefined ? 'is missing' : 'must be a positive integer');
  }
  return value;
}

function checkKeys(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
  fail: Fail,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(where, `unknown key "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function checkUnique<T>(
  items: readonly T[],
  key: (item: T) => string | number,
  where: string,
  what: string,
  fail: Fail,
): void {
  const seen = new Set<string | number>();
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) fail(`${where}[${i}].${what}`, `duplicate ${what} ${JSON.stringify(k)}`);
    seen.add(k);
  });
}

/** True when Intl knows the IANA zone name. */
export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
