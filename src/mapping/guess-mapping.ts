import { normalizeColumn } from '../shared/column-name.js';
import { parseIsoDateTime, isRealDate } from '../shared/time.js';
import { parseDecimal, readIsoDate } from './values.js';

interface Guess {
  /** The YAML value after `Column: ` (a bare field name or a flow map). */
  value: string;
  /** A comment for the line, or undefined. */
  comment?: string;
}

/**
 * A mapping file skeleton (YAML text) for a CSV header: one `fields:` entry per column with a field name made from
 * the header (kebab-case) and a type guessed from every row of `sample` (integer, decimal with `.` or `,`, boolean,
 * date with its format, ISO datetime, else string): the caller bounds the sample. A column named like `id`/`Coupa ID`
 * becomes the `id:` column. `key:` is suggested in a comment. The text is accepted by `loadMapping`.
 * @example guessMapping(['Code', 'Amount'], [['A-1', '12,50']], { object: 102 })
 */
export function guessMapping(
  header: string[],
  sample: string[][],
  options: { object?: number } = {},
): string {
  const lines: string[] = [];
  lines.push(
    '# coupa-csv mapping: CSV column -> custom field. Check the field names and types against the custom object.',
  );
  lines.push(`# Types were guessed from the first ${sample.length} data row(s).`);
  if (options.object !== undefined) lines.push(`object: ${options.object}`);
  else lines.push('# object: 101                      # the custom object id (or pass --object)');
  lines.push('# timezone: America/Los_Angeles   # the instance time zone, for dates (or pass --timezone)');

  const idIndex = header.findIndex((h) => /^\s*(coupa[\s_-]*)?id\s*$/i.test(h));
  const usedFields = new Set<string>();
  const entries: string[] = [];
  const seenColumns = new Set<string>();
  let keyHint: string | undefined;
  let keyHintScore = -1;
  header.forEach((name, index) => {
    if (index === idIndex) return;
    const norm = normalizeColumn(name);
    if (norm === '') {
      entries.push(`  # column ${index + 1} has no header name: give it one in the CSV to map it`);
      return;
    }
    if (seenColumns.has(norm)) {
      entries.push(`  # ${yamlKey(name)}: appears twice in the header; rename one to map it`);
      return;
    }
    seenColumns.add(norm);
    let field = kebabCase(name) || `field-${index + 1}`;
    if (usedFields.has(field)) {
      let n = 2;
      while (usedFields.has(`${field}-${n}`)) n++;
      field = `${field}-${n}`;
    }
    usedFields.add(field);
    const values = sample.map((r) => (r[index] ?? '').trim()).filter((v) => v !== '');
    const guess = guessColumn(yamlKey(field), values);
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
  return `${lines.join('\n')}\n`;
}

function keyScore(name: string, values: string[], rowCount: number): number {
  if (values.length === 0 || values.length < rowCount) return -1;
  if (new Set(values).size !== values.length) return -1;
  let score = 1;
  if (/(code|number|no\b|num|key|ref|id)\b/i.test(name)) score += 2;
  return score;
}

/** Letters that Unicode does not decompose into a base letter and an accent. */
const LETTERS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
};

/** `Vendor Name (EUR)` -> `vendor-name-eur`; accents dropped (`Ünïcødé Ñame` -> `unicode-name`). */
export function kebabCase(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[ßæœøłđðþ]/gi, (c) => LETTERS[c.toLowerCase()] ?? c)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
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
    return { value: field, comment: 'no values in the first rows: type string assumed' };
  if (values.every((v) => BOOLEAN_WORDS.has(v.toLowerCase()) || v === '0' || v === '1')) {
    if (values.some((v) => BOOLEAN_WORDS.has(v.toLowerCase())))
      return { value: `{ field: ${field}, type: boolean }` };
  }
  const words = guessBooleanWords(values);
  if (words !== undefined) {
    const lists = [
      ...(words.yes === undefined ? [] : [`true: [${yamlKey(words.yes)}]`]),
      ...(words.no === undefined ? [] : [`false: [${yamlKey(words.no)}]`]),
    ];
    return {
      value: `{ field: ${field}, type: boolean, ${lists.join(', ')} }`,
      ...(words.comment === undefined ? {} : { comment: words.comment }),
    };
  }
  if (values.every((v) => /^[+-]?\d+$/.test(v)) && !values.some((v) => /^[+-]?0\d/.test(v))) {
    if (values.every((v) => Number.isSafeInteger(Number(v))))
      return { value: `{ field: ${field}, type: integer }` };
    return { value: field, comment: 'numbers too long for an integer field: kept as text' };
  }
  if (values.every((v) => /\d/.test(v) && !/^[+-]?0\d/.test(v))) {
    const dot = values.every((v) => parseDecimal(v, '.') !== undefined);
    const comma = values.every((v) => parseDecimal(v, ',') !== undefined);
    if (dot && comma) {
      // Every value reads both ways (e.g. "1,234"): a comma before exactly three digits is a thousands separator.
      return {
        value: `{ field: ${field}, type: decimal }`,
        comment: 'decimal separator "." assumed; use decimal: "," if "1,234" means 1.234',
      };
    }
    if (dot) return { value: `{ field: ${field}, type: decimal${groupOption(values, '.')} }` };
    if (comma)
      return { value: `{ field: ${field}, type: decimal, decimal: ","${groupOption(values, ',')} }` };
  }
  const date = guessDateFormat(values);
  if (date !== undefined) {
    const format = date.format === 'YYYY-MM-DD' ? '' : `, format: ${date.format}`;
    return {
      value: `{ field: ${field}, type: date${format} }`,
      ...(date.comment === undefined ? {} : { comment: date.comment }),
    };
  }
  if (values.every((v) => parseIsoDateTime(v) !== undefined)) {
    const noOffset = values.some((v) => parseIsoDateTime(v)?.offsetMs === undefined);
    return noOffset
      ? {
          value: `{ field: ${field}, type: datetime }`,
          comment: 'times without an offset are read in the instance time zone (or set timezone:)',
        }
      : { value: `{ field: ${field}, type: datetime }` };
  }
  return { value: field };
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
