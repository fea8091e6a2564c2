// The mapping the page edits: POST /api/mapping/parse (a mapping file read into the page's document),
// /api/mapping/yaml (the document as the file the CLI reads), and the mappings remembered by header
// (POST /api/remembered/find, POST /api/remembered).
import { parse as parseYaml } from 'yaml';
import type { Route } from '../context.js';
import { HttpError, field, readJson, sendJson, stringField, stringList } from '../http.js';
import { mappingYaml, normalizeDocument, parseMappingForPage } from '../mapping-document.js';
import { safeFileName } from '../uploads.js';

export const mappingRoutes: Record<string, Route> = {
  'POST mapping': async (ctx, { req, res, id }) => {
    const body = await readJson(req);
    if (id === 'parse') {
      const text = stringField(body, 'text');
      const name = safeFileName(stringField(body, 'name'), 'mapping.yaml');
      parseMappingForPage(text, name, ctx.describeError);
      return sendJson(res, 200, { mapping: normalizeDocument(parseYaml(text)) });
    }
    if (id === 'yaml') {
      const doc = normalizeDocument(field(body, 'mapping'));
      parseMappingForPage(mappingYaml(doc), 'mapping.yaml', ctx.describeError);
      return sendJson(res, 200, { yaml: mappingYaml(doc) });
    }
    throw new HttpError(404, 'There is no such page.');
  },

  'POST remembered': async (ctx, { req, res, id }) => {
    const body = await readJson(req);
    const header = stringList(field(body, 'header'));
    if (id === 'find') return sendJson(res, 200, { mapping: await ctx.store.find(header) });
    await ctx.store.save(header, normalizeDocument(field(body, 'mapping')));
    return sendJson(res, 200, { saved: true });
  },
};
