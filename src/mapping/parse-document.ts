/**
 * Reading a mapping file's text into plain data: the bytes' encoding, YAML or JSON syntax (errors at their line and
 * column, in plain words), and the {@link LineFinder} that maps a path in the data back to its line in the file.
 * Nothing here knows what a mapping means: that is `schema.ts`.
 */
import { isUtf8 } from 'node:buffer';
import { extname } from 'node:path';
import {
  LineCounter,
  isMap,
  isScalar,
  parseDocument,
  visit,
  type Document,
  type Pair,
  type ParsedNode,
  type Scalar,
} from 'yaml';
import { errorText, InputError } from '../shared/index.js';
import { findYamlMistake } from './yaml-mistakes.js';

/** A mapping file read as data, with the lines of its keys. */
export interface MappingDocument {
  /** The document's value (keys as written: a plain `0100:` stays "0100"). */
  raw: unknown;
  lines: LineFinder;
}

/** A path into the mapping: keys from the top, e.g. `['fields', 'Amount', 'type']`. */
export type PathPart = string;

/** Finds source lines for mapping paths (YAML, or JSON read as YAML). */
export class LineFinder {
  constructor(
    private readonly doc: Document | undefined,
    private readonly counter: LineCounter,
  ) {}

  line(path: readonly PathPart[], part: 'key' | 'value' = 'key'): number | undefined {
    const pairs = this.pairs(path);
    const last = pairs.at(-1);
    if (last === undefined) return undefined;
    // The deepest key the file has; its value when asked for and the whole path is there.
    const target =
      pairs.length === path.length && part === 'value' && last.value !== null ? last.value : last.key;
    const range = (target as { range?: [number, number, number] } | null)?.range;
    return range === undefined ? undefined : this.counter.linePos(range[0]).line;
  }

  /** The keys of the map at `path` in file order (a JS object puts keys like `2024` first), if known. */
  keys(path: readonly PathPart[]): string[] | undefined {
    const pairs = this.pairs(path);
    const node =
      path.length === 0 ? this.doc?.contents : pairs.length === path.length ? pairs.at(-1)?.value : undefined;
    if (!isMap(node)) return undefined;
    return node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
  }

  /**
   * The value at `path` as written in the file: its source text for a plain scalar, `''` when the key has no value
   * at all (`blank:` and nothing after it), `undefined` when not known (no such key, or not a plain scalar).
   */
  written(path: readonly PathPart[]): string | undefined {
    const pairs = this.pairs(path);
    const pair = pairs.length === path.length ? pairs.at(-1) : undefined;
    if (pair === undefined) return undefined;
    if (pair.value === null) return '';
    const value = pair.value as ParsedNode;
    if (isScalar(value) && value.type === 'PLAIN') return value.source ?? '';
    return undefined;
  }

  /** The key/value pairs along `path`, as far as the file has them. */
  private pairs(path: readonly PathPart[]): Pair[] {
    const found: Pair[] = [];
    let node: unknown = this.doc?.contents;
    for (const part of path) {
      if (!isMap(node)) break;
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === part);
      if (pair === undefined) break;
      found.push(pair);
      node = pair.value;
    }
    return found;
  }
}

/**
 * The mapping file's text: UTF-8 (with or without BOM), or UTF-16 with a BOM (Notepad's "Unicode"). Other bytes
 * are refused rather than guessed: a column name or constant read in the wrong code page would not match the CSV,
 * or would be sent to Coupa wrong.
 */
export function decodeMapping(bytes: Buffer, file: string): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const text = new TextDecoder('utf-8').decode(bytes);
  const bad = text.indexOf('\ufffd');
  const line = bad < 0 ? undefined : lineAndColumn(text, bad).line;
  throw new InputError(
    'MAPPING',
    'the mapping file is not UTF-8 (saved as Windows-1252/ANSI?): save it as UTF-8, or its column names and constants would be read wrong',
    { file, ...(line === undefined ? {} : { line }) },
  );
}

/**
 * Reads mapping text (YAML, or JSON when `file` ends in `.json`) into plain data.
 * @throws InputError `MAPPING` at the line and column of a syntax error.
 */
export function parseMappingDocument(text: string, file: string): MappingDocument {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const isJson = extname(file).toLowerCase() === '.json';
  const counter = new LineCounter();
  let raw: unknown;
  if (isJson) {
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw jsonError(errorText(error), text, file);
    }
  }
  // JSON is read as YAML too, for the line numbers and the keys' order, and to refuse a key given twice.
  const doc = parseDocument(text, {
    lineCounter: counter,
    prettyErrors: false,
    uniqueKeys: (a, b) => a === b || (isScalar(a) && isScalar(b) && keyText(a) === keyText(b)),
    merge: !isJson,
  });
  const first = doc.errors[0];
  if (first !== undefined && (!isJson || first.code === 'DUPLICATE_KEY')) {
    const { line, column } = lineAndColumn(text, first.pos[0]);
    const mistake = isJson ? undefined : findYamlMistake(text, first.code, line);
    if (mistake !== undefined) {
      throw new InputError('MAPPING', `not valid YAML: ${mistake.message}`, {
        file,
        line: mistake.line,
        column: mistake.column,
      });
    }
    throw new InputError('MAPPING', `not valid ${isJson ? 'JSON' : 'YAML'}: ${yamlReason(first, text)}`, {
      file,
      line,
      column,
    });
  }
  if (!isJson) raw = yamlValue(doc, text, file);
  return { raw, lines: new LineFinder(doc.errors.length === 0 ? doc : undefined, counter) };
}

/**
 * The document's value, with every key as written: YAML reads a plain `0100:` as the number 100 and `~:` as null,
 * but a column or field name is text. Aliases must point at an anchor (`&name`) written before them.
 */
function yamlValue(doc: Document, text: string, file: string): unknown {
  let unresolved: { name: string; offset: number } | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        unresolved = { name: alias.source, offset: alias.range?.[0] ?? 0 };
        return visit.BREAK;
      }
      return undefined;
    },
    Pair(_, pair) {
      if (isScalar(pair.key) && typeof pair.key.value !== 'string') pair.key.value = keyText(pair.key);
    },
  });
  if (unresolved !== undefined) {
    throw new InputError(
      'MAPPING',
      `not valid YAML: the alias *${unresolved.name} has no anchor &${unresolved.name} before it`,
      { file, ...lineAndColumn(text, unresolved.offset) },
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new InputError('MAPPING', `not valid YAML: ${errorText(error).split('\n')[0] ?? ''}`, { file });
  }
}

/** A key's text as written in the file (a plain `2024.10` stays "2024.10", `~` stays "~"). */
function keyText(key: Scalar): string {
  if (typeof key.value === 'string') return key.value;
  return key.source ?? String(key.value);
}

function yamlReason(error: { code: string; message: string; pos: [number, number] }, text: string): string {
  switch (error.code) {
    case 'DUPLICATE_KEY':
      return `the key ${JSON.stringify(keyAt(text, error.pos[0]))} appears twice in the same map`;
    case 'MULTIPLE_DOCS':
      return 'the file holds more than one YAML document (a `---` line starts another): keep one mapping per file';
    case 'TAB_AS_INDENT':
      return 'a tab is used for indentation: indent with spaces';
    default:
      return error.message.split('\n')[0] ?? error.message;
  }
}

/** The text of the map key that starts at `offset` (quoted or plain), for messages. */
function keyAt(text: string, offset: number): string {
  const m = /^(?:"((?:[^"\\]|\\.)*)"|'((?:[^']|'')*)'|([^:\n]*?))\s*:/.exec(text.slice(offset));
  return (m?.[1] ?? m?.[2]?.replace(/''/g, "'") ?? m?.[3] ?? '').trim();
}

/** A JSON.parse error as an InputError at its line and column, with the likely cause where it is a common one. */
function jsonError(message: string, text: string, file: string): InputError {
  const first = message.split('\n')[0] ?? message;
  const posMatch = /position (\d+)/.exec(first);
  if (posMatch === null) return new InputError('MAPPING', `not valid JSON: ${first}`, { file });
  const pos = Number(posMatch[1]);
  const at = text.charAt(pos);
  const before = text.slice(0, pos).trimEnd();
  const cause =
    at === '/' || at === '#'
      ? ' (JSON has no comments: remove them, or write the mapping as .yaml)'
      : (at === '}' || at === ']') && before.endsWith(',')
        ? ` (a comma before the ${at}: JSON allows no trailing comma)`
        : '';
  return new InputError(
    'MAPPING',
    `not valid JSON: ${first.replace(/ in JSON at position \d+.*$/, '')}${cause}`,
    {
      file,
      ...lineAndColumn(text, pos),
    },
  );
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
