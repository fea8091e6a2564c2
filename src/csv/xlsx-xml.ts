/**
 * XML for the `.xlsx` reader: a small streaming tokenizer fed with a part's bytes chunk by chunk. It reads what
 * spreadsheet parts contain (elements, attributes, text with the five named and the numeric entities, CDATA,
 * comments, processing instructions and a DOCTYPE, skipped, its entities never expanded) and hands element names on without their
 * prefix (`x:row` and `row` are the same element; writers differ). It checks no more of well-formedness than it
 * needs to read: a part cut short is an error, a misnested one is read as it comes.
 *
 * Why not a general SAX parser: with saxes (which exceljs uses) in its place, a 200,000-row sheet took 6.0-6.9 s and
 * peaked at 100 MB, against 3.3-3.8 s and 88 MB with this one (bench/NOTES.md): saxes builds a tag object, an
 * attribute object and position data per element; this reader allocates the attribute strings only.
 */
import { StringDecoder } from 'node:string_decoder';

/** What a part's reader does with the elements it meets. */
export interface XmlHandlers {
  /** An element starts: its local name (no prefix) and its attributes by their names as written (`r:id`). */
  open(name: string, attributes: Record<string, string>): void;
  /** Character data, entities decoded (text and CDATA alike), possibly in several pieces. */
  text?(text: string): void;
  /** An element ends (also right after `open` for `<empty/>`). */
  close(name: string): void;
}

/** The part is not XML this reader can read. */
export class XmlFormatError extends Error {}

const ENTITY = /&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(amp|lt|gt|quot|apos));/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text with its entity and character references replaced (an unknown `&name;` is kept as written). */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    ENTITY,
    (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
      if (name !== undefined) return NAMED[name] ?? whole;
      const code = hex !== undefined ? parseInt(hex, 16) : Number(dec);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

/** The name after the prefix: `r:id` is `id`. */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** A push parser over a part's bytes. */
export class XmlStream {
  private readonly decoder = new StringDecoder('utf8');
  /** Text of the part not parsed yet: an unfinished tag or text at the end of the last chunk. */
  private rest = '';
  private started = false;

  constructor(private readonly handlers: XmlHandlers) {}

  /** Parses a chunk; the handlers run before it returns. @throws XmlFormatError */
  write(chunk: Buffer): void {
    let text = this.decoder.write(chunk);
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.rest = this.parse(this.rest.length === 0 ? text : this.rest + text);
  }

  /** Ends the part. @throws XmlFormatError for a part that stops inside a tag. */
  end(): void {
    const rest = this.parse(this.rest + this.decoder.end());
    this.rest = '';
    if (rest.includes('<')) throw new XmlFormatError('the XML stops in the middle of a tag');
    if (rest.length > 0) this.emitText(rest);
  }

  private emitText(raw: string): void {
    this.handlers.text?.(decodeEntities(raw));
  }

  /** Parses what it can of `s`; returns the unparsed end. */
  private parse(s: string): string {
    const handlers = this.handlers;
    const n = s.length;
    let i = 0;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt < 0) {
        // Text up to the end: kept whole until its end is known, so that an entity is never cut in two.
        return s.slice(i);
      }
      if (lt > i) this.emitText(s.slice(i, lt));
      i = lt;
      const c = s.charCodeAt(i + 1);
      if (c !== c) return s.slice(i); // NaN: the chunk ends right after `<`
      if (c === 47 /* / */) {
        const gt = s.indexOf('>', i + 2);
        if (gt < 0) return s.slice(i);
        handlers.close(localName(s.slice(i + 2, gt).trim()));
        i = gt + 1;
      } else if (c === 63 /* ? */) {
        const end = s.indexOf('?>', i + 2);
        if (end < 0) return s.slice(i);
        i = end + 2;
      } else if (c === 33 /* ! */) {
        if (s.startsWith('<!--', i)) {
          const end = s.indexOf('-->', i + 4);
          if (end < 0) return s.slice(i);
          i = end + 3;
        } else if (s.startsWith('<![CDATA[', i)) {
          const end = s.indexOf(']]>', i + 9);
          if (end < 0) return s.slice(i);
          handlers.text?.(s.slice(i + 9, end));
          i = end + 3;
        } else {
          if (n - i < 9) return s.slice(i);
          // <!DOCTYPE ...>: skipped, an internal subset [...] included.
          const bracket = s.indexOf('[', i);
          const gt = s.indexOf('>', i);
          if (gt < 0) return s.slice(i);
          if (bracket >= 0 && bracket < gt) {
            const end = s.indexOf(']>', bracket);
            if (end < 0) return s.slice(i);
            i = end + 2;
          } else i = gt + 1;
        }
      } else {
        const end = this.openTag(s, i);
        if (end < 0) return s.slice(i);
        i = end;
      }
    }
    return '';
  }

  /** Reads the start tag at `start`; returns the index after it, or -1 when the chunk ends inside it. */
  private openTag(s: string, start: number): number {
    const n = s.length;
    let j = start + 1;
    let colon = -1;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (isSpace(c) || c === 62 /* > */ || c === 47 /* / */) break;
      if (c === 58 /* : */) colon = j;
      j++;
    }
    if (j >= n) return -1;
    const name = s.slice(colon < 0 ? start + 1 : colon + 1, j);
    const attributes: Record<string, string> = {};
    for (;;) {
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (j >= n) return -1;
      const c = s.charCodeAt(j);
      if (c === 62 /* > */) {
        this.handlers.open(name, attributes);
        return j + 1;
      }
      if (c === 47 /* / */) {
        if (j + 1 >= n) return -1;
        if (s.charCodeAt(j + 1) !== 62) throw new XmlFormatError(`a malformed tag <${name}>`);
        this.handlers.open(name, attributes);
        this.handlers.close(name);
        return j + 2;
      }
      const eq = s.indexOf('=', j);
      if (eq < 0) return -1;
      const key = s.slice(j, eq).trim();
      j = eq + 1;
      while (j < n && isSpace(s.charCodeAt(j))) j++;
      if (j >= n) return -1;
      const quote = s.charCodeAt(j);
      if (quote !== 34 && quote !== 39) throw new XmlFormatError(`a malformed attribute in <${name}>`);
      const close = s.indexOf(quote === 34 ? '"' : "'", j + 1);
      if (close < 0) return -1;
      attributes[key] = decodeEntities(s.slice(j + 1, close));
      j = close + 1;
    }
  }
}

/** Parses a whole part held in memory. @throws XmlFormatError */
export function parseXml(data: Buffer, handlers: XmlHandlers): void {
  const stream = new XmlStream(handlers);
  stream.write(data);
  stream.end();
}
