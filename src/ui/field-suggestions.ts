import type { FieldInfo } from '../fields/index.js';
import { chooseReferenceKey, FIELD_TYPES, rankFieldMatches, referenceKeyNamed } from '../mapping/index.js';

/** How a column was matched to one of the object's real fields. */
export type MatchKind = 'exact' | 'close' | 'none';

/** A field spec as the page edits it (the mapping file's long form). */
export type SpecDoc = Record<string, unknown>;

/** The suggestion for one column of the spreadsheet. */
export interface ColumnSuggestion {
  column: string;
  /** `exact`: the same words (ignoring case, accents, `-`/`_`/spaces and their order); `close`: check it. */
  match: MatchKind;
  /** The field spec to fill in (field, type, details); absent when no field matched. */
  spec?: SpecDoc;
  /** The field's type as Coupa's records show it, e.g. `user (id, login, email)`. */
  label?: string;
  /** Why it is only close, or what to check, in plain words. */
  note?: string;
}

export interface FieldSuggestions {
  columns: ColumnSuggestion[];
  /** Fields of the object that no column goes to. */
  unusedFields: string[];
}

/**
 * How well a column name fits a field name (the mapping module's ranking, which `mapping init` uses too): 100 for
 * the same words in any order; less for a reference with its attribute, a bracketed part left out, one name's words
 * all inside the other's (`Owner Login` / `owner`) or a small spelling difference (`Adress` / `address`); 0 for none.
 */
export function matchScore(column: string, field: string): number {
  return rankFieldMatches(column, [{ name: field, type: 'unknown' }])[0]?.score ?? 0;
}

const MAPPING_TYPES = new Set<string>(FIELD_TYPES);

/** The `by:` a column most likely holds: a key its name says (`Owner Login`: login), else the usual one. */
export function chooseBy(
  column: string,
  type: 'lookup' | 'user' | 'supplier',
  keys: readonly string[],
): string {
  return referenceKeyNamed(column, type, keys) ?? chooseReferenceKey(type, keys, []);
}

/**
 * The spec for a column going to a discovered field: the field's type as Coupa shows it, keeping what the guess
 * from the file's own values knows and Coupa cannot say (a date's format, the decimal separator, yes/no words).
 */
function specFor(
  column: string,
  info: FieldInfo,
  guessed: SpecDoc | undefined,
): { spec: SpecDoc; note?: string } {
  const guessedType = typeof guessed?.type === 'string' ? guessed.type : 'string';
  const spec: SpecDoc = { field: info.name };
  const type = info.type;
  if (type === 'unknown') {
    // Always blank in the records read: Coupa cannot tell; the file's own values decide.
    if (guessedType !== 'string') Object.assign(spec, pickDetails(guessed), { type: guessedType });
    return { spec, note: 'blank in every record read: type guessed from the file' };
  }
  if (type === 'lookup' || type === 'user' || type === 'supplier') {
    spec.type = type;
    spec.by = chooseBy(column, type, info.keys ?? []);
    return { spec };
  }
  if (MAPPING_TYPES.has(type) && type !== 'string') spec.type = type;
  if (type === guessedType) Object.assign(spec, pickDetails(guessed));
  if (type === 'decimal' && guessedType === 'integer') return { spec };
  if (type !== 'string' && guessedType === 'string' && guessed !== undefined) {
    return { spec, note: `the first rows do not all read as ${type}: check the format` };
  }
  return { spec };
}

/** The details of a guessed spec that depend on the file (not on Coupa). */
function pickDetails(guessed: SpecDoc | undefined): SpecDoc {
  const out: SpecDoc = {};
  if (!guessed) return out;
  for (const key of ['format', 'decimal', 'group', 'true', 'false', 'timezone'])
    if (guessed[key] !== undefined) out[key] = guessed[key];
  return out;
}

/**
 * Suggests, for each column of a header, the closest of an object's real fields (each field goes to one column at
 * most, the best matches first) with its type; columns with no field close enough are marked `none`.
 * @param guessed the mapping guessed from the file (column -> spec), whose format details are kept
 * @param skip columns that are not custom fields (the `id:` column)
 */
export function suggestFields(
  header: readonly string[],
  fields: readonly FieldInfo[],
  guessed: Readonly<Record<string, SpecDoc>> = {},
  skip: readonly string[] = [],
): FieldSuggestions {
  const skipped = new Set(skip.map((s) => s.trim().toLowerCase()));
  const pairs: Array<{ col: number; field: number; score: number }> = [];
  header.forEach((column, col) => {
    if (skipped.has(column.trim().toLowerCase())) return;
    for (const m of rankFieldMatches(column, fields)) {
      pairs.push({ col, field: fields.indexOf(m.field as FieldInfo), score: m.score });
    }
  });
  pairs.sort((a, b) => b.score - a.score || a.col - b.col || a.field - b.field);
  const byColumn = new Map<number, { field: number; score: number }>();
  const taken = new Set<number>();
  for (const p of pairs) {
    if (byColumn.has(p.col) || taken.has(p.field)) continue;
    byColumn.set(p.col, p);
    taken.add(p.field);
  }
  const guessFor = (column: string): SpecDoc | undefined => {
    const want = column.trim().toLowerCase();
    const hit = Object.entries(guessed).find(([c]) => c.trim().toLowerCase() === want);
    return hit?.[1];
  };
  const columns = header.map((column, col): ColumnSuggestion => {
    const hit = byColumn.get(col);
    const info = hit === undefined ? undefined : fields[hit.field];
    if (hit === undefined || info === undefined) return { column, match: 'none' };
    const { spec, note } = specFor(column, info, guessFor(column));
    return {
      column,
      match: hit.score === 100 ? 'exact' : 'close',
      spec,
      label: info.label,
      ...(note === undefined ? {} : { note }),
    };
  });
  return { columns, unusedFields: fields.filter((_f, i) => !taken.has(i)).map((f) => f.name) };
}
