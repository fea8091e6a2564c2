import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every relative link between README.md, ARCHITECTURE.md and docs/*.md points at a file that exists, and every
 * `#anchor` at a heading of that file (GitHub's slugs), so that moving or renaming a section cannot leave a dead
 * link behind. Links inside code blocks and to other sites are not checked.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function markdownFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join('docs', name));
  return ['README.md', 'ARCHITECTURE.md', ...docs];
}

/** The text outside fenced code blocks and inline code spans (links there are examples, not links). */
function proseOf(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '``');
}

/** GitHub's anchor for a heading: lower case, punctuation dropped (not `-` and `_`), spaces as `-`, repeats numbered. */
function headingSlugs(text: string): Set<string> {
  const slugs = new Set<string>();
  const seen = new Map<string, number>();
  const withoutCode = text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const match of withoutCode.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const heading = (match[1] as string).replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

interface Link {
  file: string;
  target: string;
}

function relativeLinks(file: string): Link[] {
  const prose = proseOf(fs.readFileSync(path.join(ROOT, file), 'utf8'));
  const links: Link[] = [];
  for (const match of prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1] as string;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    links.push({ file, target });
  }
  return links;
}

describe('links between README, ARCHITECTURE and docs/', () => {
  const files = markdownFiles();
  const links = files.flatMap(relativeLinks);

  it('finds the pages and their links (the check below is not vacuous)', () => {
    expect(files).toContain('docs/results-file.md');
    expect(links.length).toBeGreaterThan(30);
    expect(links.some((link) => link.target.includes('#'))).toBe(true);
  });

  it('every relative link names a file that exists, and every anchor a heading in it', () => {
    const broken: string[] = [];
    for (const { file, target } of links) {
      const [pathPart = '', anchor] = target.split('#', 2);
      const resolved =
        pathPart === '' ? path.join(ROOT, file) : path.resolve(ROOT, path.dirname(file), pathPart);
      if (!fs.existsSync(resolved)) {
        broken.push(`${file}: ${target} (no such file)`);
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (!resolved.endsWith('.md')) {
        broken.push(`${file}: ${target} (an anchor into a file that is not markdown)`);
        continue;
      }
      const slugs = headingSlugs(fs.readFileSync(resolved, 'utf8'));
      if (!slugs.has(decodeURIComponent(anchor))) broken.push(`${file}: ${target} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });

  it('computes the anchors GitHub does', () => {
    const slugs = headingSlugs(
      '# Failure codes (`_code`)\n## Stopping: Ctrl-C, SIGTERM, kill -9\n## Export\n### Export\n```\n# not a heading\n```\n',
    );
    expect([...slugs]).toEqual([
      'failure-codes-_code',
      'stopping-ctrl-c-sigterm-kill--9',
      'export',
      'export-1',
    ]);
  });
});
