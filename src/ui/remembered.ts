import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Mappings remembered on this machine, by header: a spreadsheet with the same columns (ignoring case and
 * surrounding spaces, as the mapping matches them) is offered the mapping made for it last time.
 */
export interface RememberedStore {
  find(header: readonly string[]): Promise<unknown>;
  save(header: readonly string[], mapping: unknown): Promise<void>;
  /** The store's file, for tests and the docs. */
  readonly file: string;
}

/** `$XDG_CONFIG_HOME/coupa-csv`, else `~/.config/coupa-csv`. */
export function defaultConfigDir(env: Record<string, string | undefined> = process.env): string {
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'coupa-csv');
}

function headerKey(header: readonly string[]): string {
  const normal = header.map((h) => h.trim().toLowerCase()).join('\u0000');
  return createHash('sha256').update(normal).digest('hex');
}

interface StoreFile {
  v: 1;
  mappings: Record<string, { savedAt: string; header: string[]; mapping: unknown }>;
}

export function openRememberedStore(configDir: string): RememberedStore {
  const file = join(configDir, 'ui-mappings.json');
  const read = async (): Promise<StoreFile> => {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<StoreFile>;
      if (parsed && typeof parsed.mappings === 'object' && parsed.mappings !== null) {
        return { v: 1, mappings: parsed.mappings };
      }
    } catch {
      // No store yet, or one that cannot be read: start a new one (it only holds suggestions).
    }
    return { v: 1, mappings: {} };
  };
  let writing: Promise<void> = Promise.resolve();
  return {
    file,
    async find(header) {
      const store = await read();
      return store.mappings[headerKey(header)]?.mapping ?? null;
    },
    save(header, mapping) {
      // One write at a time, each renaming a complete file into place.
      writing = writing.then(async () => {
        const store = await read();
        store.mappings[headerKey(header)] = {
          savedAt: new Date().toISOString(),
          header: [...header],
          mapping,
        };
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, `${JSON.stringify(store, null, 2)}\n`, { mode: 0o600 });
        await rename(tmp, file);
      });
      return writing;
    },
  };
}
