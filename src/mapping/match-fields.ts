import { editDistance } from '../shared/index.js';
import { REFERENCE_KEYS } from './schema.js';
import type { FieldType } from './types.js';

/** A custom field of the object as the instance shows it (what `coupa-csv fields` lists). */
export interface KnownField {
  /** The field name as the records carry it. */
  name: string;
  /** Its type as the values show it; `unknown` when every record read had it blank. */
  type: FieldType | 'unknown';
  /** For references: the attributes its values carry (`id`, `login`...). */
  keys?: readonly string[] | undefined;
  /** The type as shown to a person, e.g. `user (id, login, email)`. */
  label?: string | undefined;
}

/** How a header found its field: the comment {@link guessMapping} writes depends on it. */
export interface FieldMatch {
  field: KnownField;
  /** For a reference matched with one of its attributes in the header (`Owner Login`): that attribute. */
  by?: string;
  /** A bracketed part of the header left out to find the field (`Payment Terms (days)`: `(days)`). */
  ignored?: string;
}

export interface MatchFieldResult {
  match?: FieldMatch;
  /** When several fields match the header equally well (no match is chosen): them. */
  ambiguous?: KnownField[];
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

/** German umlauts as a field name written in ASCII often spells them (`Geschäftsjahr` -> `geschaeftsjahr`). */
const UMLAUTS: Record<string, string> = { ä: 'ae', ö: 'oe', ü: 'ue' };

/**
 * A name as its words, lowercase, accents dropped, split at anything that is not a letter or digit (so case, `-`,
 * `_` and spaces do not count): `Geschäfts-Jahr` -> `['geschafts', 'jahr']`. With `umlauts`, ä/ö/ü become ae/oe/ue.
 */
export function nameWords(name: string, umlauts = false): string[] {
  let text = name.toLowerCase();
  if (umlauts) text = text.replace(/[äöü]/g, (c) => UMLAUTS[c] ?? c);
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[ßæœøłđðþ]/g, (c) => LETTERS[c] ?? c)
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** Words in a header that name a reference's attribute, and the attribute by reference type. */
const KEY_WORDS: Record<string, Partial<Record<'lookup' | 'user' | 'supplier', string>>> = {
  id: { lookup: 'id', user: 'id', supplier: 'id' },
  login: { user: 'login' },
  username: { user: 'login' },
  email: { user: 'email' },
  mail: { user: 'email' },
  name: { lookup: 'name', supplier: 'name' },
  number: { supplier: 'number', lookup: 'external-ref-num' },
  no: { supplier: 'number', lookup: 'external-ref-num' },
  nr: { supplier: 'number', lookup: 'external-ref-num' },
  num: { supplier: 'number', lookup: 'external-ref-num' },
  code: { lookup: 'external-ref-code' },
};

/**
 * How well a header names one field, for a person to confirm ({@link rankFieldMatches}). `score` 100: the same words,
 * whatever their case, accents, separators and order (`exact`); 90: a reference with one of its attributes
 * (`Owner Login` -> `owner`, by `login`); 85 (84 with an attribute): the same once a bracketed part of the header
 * is left out (`Payment Terms (days)`); below 80, near names to check: one name's words all inside the other's
 * (`Vendor Code 2` / `vendor-code`), or a small spelling difference (`Onbording Date` / `onboarding-date`).
 */
export interface RankedMatch extends FieldMatch {
  score: number;
  /** True when the header names the field by its words (score 100). */
  exact: boolean;
  /**
   * The rank among the sure ways of naming a field (0 best: the same letters; then the same words in another order,
   * a reference with its attribute, and those three without the bracketed part); undefined for a near name.
   */
  tier: number | undefined;
}

/** The scores of the sure tiers ({@link RankedMatch.tier}). */
const TIER_SCORES = [100, 100, 90, 85, 85, 84];

/**
 * Every field a header could name, best first (ties in field order): the sure ways {@link matchField} accepts, and
 * the near names a person may confirm (see {@link RankedMatch}). Fields it cannot name are left out.
 * @example rankFieldMatches('Owner Login', [{ name: 'owner', type: 'user' }])[0] // { field, by: 'login', score: 90, ... }
 */
export function rankFieldMatches(header: string, fields: readonly KnownField[]): RankedMatch[] {
  return candidates(header, fields)
    .map((c) => c.match)
    .sort((a, b) => b.score - a.score || (a.tier ?? 9) - (b.tier ?? 9));
}

/** Each field's match, in field order, with the header variant that made a sure one (0: as written). */
function candidates(
  header: string,
  fields: readonly KnownField[],
): Array<{ match: RankedMatch; variant: number }> {
  const full = headerVariants(header);
  const bracketed = /\s*[([{][^)\]}]*[)\]}]\s*/g;
  const stripped = header.replace(bracketed, ' ').trim();
  const strippedVariants = stripped === header.trim() || stripped === '' ? [] : headerVariants(stripped);
  const ignored = (header.match(bracketed) ?? []).map((p) => p.trim()).join(' ');
  const plain = nameWords(header);
  const out: Array<{ match: RankedMatch; variant: number }> = [];
  for (const field of fields) {
    const words = nameWords(field.name);
    const sure = sureTier(full, field, words);
    const withoutBrackets = sure === undefined ? sureTier(strippedVariants, field, words) : undefined;
    if (sure !== undefined) {
      out.push({ match: ranked(field, sure.tier, sure.by), variant: sure.variant });
    } else if (withoutBrackets !== undefined) {
      const match = { ...ranked(field, withoutBrackets.tier + 3, withoutBrackets.by), ignored };
      out.push({ match, variant: withoutBrackets.variant });
    } else {
      const score = nearScore(plain, words);
      if (score > 0) out.push({ match: { field, score, exact: false, tier: undefined }, variant: 0 });
    }
  }
  return out;
}

function ranked(field: KnownField, tier: number, by: string | undefined): RankedMatch {
  const score = TIER_SCORES[tier] ?? 0;
  return { field, score, exact: score === 100, tier, ...(by === undefined ? {} : { by }) };
}

/**
 * The object's field a CSV header names, ignoring case, accents, separators (`-`, `_`, spaces) and word order:
 * `Vendor Name`, `vendor_name`, `Name Vendor` -> `vendor-name`; `Geschäftsjahr` -> `geschaftsjahr` or
 * `geschaeftsjahr`. A reference field also matches with one of its attributes named (`Owner Login` -> `owner`,
 * by `login`), and a header's bracketed part may be left out (`Payment Terms (days)` -> `payment-terms`) when
 * nothing matches with it. Several fields matching equally well are no match (`ambiguous` lists them). Near names
 * ({@link rankFieldMatches}) are no match: a file written without a person to confirm them says CHECK instead.
 * @example matchField('Name Vendor', [{ name: 'vendor-name', type: 'string' }]).match?.field.name // 'vendor-name'
 */
export function matchField(header: string, fields: readonly KnownField[]): MatchFieldResult {
  const sure = candidates(header, fields).filter((c) => c.match.tier !== undefined);
  const best = Math.min(...sure.map((c) => c.match.tier ?? 9));
  // In the order the header's variants found them (as written first), then the fields' order.
  const found = sure
    .filter((c) => c.match.tier === best)
    .sort((a, b) => a.variant - b.variant)
    .map(({ match: { field, by, ignored } }): FieldMatch => ({
      field,
      ...(by === undefined ? {} : { by }),
      ...(ignored === undefined ? {} : { ignored }),
    }));
  if (found.length === 1) return { match: found[0] as FieldMatch };
  if (found.length > 1) return { ambiguous: found.map((m) => m.field) };
  return {};
}

/** A header's words as a person reads them: as written, and with ä/ö/ü as ae/oe/ue; `E-Mail` is one word. */
function headerVariants(header: string): string[][] {
  const joinEmail = (words: string[]): string[] =>
    words.length === 0
      ? []
      : words
          .join(' ')
          .replace(/\be mail\b/g, 'email')
          .split(' ');
  return [nameWords(header), nameWords(header, true)].map(joinEmail).filter((w) => w.length > 0);
}

const joined = (words: readonly string[]): string => words.join('');
const sorted = (words: readonly string[]): string => [...words].sort().join(' ');

/**
 * The sure way a header's words name a field, best first: 0 the same letters with the separators anywhere
 * (`VendorName`), 1 the same words in another order, 2 a reference with one of its attributes (`Owner Login`,
 * `Login Owner`, `Supplier Number`, `Cost Center Name`); undefined when none does.
 */
function sureTier(
  variants: readonly string[][],
  field: KnownField,
  fieldWords: readonly string[],
): { tier: number; variant: number; by?: string } | undefined {
  const at = (same: (words: string[]) => boolean): number => variants.findIndex(same);
  const letters = at((words) => joined(fieldWords) === joined(words));
  if (letters >= 0) return { tier: 0, variant: letters };
  const reordered = at((words) => sorted(fieldWords) === sorted(words));
  if (reordered >= 0) return { tier: 1, variant: reordered };
  const type = field.type;
  if (type !== 'lookup' && type !== 'user' && type !== 'supplier') return undefined;
  for (const [variant, words] of variants.entries()) {
    for (const [i, word] of words.entries()) {
      const by = KEY_WORDS[word]?.[type];
      if (by === undefined || !REFERENCE_KEYS[type].includes(by)) continue;
      if (field.keys !== undefined && field.keys.length > 0 && !field.keys.includes(by)) continue;
      const rest = words.filter((_, j) => j !== i);
      if (rest.length > 0 && sorted(rest) === sorted(fieldWords)) return { tier: 2, variant, by };
    }
  }
  return undefined;
}

/**
 * A near name's score: 80 less the extra words when the field's words are all in the header, 70 less them the other
 * way round, 60 less the edits when the letters differ by a small spelling difference (one edit in five letters);
 * 0 otherwise.
 */
function nearScore(headerWords: readonly string[], fieldWords: readonly string[]): number {
  if (headerWords.length === 0 || fieldWords.length === 0) return 0;
  const hs = new Set(headerWords);
  const fs = new Set(fieldWords);
  if (fieldWords.every((w) => hs.has(w))) return 80 - (hs.size - fs.size);
  if (headerWords.every((w) => fs.has(w))) return 70 - (fs.size - hs.size);
  const a = sorted(headerWords).replace(/ /g, '');
  const b = sorted(fieldWords).replace(/ /g, '');
  const d = editDistance(a, b);
  const limit = Math.max(1, Math.floor(Math.max(a.length, b.length) / 5));
  if (a.length >= 4 && d <= limit) return 60 - d;
  return 0;
}

/**
 * The attribute of a reference a header names (`Owner Email`: email, `Cost Center Code`: external-ref-code), one
 * the reference carries (`keys`, when known); an attribute other than `id` first. Undefined when it names none.
 */
export function referenceKeyNamed(
  header: string,
  type: 'lookup' | 'user' | 'supplier',
  keys: readonly string[] | undefined,
): string | undefined {
  const named: string[] = [];
  for (const words of headerVariants(header)) {
    for (const word of words) {
      const by = KEY_WORDS[word]?.[type];
      if (by === undefined || !REFERENCE_KEYS[type].includes(by)) continue;
      if (keys !== undefined && keys.length > 0 && !keys.includes(by)) continue;
      named.push(by);
    }
  }
  return named.find((k) => k !== 'id') ?? named[0];
}

/**
 * The attribute a reference column is read by when its header does not name one: a natural key people write in a
 * spreadsheet (a user's login, a supplier's number, a lookup value's name) over the instance id; an e-mail address
 * when the column holds them. Limited to the attributes the records carry, when they say.
 */
export function chooseReferenceKey(
  type: 'lookup' | 'user' | 'supplier',
  keys: readonly string[] | undefined,
  values: readonly string[],
): string {
  const allowed = REFERENCE_KEYS[type].filter(
    (k) => keys === undefined || keys.length === 0 || keys.includes(k),
  );
  const has = (k: string): boolean => allowed.includes(k);
  if (values.length > 0 && values.every((v) => v.includes('@')) && has('email')) return 'email';
  const natural: Record<typeof type, string[]> = {
    user: ['login', 'email'],
    supplier: ['number', 'name'],
    lookup: ['name', 'external-ref-code', 'external-ref-num'],
  };
  return natural[type].find(has) ?? (has('id') ? 'id' : (REFERENCE_KEYS[type][1] ?? 'id'));
}
