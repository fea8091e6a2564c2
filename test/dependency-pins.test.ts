import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Dependencies whose internals the code uses are pinned to exact versions: csv-parse (src/csv/line-tracking.ts,
// pinned behaviour in test/csv/line-tracking.test.ts) and undici (scripts/lean-start.mjs requires its internal files;
// test/cli-entry.test.ts checks the bundle). An upgrade is a deliberate change of package.json, with those tests.
const ROOT = join(import.meta.dirname, '..');

describe('dependencies whose internals are used', () => {
  it('csv-parse and undici are pinned to exact versions, and those are installed', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const name of ['csv-parse', 'undici']) {
      const pinned = pkg.dependencies[name];
      expect(pinned, name).toMatch(/^\d+\.\d+\.\d+$/);
      const installed = JSON.parse(
        readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'),
      ) as { version: string };
      expect(installed.version, name).toBe(pinned);
    }
  });
});
