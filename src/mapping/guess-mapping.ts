import { normalizeColumn } from '../shared/index.js';
import { guessType } from './guess-type.js';
import {
  chooseReferenceKey,
  matchField,
  nameWords,
  type FieldMatch,
  type KnownField,
} from './match-fields.js';
import type { FieldType } from './types.js';
import { writeMappingYaml, yamlKey, type FieldEntry, type MappingEntry } from './write-mapping-yaml.js';

/** A column's entry as guessed, and its comment. */
interface Guess {
  entry: FieldEntry;
  comment?: string;
}

/** What the instance said about the object, for {@link guessMapping} to match the headers against. */
export interface GuessInstance {
  /** The object's custom fields as its records show them (empty for an object with no records). */
  fields: readonly KnownField[];
  /** Records read: 0 means an object with no records (names stay guessed from the headers, marked to check). */
  records: number;
  /** The instance's time zone as its records' offsets suggest it, and the comment to write beside it. */
  timezone?: { zone: string; comment: string } | undefined;
}

export interface GuessMappingOptions {
  /** The custom object id written as `object:`. */
  object?: number | undefined;
  /** The object's real fields (from the instance): headers are matched to them, unmatched ones marked CHECK. */
  instance?: GuessInstance | undefined;
  /** Comment lines written under the title (what the user must know about how the mapping was made). */
  notes?: readonly string[] | undefined;
}

/** One column of a guessed mapping, as {@link guessMappingColumns} decided it. */
export interface GuessedColumn {
  header: string;
  /** The field written (undefined for a column left out: no header name, or a repeated one). */
  field?: string;
  /** The CHECK comment written beside it, when the user must check it. */
  check?: string;
}

export interface GuessMappingResult {
  /** The mapping file text (YAML with comments). */
  text: string;
  columns: GuessedColumn[];
}

/** {@link guessMapping}, with what it decided for each column (for a caller that reports it). */
export function guessMappingColumns(
  header: string[],
  sample: string[][],
  options: GuessMappingOptions = {},
): GuessMappingResult {
  const columns: GuessedColumn[] = [];
  const text = buildMapping(header, sample, options, columns);
  return { text, columns };
}

/**
 * A mapping file skeleton (YAML text) for a CSV header: one `fields:` entry per column and a type guessed from every
 * row of `sample` (integer, decimal with `.` or `,`, boolean, date with its format, ISO datetime, else string): the
 * caller bounds the sample. Without `instance`, the field names are made from the headers (kebab-case); with it,
 * each header is matched to one of the object's real fields (ignoring case, accents, separators and word order),
 * the type is the field's where the sample agrees, and every header that matches none is marked `# CHECK:`. A
 * column named like `id`/`Coupa ID` becomes the `id:` column. `key:` is suggested in a comment. The text is
 * accepted by `loadMapping`.
 * @example guessMapping(['Code', 'Amount'], [['A-1', '12,50']], { object: 102 })
 */
export function guessMapping(
  header: string[],
  sample: string[][],
  options: GuessMappingOptions = {},
): string {
  return buildMapping(header, sample, options, []);
}

function buildMapping(
  header: string[],
  sample: string[][],
  options: GuessMappingOptions,
  columns: GuessedColumn[],
): string {
  const instance = options.instance;
  const known = instance !== undefined && instance.records > 0 ? instance : undefined;
  const idIndex = header.findIndex((h) => /^\s*(coupa[\s_-]*)?id\s*$/i.test(h));
  const usedFields = new Map<string, string>();
  const entries: MappingEntry[] = [];
  const seenColumns = new Set<string>();
  let keyHint: string | undefined;
  let keyHintScore = -1;
  header.forEach((name, index) => {
    if (index === idIndex) return;
    const norm = normalizeColumn(name);
    if (norm === '') {
      entries.push({ kind: 'unnamed', position: index + 1 });
      columns.push({ header: name });
      return;
    }
    if (seenColumns.has(norm)) {
      entries.push({ kind: 'repeated', column: name });
      columns.push({ header: name });
      return;
    }
    seenColumns.add(norm);
    const values = sample.map((r) => (r[index] ?? '').trim()).filter((v) => v !== '');
    let guess: Guess;
    let field: string;
    if (known !== undefined) {
      const found = matchField(name, known.fields);
      const taken = found.match !== undefined ? usedFields.get(found.match.field.name) : undefined;
      if (found.match !== undefined && taken === undefined) {
        field = found.match.field.name;
        guess = guessForField(found.match, values);
      } else {
        field = uniqueField(kebabCase(name) || `field-${index + 1}`, usedFields);
        const why =
          taken !== undefined
            ? `field ${found.match?.field.name ?? ''} is mapped by column ${yamlKey(taken)} already`
            : found.ambiguous !== undefined
              ? `several fields match: ${found.ambiguous.map((f) => f.name).join(', ')}`
              : 'no field matches';
        const base = guessColumn(field, values);
        guess = { ...base, comment: `CHECK: ${why}${base.comment === undefined ? '' : `; ${base.comment}`}` };
      }
    } else {
      field = uniqueField(kebabCase(name) || `field-${index + 1}`, usedFields);
      guess = guessColumn(field, values);
      if (instance !== undefined) {
        // An object with no records: the name could not be checked.
        guess = {
          ...guess,
          comment: `CHECK: name made from the header${guess.comment === undefined ? '' : `; ${guess.comment}`}`,
        };
      }
    }
    usedFields.set(field, name);
    const check = /(?:^|; )CHECK: (.*)$/.exec(guess.comment ?? '')?.[1];
    columns.push({ header: name, field, ...(check === undefined ? {} : { check }) });
    entries.push({ kind: 'field', column: name, entry: guess.entry, comment: guess.comment });
    const score = keyScore(name, values, sample.length);
    if (score > keyHintScore) {
      keyHintScore = score;
      keyHint = field;
    }
  });
  return writeMappingYaml({
    matched: known !== undefined,
    sampleRows: sample.length,
    notes: options.notes ?? [],
    object: options.object,
    timezone: instance?.timezone,
    id: idIndex >= 0 ? (header[idIndex] ?? 'id') : undefined,
    key: keyHint,
    entries,
    unmapped: known?.fields.filter((f) => !usedFields.has(f.name)),
  });
}

function uniqueField(base: string, used: ReadonlyMap<string, string>): string {
  if (!used.has(base)) return base;
  let n = 2;
  while (used.has(`${base}-${n}`)) n++;
  return `${base}-${n}`;
}

/**
 * The entry for a column matched to a real field: the field's type where the column's values agree with it (with
 * the options the values need: date format, decimal separator, boolean words); where they do not, the field's type
 * all the same (it is what Coupa accepts) with a CHECK comment naming the disagreement.
 */
function guessForField(match: FieldMatch, values: string[]): Guess {
  const { field } = match;
  const sampled = guessColumn(field.name, values);
  const sampledType = sampled.entry.type;
  const notes: string[] = [];
  if (match.ignored !== undefined && match.ignored !== '') notes.push(`matched without "${match.ignored}"`);
  const withNotes = (guess: Guess, extra?: string): Guess => {
    const all = [...(extra === undefined ? [] : [extra]), ...notes];
    return all.length === 0 ? { entry: guess.entry } : { ...guess, comment: all.join('; ') };
  };
  /** The field's own type, without options. */
  const typed = (type: FieldType): Guess => ({ entry: { field: field.name, type } });
  const noValues = values.length === 0 ? 'no values in the first rows' : undefined;
  const disagree = (what: string): string =>
    `CHECK: the field is ${field.label ?? field.type} but the column holds ${what} (e.g. ${JSON.stringify(values[0] ?? '')})`;
  switch (field.type) {
    case 'unknown':
      return withNotes(
        sampled,
        `the field is blank in every record read: type ${sampledType} guessed from the column${sampled.comment === undefined ? '' : `; ${sampled.comment}`}`,
      );
    case 'string':
      return withNotes(typed('string'));
    case 'integer':
      if (noValues !== undefined) return withNotes(typed('integer'), noValues);
      if (sampledType === 'integer') return withNotes(sampled);
      return withNotes(typed('integer'), disagree(describe(sampledType)));
    case 'decimal':
      if (noValues !== undefined) return withNotes(typed('decimal'), noValues);
      if (sampledType === 'decimal') return withNotes(sampled, sampled.comment);
      if (sampledType === 'integer') return withNotes(typed('decimal'));
      return withNotes(typed('decimal'), disagree(describe(sampledType)));
    case 'boolean':
      if (noValues !== undefined) return withNotes(typed('boolean'), noValues);
      if (sampledType === 'boolean') return withNotes(sampled, sampled.comment);
      // 1/0 read as whole numbers on their own, and are booleans to a boolean field.
      if (values.every((v) => v === '0' || v === '1')) return withNotes(typed('boolean'));
      return withNotes(
        typed('boolean'),
        `${disagree(describe(sampledType))}: name its words with true: [..] and false: [..]`,
      );
    case 'date':
      if (noValues !== undefined)
        return withNotes(typed('date'), `${noValues}: ISO 8601 (2026-01-31) assumed`);
      if (sampledType === 'date') return withNotes(sampled, sampled.comment);
      return withNotes(typed('date'), `${disagree(describe(sampledType))}: set format: (e.g. DD.MM.YYYY)`);
    case 'datetime':
      if (noValues !== undefined) return withNotes(typed('datetime'), noValues);
      if (sampledType === 'datetime') return withNotes(sampled, sampled.comment);
      return withNotes(typed('datetime'), disagree(describe(sampledType)));
    case 'lookup':
    case 'user':
    case 'supplier': {
      const by = match.by ?? chooseReferenceKey(field.type, field.keys, values);
      const others = (field.keys ?? []).filter((k) => k !== by);
      const comment =
        match.by === undefined && others.length > 0
          ? `by: ${by} chosen; its values also carry ${others.join(', ')}`
          : undefined;
      return withNotes({ entry: { field: field.name, type: field.type, by } }, comment);
    }
  }
}

function describe(type: string): string {
  switch (type) {
    case 'string':
      return 'text';
    case 'integer':
      return 'whole numbers';
    case 'decimal':
      return 'decimals';
    case 'boolean':
      return 'yes/no values';
    case 'date':
      return 'dates';
    case 'datetime':
      return 'date-times';
    default:
      return type;
  }
}

function keyScore(name: string, values: string[], rowCount: number): number {
  if (values.length === 0 || values.length < rowCount) return -1;
  if (new Set(values).size !== values.length) return -1;
  let score = 1;
  if (/(code|number|no\b|num|key|ref|id)\b/i.test(name)) score += 2;
  return score;
}

/** `Vendor Name (EUR)` -> `vendor-name-eur`; accents dropped (`Ünïcødé Ñame` -> `unicode-name`). */
export function kebabCase(name: string): string {
  return nameWords(name).join('-');
}

/** The entry a column's values suggest, for the field named `field`. */
function guessColumn(field: string, values: readonly string[]): Guess {
  const { comment, ...type } = guessType(values);
  return { entry: { field, ...type }, ...(comment === undefined ? {} : { comment }) };
}
