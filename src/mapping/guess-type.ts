import { isRealDate, parseIsoDateTime } from '../shared/index.js';
import { parseDecimal, readIsoDate } from './values.js';
import type { FieldEntry } from './write-mapping-yaml.js';

/**
 * The type of a column guessed from its values, with the options the values need (a date's format, the decimal and
 * thousands separators, a boolean's words), and a comment when the guess is doubtful.
 */
export type TypeGuess = Omit<FieldEntry, 'field'> & { comment?: string };

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

/**
 * The type a column's values read as, tried in this order: booleans (the built-in words, or one language's yes/no),
 * whole numbers (not with a leading zero, which is a code), decimals with `.` or `,` (and their grouping), dates
 * with their format, ISO datetimes, else string. Every value must read as the type.
 * @example guessType(['12,50', '1.234,00']) // { type: 'decimal', decimal: ',', group: '.' }
 */
export function guessType(values: readonly string[]): TypeGuess {
  if (values.length === 0)
    return { type: 'string', comment: 'no values in the first rows: type string assumed' };
  if (values.every((v) => BOOLEAN_WORDS.has(v.toLowerCase()) || v === '0' || v === '1')) {
    if (values.some((v) => BOOLEAN_WORDS.has(v.toLowerCase()))) return { type: 'boolean' };
  }
  const words = guessBooleanWords(values);
  if (words !== undefined) {
    return {
      type: 'boolean',
      ...(words.yes === undefined ? {} : { true: words.yes }),
      ...(words.no === undefined ? {} : { false: words.no }),
      ...(words.comment === undefined ? {} : { comment: words.comment }),
    };
  }
  if (values.every((v) => /^[+-]?\d+$/.test(v)) && !values.some((v) => /^[+-]?0\d/.test(v))) {
    if (values.every((v) => Number.isSafeInteger(Number(v)))) return { type: 'integer' };
    return { type: 'string', comment: 'numbers too long for an integer field: kept as text' };
  }
  if (values.every((v) => /\d/.test(v) && !/^[+-]?0\d/.test(v))) {
    const dot = values.every((v) => parseDecimal(v, '.') !== undefined);
    const comma = values.every((v) => parseDecimal(v, ',') !== undefined);
    if (dot && comma) {
      // Every value reads both ways (e.g. "1,234"): a comma before exactly three digits is a thousands separator.
      return {
        type: 'decimal',
        comment: 'decimal separator "." assumed; use decimal: "," if "1,234" means 1.234',
      };
    }
    if (dot) return { type: 'decimal', ...groupOf(values, '.') };
    if (comma) return { type: 'decimal', decimal: ',', ...groupOf(values, ',') };
  }
  const date = guessDateFormat(values);
  if (date !== undefined) {
    return {
      type: 'date',
      ...(date.format === 'YYYY-MM-DD' ? {} : { format: date.format }),
      ...(date.comment === undefined ? {} : { comment: date.comment }),
    };
  }
  if (values.every((v) => parseIsoDateTime(v) !== undefined)) {
    const noOffset = values.some((v) => parseIsoDateTime(v)?.offsetMs === undefined);
    return noOffset
      ? {
          type: 'datetime',
          comment: 'times without an offset are read in the instance time zone (or set timezone:)',
        }
      : { type: 'datetime' };
  }
  return { type: 'string' };
}

/**
 * `{ group: "." }` when the sample's numbers group their thousands with one separator (`12.500,00`), so that an
 * export writes them as the file had them; `{}` when none is grouped, or they disagree.
 */
function groupOf(values: readonly string[], decimal: '.' | ','): { group?: string } {
  const seen = new Set<string>();
  for (const v of values) {
    const int = v.split(decimal)[0] ?? '';
    for (const c of int.replace(/^[+\-\u2212]/, '')) if (c < '0' || c > '9') seen.add(c);
  }
  const [group] = seen;
  return seen.size === 1 && group !== undefined ? { group } : {};
}

function guessDateFormat(values: readonly string[]): { format: string; comment?: string } | undefined {
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
