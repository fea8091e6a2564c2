// startSimulator's options checked and resolved against the config, in one place.
import {
  DEFAULT_API_USER,
  DEFAULT_CLIENT,
  defaultSimConfigPath,
  isValidTimeZone,
  loadSimConfig,
  validateSimConfig,
} from './config.js';
import type { SimClientConfig, SimConfig, SimUser, SimVariations, SimulatorOptions } from './types.js';

export const DEFAULT_VARIATIONS: SimVariations = {
  errorBody: 'default',
  warnings: false,
  cdata: false,
  lenientBooleans: false,
  caseInsensitiveFilters: false,
  localTimes: false,
};

/** Every option with its default applied, checked. */
export interface ResolvedOptions {
  config: SimConfig;
  timezone: string;
  rate: number;
  burst: number;
  latencyMs: number;
  tokenLifetimeS: number;
  retryAfter: boolean | 'mixed';
  client: SimClientConfig;
  apiKey: string | undefined;
  apiUser: SimUser;
  now: () => number;
  variations: SimVariations;
}

/** Reads the config and applies the defaults. Throws RangeError naming the option for a value out of range. */
export async function resolveOptions(options: SimulatorOptions): Promise<ResolvedOptions> {
  const config = await resolveConfig(options.config);
  const timezone = options.timezone ?? config.timezone ?? 'America/Los_Angeles';
  if (!isValidTimeZone(timezone)) throw new RangeError(`simulator: "${timezone}" is not an IANA time zone`);
  const rate = options.rate ?? 25;
  const burst = options.burst ?? 20;
  const latencyMs = options.latencyMs ?? 0;
  const tokenLifetimeS = options.tokenLifetimeS ?? 86399;
  checkNumber(rate, 'rate', 0, Infinity);
  checkNumber(burst, 'burst', 0, Infinity);
  checkNumber(latencyMs, 'latencyMs', 0, Infinity);
  if (!(tokenLifetimeS >= 0)) throw new RangeError('simulator: tokenLifetimeS must be 0 or more');
  return {
    config,
    timezone,
    rate,
    burst,
    latencyMs,
    tokenLifetimeS,
    retryAfter: options.retryAfter ?? true,
    client: {
      id: options.clientId ?? config.client?.id ?? DEFAULT_CLIENT.id,
      secret: options.clientSecret ?? config.client?.secret ?? DEFAULT_CLIENT.secret,
      scopes: config.client?.scopes ?? DEFAULT_CLIENT.scopes,
    },
    apiKey: options.apiKey ?? config.apiKey,
    apiUser: config.apiUser ?? DEFAULT_API_USER,
    now: options.now ?? Date.now,
    variations: resolveVariations(config.variations, options.variations),
  };
}

async function resolveConfig(config: SimConfig | string | undefined): Promise<SimConfig> {
  if (typeof config === 'string') return loadSimConfig(config);
  if (config === undefined) return loadSimConfig(defaultSimConfigPath());
  return validateSimConfig(config);
}

/** The defaults, then the config's keys, then the options' keys. */
function resolveVariations(
  fromConfig: Partial<SimVariations> | undefined,
  fromOptions: Partial<SimVariations> | undefined,
): SimVariations {
  const out: SimVariations = { ...DEFAULT_VARIATIONS };
  for (const source of [fromConfig ?? {}, fromOptions ?? {}]) {
    for (const [key, value] of Object.entries(source) as Array<[keyof SimVariations, unknown]>) {
      if (value === undefined) continue;
      if (!(key in DEFAULT_VARIATIONS)) {
        throw new RangeError(
          `simulator: unknown variation "${key}" (known: ${Object.keys(DEFAULT_VARIATIONS).join(', ')})`,
        );
      }
      if (key === 'errorBody') {
        if (value !== 'default' && value !== 'empty' && value !== 'xml' && value !== 'json') {
          throw new RangeError(
            `simulator: variations.errorBody must be default, empty, xml or json, got ${JSON.stringify(value)}`,
          );
        }
        out.errorBody = value;
      } else {
        if (typeof value !== 'boolean') {
          throw new RangeError(
            `simulator: variations.${key} must be true or false, got ${JSON.stringify(value)}`,
          );
        }
        out[key] = value;
      }
    }
  }
  return out;
}

/** Throws a RangeError `simulator: <name> must be ...` unless min <= value <= max. */
export function checkNumber(value: number, name: string, min: number, max: number): void {
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || value > max) {
    const range =
      max === Infinity
        ? min === -Infinity
          ? 'a number'
          : `a number >= ${min}`
        : `a number from ${min} to ${max}`;
    throw new RangeError(`simulator: ${name} must be ${range}, got ${JSON.stringify(value)}`);
  }
}
