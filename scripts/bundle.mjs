// Second build step (after tsc): bundles the CLI and its dependencies into dist/coupa-csv.js, the package's `bin`,
// plus one file per dynamically imported part (dist/chunks/: the HTTP client with undici, the export, the
// simulator), so that a dry run or `--help` still never reads the HTTP stack. Node then reads a few files instead of
// about 300 (undici alone is 110 CommonJS modules, yaml 72): about 120 ms off every start, and the lean-start plugin
// about 70 ms more (ARCHITECTURE.md and docs/performance.md say how each was timed). The library (dist/index.js) stays
// unbundled: its users' own bundlers decide.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { leanStart } from './lean-start.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

// Chunk names carry a content hash: clear the ones of earlier builds.
rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { 'coupa-csv': 'dist/cli.js' },
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (undici, yaml) call require() for Node's built-ins; an ES module has no require of its own.
  banner: {
    js: "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);",
  },
  plugins: [leanStart],
  // exceljs is a devDependency now (tests read workbooks with it): src/ reads and writes .xlsx with its own code.
  // Kept external all the same, so that an import of it slipped back into src/ fails loudly instead of bundling it
  // (bundled, its dependencies' `new Buffer()` would print a deprecation warning to every user, DEP0005).
  external: ['exceljs'],
  // Not minified: stack traces of an unexpected error keep readable names and lines.
  logLevel: 'warning',
});

// The page of `coupa-csv ui`, served from dist/ui-page.
const { buildPage } = await import('./build-page.mjs');
await buildPage();
