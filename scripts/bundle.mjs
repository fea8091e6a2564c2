// Second build step (after tsc): bundles the CLI and its dependencies into one file, dist/coupa-csv.js, the
// package's `bin`. Node then reads one file instead of about 300 (undici alone is 110 CommonJS modules, yaml 72),
// which takes about 130 ms off every start on a 2-core machine (see README "Performance"). The library
// (dist/index.js) stays unbundled: its users' own bundlers decide.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli.js'],
  outfile: 'dist/coupa-csv.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (undici, yaml) call require() for Node's built-ins; an ES module has no require of its own.
  banner: {
    js: "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);",
  },
  // Not minified: stack traces of an unexpected error keep readable names and lines.
  logLevel: 'warning',
});
