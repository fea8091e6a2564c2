// A lint rule for src/: which module may import which (the arrows of ARCHITECTURE.md), and that another module is
// reached through its index.ts only. Import paths are resolved against the importing file, so the rule holds at
// any folder depth.
import path from 'node:path';

/**
 * The arrows of ARCHITECTURE.md: the modules of src/ each one imports directly (`.` is the top level: index.ts,
 * cli.ts, demo.ts). A module may also import whatever those import, and so on down (skipping levels is fine):
 * {@link MAY_IMPORT} is derived from this table. Keys are in the order of the layers, top first.
 */
export const ARROWS = {
  '.': ['cli'],
  cli: ['ui'],
  ui: ['import', 'export', 'mapping-init', 'sim'],
  import: ['run'],
  export: ['run', 'fields'],
  'mapping-init': ['run', 'fields'],
  fields: ['run'],
  run: ['mapping', 'csv', 'coupa'],
  mapping: ['coupa'],
  csv: ['shared'],
  coupa: ['shared'],
  shared: [],
  sim: [],
};

/** What each module of src/ may import besides itself: every module its arrows reach, in the order of the layers. */
export const MAY_IMPORT = Object.fromEntries(
  Object.keys(ARROWS).map((from) => {
    const reached = new Set();
    const visit = (module) => {
      for (const to of ARROWS[module] ?? []) {
        if (reached.has(to)) continue;
        reached.add(to);
        visit(to);
      }
    };
    visit(from);
    return [from, Object.keys(ARROWS).filter((m) => reached.has(m))];
  }),
);

/**
 * Light doors: files of a module that load none of its heavy code, for callers that must not pay for it at start-up
 * (the CLI checks flags and a dry run converts rows without loading undici or the export's writers; ARCHITECTURE.md).
 */
export const LIGHT_DOORS = {
  coupa: ['errors.js', 'config.js'],
  export: ['filters.js', 'output.js'],
};

function moduleOf(srcDir, file) {
  const rel = path.relative(srcDir, file);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(path.sep);
  return parts.length === 1 ? '.' : parts[0];
}

/** @type {import('eslint').Rule.RuleModule} */
export const moduleDirection = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Modules of src/ import each other only along the allowed arrows, through index.ts',
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const srcDir = path.join(context.cwd, 'src');
    const from = moduleOf(srcDir, file);
    if (from === undefined) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      const to = moduleOf(srcDir, target);
      // The bin (src/cli.ts) starts the CLI wherever its files are.
      if (to === undefined || to === from || to === '.' || (from === '.' && to === 'cli')) return;
      const allowed = MAY_IMPORT[from] ?? [];
      if (!allowed.includes(to)) {
        context.report({
          node,
          message: `src/${from} may not import src/${to} (allowed: ${allowed.join(', ') || 'nothing outside itself'}; see ARCHITECTURE.md)`,
        });
        return;
      }
      const inside = path.relative(path.join(srcDir, to), target);
      if (inside !== 'index.js' && !(LIGHT_DOORS[to] ?? []).includes(inside)) {
        context.report({ node, message: `import src/${to} through its index.ts, not ${spec}` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};
