// An esbuild plugin for the CLI bundle (scripts/bundle.mjs): less code evaluated at every start, the same behaviour.
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Three substitutions that only change how much code starts, not what it does (test/cli-entry.test.ts runs the same
 * import and help through this bundle and through the plain tsc output and compares them). Together they take about
 * 70 ms off a start (the token request at 262 vs 334 ms, medians of 6 interleaved 100-row imports):
 * - `undici`: the client uses `Agent` and `dispatcher.request()` only. undici's index loads all of it (fetch, web
 *   sockets, caches, mocks); the slim entry loads the agent, its pool and client, and the request API that the
 *   index attaches to `Dispatcher.prototype`. Those are undici's internal files: package.json pins undici to an exact
 *   version (test/dependency-pins.test.ts checks the pin), and test/cli-entry.test.ts checks that the bundle still
 *   imports like the tsc output and holds only these files of undici.
 * - undici's HTTP/2 client (`dispatcher/client-h2.js`), which `client.js` requires at load and calls only for a
 *   connection that negotiated h2 by ALPN (TLS with `allowH2`, which the client never sets): it loads `node:http2`,
 *   about 13 ms of every import's start before the first request (bench scenario 2). Wrapped in a function that
 *   loads the real module on its first call.
 * - `string-width` (yargs, cliui, wrap-ansi, cli-progress): yargs lays out a command's help text after calling its
 *   handler, on every run, and string-width 7/8 walk every character through Intl.Segmenter and Unicode regexps.
 *   Printable ASCII has the width of its length; anything else (ANSI codes, tabs, wide or combining characters)
 *   goes to the real string-width.
 */
export const leanStart = {
  name: 'lean-start',
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) => ({ path: args.resolveDir, namespace: 'lean-undici' }));
    b.onLoad({ filter: /.*/, namespace: 'lean-undici' }, () => ({
      resolveDir: ROOT,
      loader: 'js',
      contents: [
        "const Agent = require('undici/lib/dispatcher/agent.js');",
        "const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');",
        "Object.assign(Dispatcher.prototype, require('undici/lib/api/index.js'));",
        'module.exports = { Agent, Dispatcher };',
      ].join('\n'),
    }));
    wrapModule(b, {
      filter: /^\.\/client-h2\.js$/,
      importer: 'undici/lib/dispatcher/client.js',
      namespace: 'lean-h2',
      contents: (real) => [
        'let connectH2;',
        'module.exports = function lazyConnectH2(client, socket) {',
        `  connectH2 ??= require(${JSON.stringify(real)});`,
        '  return connectH2(client, socket);',
        '};',
      ],
    });
    // One wrapper per string-width copy (yargs and cliui depend on different majors). require(), not import: the
    // bundle then evaluates the real module (which builds an Intl.Segmenter, about 15 ms) on first use, not at start.
    wrapModule(b, {
      filter: /^string-width$/,
      namespace: 'lean-string-width',
      contents: (real) => [
        'const printableAscii = /^[\\x20-\\x7e]*$/;',
        'let realWidth;',
        'export default function stringWidth(text) {',
        "  if (typeof text === 'string' && printableAscii.test(text)) return text.length;",
        `  realWidth ??= require(${JSON.stringify(real)});`,
        "  return (typeof realWidth === 'function' ? realWidth : realWidth.default)(text);",
        '}',
      ],
    });
  },
};

/**
 * Puts a wrapper in place of a module: imports matching `filter` (from a file whose path ends in `importer`, when
 * given) resolve to `contents(realPath)`, which may `require` the real module by that path: that import is resolved
 * as usual.
 * @param {import('esbuild').PluginBuild} b
 * @param {{ filter: RegExp, importer?: string, namespace: string, contents: (real: string) => string[] }} wrap
 */
function wrapModule(b, { filter, importer, namespace, contents }) {
  b.onResolve({ filter }, async (args) => {
    if (args.pluginData === 'real') return undefined;
    if (importer !== undefined && !args.importer.replaceAll('\\', '/').endsWith(importer)) return undefined;
    const real = await b.resolve(args.path, {
      resolveDir: args.resolveDir,
      kind: args.kind,
      pluginData: 'real',
    });
    return real.errors.length > 0 ? { errors: real.errors } : { path: real.path, namespace };
  });
  b.onLoad({ filter: /.*/, namespace }, (args) => ({
    resolveDir: ROOT,
    loader: 'js',
    contents: contents(args.path).join('\n'),
  }));
}
