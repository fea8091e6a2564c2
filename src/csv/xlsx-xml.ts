/**
 * XML for the `.xlsx` reader: a streaming SAX parser (saxes) fed with a part's bytes chunk by chunk, with element
 * and attribute names stripped of their prefix (`x:row` and `row` are the same element; writers differ).
 */
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';

/** What a part's reader does with the elements it meets. Names are local names (no prefix). */
export interface XmlHandlers {
  open(name: string, attributes: Record<string, string>): void;
  /** Character data, entities decoded (text and CDATA alike). */
  text?(text: string): void;
  close(name: string): void;
}

/** The name after the prefix: `r:id` is `id`. */
export function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** A push parser over a part's bytes. */
export class XmlStream {
  private readonly parser = new SaxesParser({ position: false });
  private readonly decoder = new StringDecoder('utf8');
  private failure: Error | undefined;
  private started = false;

  constructor(handlers: XmlHandlers) {
    const parser = this.parser;
    parser.on('error', (error) => (this.failure ??= error));
    parser.on('opentag', (tag) => {
      const raw = tag.attributes as Record<string, string>;
      let attributes = raw;
      for (const key in raw) {
        if (key.includes(':')) {
          attributes = {};
          for (const k in raw) attributes[localName(k)] = raw[k] as string;
          break;
        }
      }
      handlers.open(localName(tag.name), attributes);
    });
    parser.on('closetag', (tag) => handlers.close(localName(tag.name)));
    if (handlers.text !== undefined) {
      const text = (value: string): void => handlers.text?.(value);
      parser.on('text', text);
      parser.on('cdata', text);
    }
  }

  /** Parses a chunk; the handlers run before it returns. @throws Error for XML that is not well-formed. */
  write(chunk: Buffer): void {
    let text = this.decoder.write(chunk);
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.parser.write(text);
    this.check();
  }

  /** Ends the part. @throws Error for a part that stops in the middle. */
  end(): void {
    const rest = this.decoder.end();
    if (rest.length > 0) this.parser.write(rest);
    this.parser.close();
    this.check();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Parses a whole part held in memory. */
export function parseXml(data: Buffer, handlers: XmlHandlers): void {
  const stream = new XmlStream(handlers);
  stream.write(data);
  stream.end();
}
