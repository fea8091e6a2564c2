import { REFERENCE_KEYS } from './schema.js';

/** A custom field of the object as the instance shows it (what `coupa-csv fields` lists). */
export interface KnownField {
  /** The field name as the records carry it. */
  name: string;
  /** Its type as the values show it; `unknown` when every record read had it blank. */
  type:
    | 'string'
    | 'integer'
    | 'decimal'
    | 'boolean'
    | 'date'
    | 'datetime'
    | 'lookup'
    | 'user'
    | 'supplier'
    | 'unknown';
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
 * The object's field a CSV header names, ignoring case, accents, separators (`-`, `_`, spaces) and word order:
 * `Vendor Name`, `vendor_name`, `Name Vendor` -> `vendor-name`; `Geschäftsjahr` -> `geschaftsjahr` or
 * `geschaeftsjahr`. A reference field also matches with one of its attributes named (`Owner Login` -> `owner`,
 * by `login`), and a header's bracketed part may be left out (`Payment Terms (days)` -> `payment-terms`) when
 * nothing matches with it. Several fields matching equally well are no match (`ambiguous` lists them).
 * @example matchField('Name Vendor', [{ name: 'vendor-name', type: 'string' }]).match?.field.name // 'vendor-name'
 */
export function matchField(header: string, fields: readonly KnownField[]): MatchFieldResult {
  const first = matchWords(header, fields);
  if (first.match !== undefined || first.ambiguous !== undefined) return first;
  const bracketed = /\s*[([{][^)\]}]*[)\]}]\s*/g;
  const stripped = header.replace(bracketed, ' ').trim();
  if (stripped === header.trim() || stripped === '') return {};
  const second = matchWords(stripped, fields);
  if (second.match === undefined) return second;
  const ignored = (header.match(bracketed) ?? []).map((p) => p.trim()).join(' ');
  return { match: { ...second.match, ignored } };
}

function matchWords(header: string, fields: readonly KnownField[]): MatchFieldResult {
  // `E-Mail` is one word to a person.
  const joinEmail = (words: string[]): string[] =>
    words.length === 0
      ? []
      : words
          .join(' ')
          .replace(/\be mail\b/g, 'email')
          .split(' ');
  const variants = [nameWords(header), nameWords(header, true)].map(joinEmail);
  const fieldWords = fields.map((f) => ({ field: f, words: nameWords(f.name) }));
  const joined = (words: readonly string[]): string => words.join('');
  const sorted = (words: readonly string[]): string => [...words].sort().join(' ');
  const tiers: Array<(words: string[]) => FieldMatch[]> = [
    // Same words in the same order, or the same letters with the separators placed differently (`VendorName`).
    (words) => fieldWords.filter((f) => joined(f.words) === joined(words)).map((f) => ({ field: f.field })),
    // The same words in another order.
    (words) => fieldWords.filter((f) => sorted(f.words) === sorted(words)).map((f) => ({ field: f.field })),
    // A reference with its attribute: `Owner Login`, `Login Owner`, `Supplier Number`, `Cost Center Name`.
    (words) => {
      const out: FieldMatch[] = [];
      for (const f of fieldWords) {
        const type = f.field.type;
        if (type !== 'lookup' && type !== 'user' && type !== 'supplier') continue;
        for (const [i, word] of words.entries()) {
          const by = KEY_WORDS[word]?.[type];
          if (by === undefined || !REFERENCE_KEYS[type].includes(by)) continue;
          if (f.field.keys !== undefined && f.field.keys.length > 0 && !f.field.keys.includes(by)) continue;
          const rest = words.filter((_, j) => j !== i);
          if (rest.length > 0 && sorted(rest) === sorted(f.words)) out.push({ field: f.field, by });
        }
      }
      return out;
    },
  ];
  for (const tier of tiers) {
    const found = new Map<string, FieldMatch>();
    for (const words of variants) {
      if (words.length === 0) continue;
      for (const m of tier(words)) if (!found.has(m.field.name)) found.set(m.field.name, m);
    }
    if (found.size === 1) return { match: [...found.values()][0] as FieldMatch };
    if (found.size > 1) return { ambiguous: [...found.values()].map((m) => m.field) };
  }
  return {};
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
