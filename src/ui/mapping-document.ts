// The mapping as the page edits it (a document: the YAML file's own structure), and the YAML the CLI reads.
import { stringify as stringifyYaml } from 'yaml';
import { parseMappingText, type Mapping } from '../mapping/index.js';
import { HttpError } from './http.js';

/**
 * A mapping document as the page edits it: the YAML file's own structure (object, timezone, id, key, fields,
 * constants), with short `Column: field` entries written long. Anything else the file holds is kept as it is, so
 * that a loaded mapping downloads again with every key it had.
 */
export function normalizeDocument(value: unknown): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(422, 'the mapping must be a list of settings (object:, fields:, ...)');
  }
  const doc = { ...(value as Record<string, unknown>) };
  const fields = doc.fields;
  if (fields && typeof fields === 'object' && !Array.isArray(fields)) {
    const long: Record<string, unknown> = {};
    for (const [column, spec] of Object.entries(fields as Record<string, unknown>)) {
      long[column] = typeof spec === 'string' ? { field: spec } : spec;
    }
    doc.fields = long;
  }
  return doc;
}

/** The YAML the CLI reads, for a mapping document. */
export function mappingYaml(doc: Record<string, unknown>): string {
  return `# Made with coupa-csv ui. Use it with: coupa-csv import <file.csv> --mapping <this file>\n${stringifyYaml(
    doc,
    {
      lineWidth: 0,
    },
  )}`;
}

/** The mapping a run uses, checked as the CLI checks a file; its errors are the page's 422. */
export function parseMappingForPage(
  text: string,
  name: string,
  describeError: (error: unknown) => string,
): Mapping {
  try {
    return parseMappingText(text, name);
  } catch (error) {
    throw new HttpError(422, describeError(error));
  }
}

/** A mapping document the page sent, as a run's mapping. */
export function mappingFromDocument(value: unknown, describeError: (error: unknown) => string): Mapping {
  return parseMappingForPage(mappingYaml(normalizeDocument(value)), 'the mapping', describeError);
}
