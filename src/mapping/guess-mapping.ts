import { normalizeColumn } from '../shared/index.js';
import { parseIsoDateTime, isRealDate } from '../shared/index.js';
import {
  chooseReferenceKey,
  matchField,
  nameWords,
  type FieldMatch,
  type KnownField,
} from './match-fields.js';
import { parseDecimal, readIsoDate } from './values.js';

interface Guess {
  /** The YAML value after `Column: ` (a bare field name or a flow map). */
  value: string;
  /** A comment for the line, or undefined. */
  comment?: string;
  /** The mapping type written (`string` for the short form). */
  type: string;
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
  const lines: string[] = [];
  lines.push(
    known !== undefined
      ? "# coupa-csv mapping: CSV column -> custom field, matched to the fields the object's records show."
      : '# coupa-csv mapping: CSV column -> custom field. Check the field names and types against the custom object.',
  );
  lines.push(`# Types were guessed from the first ${sample.length} data row(s).`);
  for (const note of options.notes ?? []) lines.push(`# ${note}`);
  if (options.object !== undefined) lines.push(`object: ${options.object}`);
  else lines.push('# object: 101                      # the custom object id (or pass --object)');
  if (instance?.timezone !== undefined) {
    lines.push(`timezone: ${instance.timezone.zone}   # ${instance.timezone.comment}`);
  } else {
    lines.push(
      '# timezone: America/Los_Angeles   # the instance time zone: set it before dates are imported (or pass --timezone)',
    );
  }

  const idIndex = header.findIndex((h) => /^\s*(coupa[\s_-]*)?id\s*$/i.test(h));
  const usedFields = new Map<string, string>();
  const entries: string[] = [];
  const seenColumns = new Set<string>();
  let keyHint: string | undefined;
  let keyHintScore = -1;
  header.forEach((name, index) => {
    if (index === idIndex) return;
    const norm = normalizeColumn(name);
    if (norm === '') {
      entries.push(`  # column ${index + 1} has no header name: give it one in the CSV to map it`);
      columns.push({ header: name });
      return;
    }
    if (seenColumns.has(norm)) {
      entries.push(`  # ${yamlKey(name)}: appears twice in the header; rename one to map it`);
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
        const base = guessColumn(yamlKey(field), values);
        guess = { ...base, comment: `CHECK: ${why}${base.comment === undefined ? '' : `; ${base.comment}`}` };
      }
    } else {
      field = uniqueField(kebabCase(name) || `field-${index + 1}`, usedFields);
      guess = guessColumn(yamlKey(field), values);
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
    entries.push(
      `  ${yamlKey(name)}: ${guess.value}${guess.comment === undefined ? '' : `   # ${guess.comment}`}`,
    );
    const score = keyScore(name, values, sample.length);
    if (score > keyHintScore) {
      keyHintScore = score;
      keyHint = field;
    }
  });
  if (idIndex >= 0) {
    lines.push(
      `id: ${yamlKey(header[idIndex] ?? 'id')}   # column with the Coupa instance id (update mode, export)`,
    );
  } else {
    lines.push('# id: Coupa ID                    # column with the Coupa instance id, for --mode update');
  }
  if (keyHint !== undefined) {
    lines.push(
      `# key: ${yamlKey(keyHint)}   # a unique field: needed by --mode upsert, makes retries and --resume safe`,
    );
  } else {
    lines.push('# key: <field>   # a unique field: needed by --mode upsert, makes retries and --resume safe');
  }
  lines.push('fields:');
  if (entries.every((e) => e.trimStart().startsWith('#'))) {
    // loadMapping needs at least one field: keep the file loadable once a column is named.
    lines.push(...entries);
    lines.push('  {}');
  } else {
    lines.push(...entries);
  }
  if (known !== undefined) {
    const unmapped = known.fields.filter((f) => !usedFields.has(f.name));
    if (unmapped.length > 0) {
      lines.push('');
      lines.push(
        `# Fields of the object that no column maps (${unmapped.length}), as \`coupa-csv fields\` lists them:`,
      );
      const width = Math.max(...unmapped.map((f) => f.name.length));
      for (const f of unmapped) lines.push(`#   ${f.name.padEnd(width)}  ${f.label ?? f.type}`);
    }
  }
  return `${lines.join('\n')}\n`;
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
  const name = yamlKey(field.name);
  const sampled = guessColumn(name, values);
  const notes: string[] = [];
  if (match.ignored !== undefined && match.ignored !== '') notes.push(`matched without "${match.ignored}"`);
  const withNotes = (guess: Guess, extra?: string): Guess => {
    const all = [...(extra === undefined ? [] : [extra]), ...notes];
    return all.length === 0
      ? { value: guess.value, type: guess.type }
      : { ...guess, comment: all.join('; ') };
  };
  const noValues = values.length === 0 ? 'no values in the first rows' : undefined;
  const disagree = (what: string): string =>
    `CHECK: the field is ${field.label ?? field.type} but the column holds ${what} (e.g. ${JSON.stringify(values[0] ?? '')})`;
  switch (field.type) {
    case 'unknown':
      return withNotes(
        sampled,
        `the field is blank in every record read: type ${sampled.type} guessed from the column${sampled.comment === undefined ? '' : `; ${sampled.comment}`}`,
      );
    case 'string':
      return withNotes({ value: name, type: 'string' });
    case 'integer':
      if (noValues !== undefined)
        return withNotes({ value: `{ field: ${name}, type: integer }`, type: 'integer' }, noValues);
      if (sampled.type === 'integer') return withNotes(sampled);
      return withNotes(
        { value: `{ field: ${name}, type: integer }`, type: 'integer' },
        disagree(describe(sampled.type)),
      );
    case 'decimal':
      if (noValues !== undefined)
        return withNotes({ value: `{ field: ${name}, type: decimal }`, type: 'decimal' }, noValues);
      if (sampled.type === 'decimal') return withNotes(sampled, sampled.comment);
      if (sampled.type === 'integer')
        return withNotes({ value: `{ field: ${name}, type: decimal }`, type: 'decimal' });
      return withNotes(
        { value: `{ field: ${name}, type: decimal }`, type: 'decimal' },
        disagree(describe(sampled.type)),
      );
    case 'boolean':
      if (noValues !== undefined)
        return withNotes({ value: `{ field: ${name}, type: boolean }`, type: 'boolean' }, noValues);
      if (sampled.type === 'boolean') return withNotes(sampled, sampled.comment);
      // 1/0 read as whole numbers on their own, and are booleans to a boolean field.
      if (values.every((v) => v === '0' || v === '1'))
        return withNotes({ value: `{ field: ${name}, type: boolean }`, type: 'boolean' });
      return withNotes(
        { value: `{ field: ${name}, type: boolean }`, type: 'boolean' },
        `${disagree(describe(sampled.type))}: name its words with true: [..] and false: [..]`,
      );
    case 'date':
      if (noValues !== undefined)
        return withNotes(
          { value: `{ field: ${name}, type: date }`, type: 'date' },
          `${noValues}: ISO 8601 (2026-01-31) assumed`,
        );
      if (sampled.type === 'date') return withNotes(sampled, sampled.comment);
      return withNotes(
        { value: `{ field: ${name}, type: date }`, type: 'date' },
        `${disagree(describe(sampled.type))}: set format: (e.g. DD.MM.YYYY)`,
      );
    case 'datetime':
      if (noValues !== undefined)
        return withNotes({ value: `{ field: ${name}, type: datetime }`, type: 'datetime' }, noValues);
      if (sampled.type === 'datetime') return withNotes(sampled, sampled.comment);
      return withNotes(
        { value: `{ field: ${name}, type: datetime }`, type: 'datetime' },
        disagree(describe(sampled.type)),
      );
    case 'lookup':
    case 'user':
    case 'supplier': {
      const by = match.by ?? chooseReferenceKey(field.type, field.keys, values);
      const others = (field.keys ?? []).filter((k) => k !== by);
      const comment =
        match.by === undefined && others.length > 0
          ? `by: ${by} chosen; its values also carry ${others.join(', ')}`
          : undefined;
      return withNotes(
        { value: `{ field: ${name}, type: ${field.type}, by: ${by} }`, type: field.type },
        comment,
      );
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

/** A header or field name as a YAML scalar: plain when safe, else double-quoted (JSON strings are valid YAML). */
export function yamlKey(name: string): string {
  const plain = /^[A-Za-z][A-Za-z0-9 _()/.-]*$/.test(name) && !/\s$/.test(name) && !/ #|: /.test(name);
  const reserved = /^(true|false|null|yes|no|on|off|y|n|~)$/i.test(name);
  return plain && !reserved ? name : JSON.stringify(name);
}

const BOOLEAN_WORDS = new Set(['true', 'false', 'yes', 'no', 'y', 'n']);

/**
 * The common yes/no (and true/false) of languages, as a spreadsheet user types them: a column of two of these
 * words (one of each side) is a boolean with the words as its `true:`/`false:` lists.
 */
export const YES_NO_WORDS: ReadonlyArray<readonly [yes: string, no: string]> = [
  ['Ja', 'Nein'], // German
  ['J', 'N'], // German, Dutch, Scandinavian short forms
  ['Ja', 'Nee'], // Dutch
  ['Ja', 'Nej'], // Swedish, Danish
  ['Ja', 'Nei'], // Norwegian
  ['Oui', 'Non'], // French
  ['O', 'N'], // French short forms
  ['Sí', 'No'], // Spanish
  ['Si', 'No'], // Italian, Spanish without the accent
  ['S', 'N'], // Spanish, Portuguese, Italian short forms
  ['Sim', 'Não'], // Portuguese
  ['Sim', 'Nao'], // Portuguese without the accent
  ['Tak', 'Nie'], // Polish
  ['T', 'N'], // Polish short forms
  ['Da', 'Nu'], // Romanian
  ['Da', 'Ne'], // Croatian, Serbian, Slovenian
  ['Ano', 'Ne'], // Czech
  ['Áno', 'Nie'], // Slovak
  ['Kyllä', 'Ei'], // Finnish
  ['K', 'E'], // Finnish short forms
  ['Jah', 'Ei'], // Estonian
  ['Jā', 'Nē'], // Latvian
  ['Taip', 'Ne'], // Lithuanian
  ['Igen', 'Nem'], // Hungarian
  ['I', 'N'], // Hungarian short forms
  ['Evet', 'Hayır'], // Turkish
  ['E', 'H'], // Turkish short forms
  ['Ναι', 'Όχι'], // Greek
  ['Да', 'Нет'], // Russian
  ['Так', 'Ні'], // Ukrainian
  ['Да', 'Не'], // Bulgarian
  ['Wahr', 'Falsch'], // German true/false
  ['Vrai', 'Faux'], // French true/false
  ['Verdadero', 'Falso'], // Spanish true/false
  ['Vero', 'Falso'], // Italian true/false
  ['Verdadeiro', 'Falso'], // Portuguese true/false
  ['Waar', 'Onwaar'], // Dutch true/false
  ['Sant', 'Falskt'], // Swedish true/false
  ['Prawda', 'Fałsz'], // Polish true/false
  ['Igaz', 'Hamis'], // Hungarian true/false
  ['はい', 'いいえ'], // Japanese
  ['是', '否'], // Chinese
  ['예', '아니요'], // Korean
  ['✓', '✗'],
  ['✔', '✘'],
];

const BUILT_IN_YES = new Set(['true', 'yes', 'y', '1']);
const BUILT_IN_NO = new Set(['false', 'no', 'n', '0']);
const fold = (word: string): string => word.trim().toLowerCase();
/** Every word of the table and the built-in ones, by side. */
const YES_WORDS = new Set([...BUILT_IN_YES, ...YES_NO_WORDS.map(([yes]) => fold(yes))]);
const NO_WORDS = new Set([...BUILT_IN_NO, ...YES_NO_WORDS.map(([, no]) => fold(no))]);

/**
 * A column of one or two words that read as yes and no in some language (e.g. Ja/Nein), as the `true:`/`false:`
 * lists to write; undefined when the values are not such words, or only the built-in ones (which need no list).
 */
export function guessBooleanWords(
  values: readonly string[],
): { yes: string | undefined; no: string | undefined; comment?: string } | undefined {
  const distinct = new Map<string, string>();
  for (const v of values) if (!distinct.has(fold(v))) distinct.set(fold(v), v.trim());
  if (distinct.size === 0 || distinct.size > 2) return undefined;
  const folded = [...distinct.keys()];
  if (folded.every((w) => BUILT_IN_YES.has(w) || BUILT_IN_NO.has(w))) return undefined;
  // With a pair, the side of each word; a word on both sides of the table (none today) is not a boolean.
  const yes = folded.filter((w) => YES_WORDS.has(w) && !NO_WORDS.has(w));
  const no = folded.filter((w) => NO_WORDS.has(w) && !YES_WORDS.has(w));
  if (yes.length + no.length !== folded.length || yes.length > 1 || no.length > 1) return undefined;
  const written = (w: string | undefined): string | undefined =>
    w === undefined ? undefined : (distinct.get(w) ?? w);
  if (yes.length === 1 && no.length === 1) return { yes: written(yes[0]), no: written(no[0]) };
  // One word only in the sample (all rows Ja): its pair from the table, in the same letter case.
  const seen = (yes[0] ?? no[0]) as string;
  if (seen.length < 2) return undefined; // a lone `S` or `T` is as likely a code as a yes
  const pair = YES_NO_WORDS.find(([y, n]) => fold(y) === seen || fold(n) === seen);
  if (pair === undefined) return undefined;
  const upper = (written(seen) ?? '') === (written(seen) ?? '').toUpperCase() && seen.length > 1;
  const other = (w: string): string => (upper ? w.toUpperCase() : w);
  const comment = `only ${JSON.stringify(written(seen))} in the first rows: check the other word`;
  return yes.length === 1
    ? { yes: written(seen), no: BUILT_IN_NO.has(fold(pair[1])) ? undefined : other(pair[1]), comment }
    : { yes: BUILT_IN_YES.has(fold(pair[0])) ? undefined : other(pair[0]), no: written(seen), comment };
}

function guessColumn(field: string, values: string[]): Guess {
  if (values.length === 0)
    return { value: field, type: 'string', comment: 'no values in the first rows: type string assumed' };
  if (values.every((v) => BOOLEAN_WORDS.has(v.toLowerCase()) || v === '0' || v === '1')) {
    if (values.some((v) => BOOLEAN_WORDS.has(v.toLowerCase())))
      return { value: `{ field: ${field}, type: boolean }`, type: 'boolean' };
  }
  const words = guessBooleanWords(values);
  if (words !== undefined) {
    const lists = [
      ...(words.yes === undefined ? [] : [`true: [${yamlKey(words.yes)}]`]),
      ...(words.no === undefined ? [] : [`false: [${yamlKey(words.no)}]`]),
    ];
    return {
      value: `{ field: ${field}, type: boolean, ${lists.join(', ')} }`,
      type: 'boolean',
      ...(words.comment === undefined ? {} : { comment: words.comment }),
    };
  }
  if (values.every((v) => /^[+-]?\d+$/.test(v)) && !values.some((v) => /^[+-]?0\d/.test(v))) {
    if (values.every((v) => Number.isSafeInteger(Number(v))))
      return { value: `{ field: ${field}, type: integer }`, type: 'integer' };
    return { value: field, type: 'string', comment: 'numbers too long for an integer field: kept as text' };
  }
  if (values.every((v) => /\d/.test(v) && !/^[+-]?0\d/.test(v))) {
    const dot = values.every((v) => parseDecimal(v, '.') !== undefined);
    const comma = values.every((v) => parseDecimal(v, ',') !== undefined);
    if (dot && comma) {
      // Every value reads both ways (e.g. "1,234"): a comma before exactly three digits is a thousands separator.
      return {
        value: `{ field: ${field}, type: decimal }`,
        type: 'decimal',
        comment: 'decimal separator "." assumed; use decimal: "," if "1,234" means 1.234',
      };
    }
    if (dot)
      return { value: `{ field: ${field}, type: decimal${groupOption(values, '.')} }`, type: 'decimal' };
    if (comma)
      return {
        value: `{ field: ${field}, type: decimal, decimal: ","${groupOption(values, ',')} }`,
        type: 'decimal',
      };
  }
  const date = guessDateFormat(values);
  if (date !== undefined) {
    const format = date.format === 'YYYY-MM-DD' ? '' : `, format: ${date.format}`;
    return {
      value: `{ field: ${field}, type: date${format} }`,
      type: 'date',
      ...(date.comment === undefined ? {} : { comment: date.comment }),
    };
  }
  if (values.every((v) => parseIsoDateTime(v) !== undefined)) {
    const noOffset = values.some((v) => parseIsoDateTime(v)?.offsetMs === undefined);
    return noOffset
      ? {
          value: `{ field: ${field}, type: datetime }`,
          type: 'datetime',
          comment: 'times without an offset are read in the instance time zone (or set timezone:)',
        }
      : { value: `{ field: ${field}, type: datetime }`, type: 'datetime' };
  }
  return { value: field, type: 'string' };
}

/**
 * `, group: "."` when the sample's numbers group their thousands with one separator (`12.500,00`), so that an
 * export writes them as the file had them; '' when none is grouped, or they disagree.
 */
function groupOption(values: readonly string[], decimal: '.' | ','): string {
  const seen = new Set<string>();
  for (const v of values) {
    const int = v.split(decimal)[0] ?? '';
    for (const c of int.replace(/^[+\-\u2212]/, '')) if (c < '0' || c > '9') seen.add(c);
  }
  const [group] = seen;
  return seen.size === 1 && group !== undefined ? `, group: ${JSON.stringify(group)}` : '';
}

function guessDateFormat(values: string[]): { format: string; comment?: string } | undefined {
  if (values.every((v) => readIsoDate(v) !== undefined)) return { format: 'YYYY-MM-DD' };
  for (const sep of ['/', '.', '-']) {
    const re = new RegExp(`^(\\d{1,2})\\${sep}(\\d{1,2})\\${sep}(\\d{4})$`);
    const parts = values.map((v) => re.exec(v));
    if (parts.some((p) => p === null)) continue;
    const triples = parts.map((p) => [Number(p?.[1]), Number(p?.[2]), Number(p?.[3])] as const);
    const dayFirst = triples.every(([a, b, y]) => isRealDate(y, b, a));
    const monthFirst = triples.every(([a, b, y]) => isRealDate(y, a, b));
    const dm = `DD${sep}MM${sep}YYYY`;
    const md = `MM${sep}DD${sep}YYYY`;
    if (dayFirst && !monthFirst) return { format: dm };
    if (monthFirst && !dayFirst) return { format: md };
    if (dayFirst && monthFirst) {
      return { format: dm, comment: `ambiguous in the first rows: could be ${md}; check and fix the format` };
    }
  }
  return undefined;
}
