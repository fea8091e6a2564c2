// Builds the page of `coupa-csv ui` (src/ui/page) into one folder: index.html, app.css and app.js (bundled by
// esbuild; no CDN, no remote asset). Used by scripts/bundle.mjs (into dist/ui-page) and by the UI tests.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Writes the page into `outdir` (absolute, or relative to the repository). */
export async function buildPage(outdir = join(root, 'dist', 'ui-page')) {
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: ['src/ui/page/main.ts'],
    outfile: join(outdir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    sourcemap: false,
    logLevel: 'warning',
  });
  copyFileSync(join(root, 'src/ui/page/index.html'), join(outdir, 'index.html'));
  copyFileSync(join(root, 'src/ui/page/app.css'), join(outdir, 'app.css'));
  return outdir;
}
