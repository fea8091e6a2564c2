import type { KnownField } from './match-fields.js';
import type { FieldType } from './types.js';

/** A `fields:` entry's value: the short form (a string field with no options) or the long form's keys. */
export interface FieldEntry {
  field: string;
  type: FieldType;
  by?: string;
  decimal?: ',';
  group?: string;
  format?: string;
  /** The boolean words, one each (a guess names the pair it saw). */
  true?: string;
  false?: string;
}

/** One line of `fields:`: a column mapped to a field, or a column the guess had to leave out. */
export type MappingEntry =
  | { kind: 'field'; column: string; entry: FieldEntry; comment?: string | undefined }
  /** A column with no header name (its 1-based position). */
  | { kind: 'unnamed'; position: number }
  /** A header name that appears twice. */
  | { kind: 'repeated'; column: string };

/** What a guessed mapping file says, for {@link writeMappingYaml}. */
export interface MappingDocument {
  /** True when the names were matched to the fields the object's records show (the title says so). */
  matched: boolean;
  /** How many data rows the types were guessed from. */
  sampleRows: number;
  /** Comment lines under the title. */
  notes: readonly string[];
  object: number | undefined;
  timezone: { zone: string; comment: string } | undefined;
  /** The header of the column holding the Coupa instance id. */
  id: string | undefined;
  /** The field suggested as `key:` (written as a comment). */
  key: string | undefined;
  entries: readonly MappingEntry[];
  /** Fields of the object that no column maps, listed at the end (undefined: the fields are not known). */
  unmapped: readonly KnownField[] | undefined;
}

/**
 * The text of a mapping file with comments: the title and notes, `object:`, `timezone:`, `id:` and `key:` (each
 * commented out with an example when unknown), `fields:`, and the fields no column maps. Loadable by `loadMapping`
 * once a column is named (an empty `fields:` is written as `{}`).
 */
export function writeMappingYaml(doc: MappingDocument): string {
  const lines: string[] = [];
  lines.push(
    doc.matched
      ? "# coupa-csv mapping: CSV column -> custom field, matched to the fields the object's records show."
      : '# coupa-csv mapping: CSV column -> custom field. Check the field names and types against the custom object.',
  );
  lines.push(`# Types were guessed from the first ${doc.sampleRows} data row(s).`);
  for (const note of doc.notes) lines.push(`# ${note}`);
  if (doc.object !== undefined) lines.push(`object: ${doc.object}`);
  else lines.push('# object: 101                      # the custom object id (or pass --object)');
  if (doc.timezone !== undefined) {
    lines.push(`timezone: ${doc.timezone.zone}   # ${doc.timezone.comment}`);
  } else {
    lines.push(
      '# timezone: America/Los_Angeles   # the instance time zone: set it before dates are imported (or pass --timezone)',
    );
  }
  if (doc.id !== undefined) {
    lines.push(`id: ${yamlKey(doc.id)}   # column with the Coupa instance id (update mode, export)`);
  } else {
    lines.push('# id: Coupa ID                    # column with the Coupa instance id, for --mode update');
  }
  if (doc.key !== undefined) {
    lines.push(
      `# key: ${yamlKey(doc.key)}   # a unique field: needed by --mode upsert, makes retries and --resume safe`,
    );
  } else {
    lines.push('# key: <field>   # a unique field: needed by --mode upsert, makes retries and --resume safe');
  }
  lines.push('fields:');
  lines.push(...doc.entries.map(entryLine));
  // loadMapping needs at least one field: keep the file loadable once a column is named.
  if (doc.entries.every((e) => e.kind !== 'field')) lines.push('  {}');
  if (doc.unmapped !== undefined && doc.unmapped.length > 0) {
    lines.push('');
    lines.push(
      `# Fields of the object that no column maps (${doc.unmapped.length}), as \`coupa-csv fields\` lists them:`,
    );
    const width = Math.max(...doc.unmapped.map((f) => f.name.length));
    for (const f of doc.unmapped) lines.push(`#   ${f.name.padEnd(width)}  ${f.label ?? f.type}`);
  }
  return `${lines.join('\n')}\n`;
}

function entryLine(e: MappingEntry): string {
  switch (e.kind) {
    case 'unnamed':
      return `  # column ${e.position} has no header name: give it one in the CSV to map it`;
    case 'repeated':
      return `  # ${yamlKey(e.column)}: appears twice in the header; rename one to map it`;
    case 'field':
      return `  ${yamlKey(e.column)}: ${fieldEntryText(e.entry)}${e.comment === undefined ? '' : `   # ${e.comment}`}`;
  }
}

/**
 * An entry's value as YAML: the field name alone for a string field with no options, else a flow map
 * (`{ field: amount, type: decimal, decimal: ",", group: "." }`).
 */
export function fieldEntryText(entry: FieldEntry): string {
  const name = yamlKey(entry.field);
  const keys: string[] = [];
  if (entry.by !== undefined) keys.push(`by: ${entry.by}`);
  if (entry.decimal !== undefined) keys.push(`decimal: ${JSON.stringify(entry.decimal)}`);
  if (entry.group !== undefined) keys.push(`group: ${JSON.stringify(entry.group)}`);
  if (entry.format !== undefined) keys.push(`format: ${entry.format}`);
  if (entry.true !== undefined) keys.push(`true: [${yamlKey(entry.true)}]`);
  if (entry.false !== undefined) keys.push(`false: [${yamlKey(entry.false)}]`);
  if (entry.type === 'string' && keys.length === 0) return name;
  return `{ ${[`field: ${name}`, `type: ${entry.type}`, ...keys].join(', ')} }`;
}

/** A header or field name as a YAML scalar: plain when safe, else double-quoted (JSON strings are valid YAML). */
export function yamlKey(name: string): string {
  const plain = /^[A-Za-z][A-Za-z0-9 _()/.-]*$/.test(name) && !/\s$/.test(name) && !/ #|: /.test(name);
  const reserved = /^(true|false|null|yes|no|on|off|y|n|~)$/i.test(name);
  return plain && !reserved ? name : JSON.stringify(name);
}
