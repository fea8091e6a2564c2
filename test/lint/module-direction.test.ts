import * as path from 'node:path';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { moduleDirection } from '../../scripts/eslint-module-direction.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const linter = new Linter({ configType: 'flat', cwd: ROOT });
const config: Linter.Config[] = [
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { local: { rules: { 'module-direction': moduleDirection } } },
    rules: { 'local/module-direction': 'error' },
  },
];

/** The rule's messages for one import line written in `file` (a path under src/). */
function lint(file: string, line: string): string[] {
  return linter.verify(line, config, path.join(ROOT, file)).map((m) => m.message);
}

describe('the module-direction lint rule (ARCHITECTURE.md, Module rules)', () => {
  it.each([
    ['src/import/pipeline.ts', "import { x } from '../coupa/index.js';"],
    ['src/import/send/create.ts', "import { x } from '../../mapping/index.js';"],
    ['src/import/send/create.ts', "import { x } from '../identity.js';"],
    ['src/cli/commands/import.ts', "import { x } from '../../coupa/errors.js';"],
    ['src/cli.ts', "import { main } from './cli/main.js';"],
    ['src/sim/routes/api.ts', "import { x } from '../context.js';"],
    ['src/export/run-export.ts', "const m = await import('../fields/index.js');"],
  ])('allows %s: %s', (file, line) => {
    expect(lint(file, line)).toEqual([]);
  });

  it.each([
    ['src/coupa/client.ts', "import { x } from '../import/index.js';", 'src/coupa may not import src/import'],
    ['src/sim/store.ts', "import { x } from '../shared/index.js';", 'src/sim may not import src/shared'],
    ['src/mapping/convert.ts', "import { x } from '../csv/index.js';", 'src/mapping may not import src/csv'],
    [
      'src/shared/time.ts',
      "import { x } from '../mapping/index.js';",
      'src/shared may not import src/mapping',
    ],
    ['src/import/pipeline.ts', "import { x } from '../csv/record-stream.js';", 'through its index.ts'],
    ['src/import/send/create.ts', "export { x } from '../../coupa/client.js';", 'through its index.ts'],
    ['src/export/run-export.ts', "const m = await import('../coupa/client.js');", 'through its index.ts'],
  ])('refuses %s: %s', (file, line, message) => {
    const messages = lint(file, line);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(message);
  });
});
