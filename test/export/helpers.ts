import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import type { ClientOptions } from '../../src/coupa/types.js';
import type { Simulator } from '../../src/sim/index.js';
import { makeTempDir as makeSharedTempDir } from '../helpers/temp-dir.js';

export const OWNERS = ['jdoe', 'asmith', 'mchen', 'lgarcia', 'pnovak'];
export const SUPPLIERS = ['S-1001', 'S-1002', 'S-1003', 'S-1004'];

/** Vendor Onboarding (object 101) fields for record number i: every type, some nulls, a few formula-like names. */
export function vendorFields(i: number): Record<string, unknown> {
  const day = String((i % 28) + 1).padStart(2, '0');
  return {
    'vendor-code': `V-${String(i).padStart(4, '0')}`,
    'vendor-name': i % 7 === 0 ? `Acme ${i} Corp` : `Vendor ${i}`,
    'tax-id': i % 5 === 0 ? null : `TX${i}`,
    'onboarding-date': `2026-03-${day}T00:00:00-08:00`,
    'approved-at': i % 4 === 0 ? null : `2026-03-${day}T09:30:00-08:00`,
    'credit-limit': (i * 13.37).toFixed(2),
    'payment-terms': [30, 45, 60][i % 3],
    active: i % 2 === 0,
    owner: { login: OWNERS[i % OWNERS.length] },
    supplier: { number: SUPPLIERS[i % SUPPLIERS.length] },
    notes: i % 3 === 0 ? null : `note ${i}`,
  };
}

/** Inserts vendors from..to (inclusive) straight into the simulator; returns their ids. */
export function seedVendors(sim: Simulator, from: number, to: number): number[] {
  const ids: number[] = [];
  for (let i = from; i <= to; i++) ids.push(sim.insert(101, vendorFields(i)).id as number);
  return ids;
}

export function clientFor(sim: Simulator, extra: Partial<ClientOptions> = {}): ClientOptions {
  return {
    instance: sim.url,
    credentials: {
      kind: 'oauth',
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      scopes: sim.scopes,
    },
    rate: 1000,
    concurrency: 4,
    backoffBaseMs: 10,
    ...extra,
  };
}

/** The shared temp folder (test/helpers/temp-dir.ts), in the shape the export tests use. */
export function makeTempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const tmp = makeSharedTempDir('export');
  return Promise.resolve({ dir: tmp.dir, remove: () => Promise.resolve(tmp.cleanup()) });
}

/** A writable that collects what is written (for `--out -`). */
export function collector(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

export function parseCsv(text: string): string[][] {
  const rows: string[][] = parse(text, { bom: true });
  return rows;
}

export async function readCsv(path: string): Promise<{ header: string[]; rows: string[][] }> {
  const [header = [], ...rows] = parseCsv(await readFile(path, 'utf8'));
  return { header, rows };
}

export function parseJsonl(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits until the wall clock is in a later second than now (timestamps in Coupa have whole seconds). */
export async function nextSecond(): Promise<void> {
  const now = Date.now();
  await sleep(1000 - (now % 1000) + 20);
}
