import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfigDir } from '../../src/ui/index.js';
import { openRememberedStore } from '../../src/ui/remembered.js';

describe('remembered mappings', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('live in $XDG_CONFIG_HOME/coupa-csv, else ~/.config/coupa-csv', () => {
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/x/config' })).toBe('/x/config/coupa-csv');
    expect(defaultConfigDir({})).toBe(path.join(os.homedir(), '.config', 'coupa-csv'));
  });

  it('are found again for the same header, ignoring case and surrounding spaces, and only for it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coupa-csv-ui-store-'));
    dirs.push(dir);
    const store = openRememberedStore(path.join(dir, 'coupa-csv'));
    const mapping = { object: 101, fields: { Code: { field: 'code' } } };
    await store.save(['Code', 'Amount'], mapping);
    expect(await openRememberedStore(path.join(dir, 'coupa-csv')).find([' code ', 'AMOUNT'])).toEqual(
      mapping,
    );
    expect(await store.find(['Code'])).toBeNull();
    expect(await store.find(['Amount', 'Code'])).toBeNull();
    expect(fs.statSync(store.file).mode & 0o777).toBe(0o600);
  });
});
