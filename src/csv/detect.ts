/**
 * Format detection on the first bytes of a file: encoding (BOM, UTF-16 without BOM, UTF-8 validity), binary data,
 * the header record's extent and its delimiter.
 */
import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import type { CsvSource } from './types.js';

export type DetectedEncoding = Exclude<CsvSource['encoding'], 'xlsx'>;
export type Delimiter = CsvSource['delimiter'];

/** How many bytes the detection looks at first. */
export const SNIFF_BYTES = 64 * 1024;

export interface EncodingGuess {
  encoding: DetectedEncoding;
  /** Bytes of BOM to skip. */
  bomLength: number;
}

/** BOM -> encoding; `undefined` when the bytes start with no BOM. */
export function encodingFromBom(head: Buffer): EncodingGuess | undefined {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)
    return { encoding: 'utf8-bom', bomLength: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf16le', bomLength: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf16be', bomLength: 2 };
  return undefined;
}

/**
 * UTF-16 without a BOM shows as NUL bytes at every other position for mostly-ASCII text: odd positions for
 * little-endian, even positions for big-endian.
 */
export function utf16FromNulPattern(head: Buffer): 'utf16le' | 'utf16be' | undefined {
  const pairs = Math.floor(Math.min(head.length, 4096) / 2);
  if (pairs < 1) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenNul++;
    if (head[2 * i + 1] === 0) oddNul++;
  }
  if (oddNul >= pairs * 0.3 && evenNul <= pairs * 0.05) return 'utf16le';
  if (evenNul >= pairs * 0.3 && oddNul <= pairs * 0.05) return 'utf16be';
  return undefined;
}

/** Index of the first NUL byte, or -1. */
export function firstNul(head: Buffer): number {
  return head.indexOf(0);
}

/**
 * True when text has so many control characters (other than tab, CR, LF, form feed) that it cannot be a CSV:
 * more than 1% of the characters and at least 4 of them, or more than 10%.
 */
export function looksBinary(text: string): boolean {
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || c === 0x7f) controls++;
  }
  return (controls >= 4 && controls > text.length * 0.01) || controls > text.length * 0.1;
}

/** Length of an incomplete UTF-8 sequence at the end of `buf` (0..3): bytes that need the next chunk. */
export function incompleteUtf8Tail(buf: Buffer): number {
  const len = buf.length;
  for (let back = 1; back <= 3 && back <= len; back++) {
    const b = buf[len - back] ?? 0;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** True when `head` is UTF-8 (an incomplete sequence at the very end is allowed when the file goes on). */
export function isUtf8Head(head: Buffer, wholeFile: boolean): boolean {
  const cut = wholeFile ? head.length : head.length - incompleteUtf8Tail(head);
  return isUtf8(head.subarray(0, cut));
}

/**
 * How much of `buf` reads as UTF-8: the number of valid multi-byte sequences, of bytes that start none, and the
 * offset of the first such byte (-1 when there is none).
 */
export function utf8Evidence(buf: Buffer): { valid: number; invalid: number; firstInvalid: number } {
  let valid = 0;
  let invalid = 0;
  let firstInvalid = -1;
  let i = 0;
  while (i < buf.length) {
    if ((buf[i] ?? 0) < 0x80) {
      i++;
      continue;
    }
    const b = buf[i] ?? 0;
    const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
    if (b >= 0xc2 && b <= 0xf4 && i + length <= buf.length && isUtf8(buf.subarray(i, i + length))) {
      valid++;
      i += length;
    } else {
      if (firstInvalid < 0) firstInvalid = i;
      invalid++;
      i++;
    }
  }
  return { valid, invalid, firstInvalid };
}

/** Byte offset of the first invalid UTF-8 sequence in `buf` (assumed to be invalid somewhere), or -1. */
export function firstInvalidUtf8(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i] ?? 0;
    let need = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return i;
    if (i + need >= buf.length) return i;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    if (!isUtf8(buf.subarray(i, i + need + 1))) return i;
    i += need + 1;
  }
  return -1;
}

const require = createRequire(import.meta.url);
let iconvModule: typeof import('iconv-lite') | undefined;

/**
 * iconv-lite, loaded on first use: most files are UTF-8 and need none of it, and loading it costs more start-up
 * time than decoding a large UTF-8 file's header.
 */
export function iconv(): typeof import('iconv-lite') {
  return (iconvModule ??= require('iconv-lite') as typeof import('iconv-lite'));
}

/** Decodes bytes of a detected encoding (the BOM already cut off). */
export function decodeBytes(bytes: Buffer, encoding: DetectedEncoding): string {
  switch (encoding) {
    case 'utf8':
    case 'utf8-bom':
      return new TextDecoder('utf-8').decode(bytes, { stream: true });
    case 'utf16le':
      return iconv().decode(bytes.subarray(0, bytes.length - (bytes.length % 2)), 'utf16le', {
        stripBOM: false,
      });
    case 'utf16be':
      return iconv().decode(bytes.subarray(0, bytes.length - (bytes.length % 2)), 'utf16be', {
        stripBOM: false,
      });
    case 'windows-1252':
      return iconv().decode(bytes, 'windows-1252');
  }
}

/** Bytes one decoded string takes in the file (to start reading right after the header). */
export function encodedLength(text: string, encoding: DetectedEncoding): number {
  switch (encoding) {
    case 'utf8':
    case 'utf8-bom':
      return Buffer.byteLength(text, 'utf8');
    case 'utf16le':
    case 'utf16be':
      return text.length * 2;
    case 'windows-1252':
      return text.length;
  }
}

export interface HeaderScan {
  /** Offset in the text where the header record starts (after blank lines). */
  start: number;
  /** Offset just past the header record's line break (or the text length when it has none). */
  end: number;
  /** Offset of the line break ending the header (the header text is text.slice(start, contentEnd)). */
  contentEnd: number;
  /** Physical line on which the header starts (1-based). */
  startLine: number;
  /** Physical line on which the header ends. */
  endLine: number;
  lineEnding: 'CRLF' | 'LF' | 'CR';
  /** Delimiter counts outside quotes. */
  counts: Record<Delimiter, number>;
  /** The header record is complete within the text. */
  complete: boolean;
  /** The text ended inside a quoted field. */
  inQuotes: boolean;
}

/**
 * Finds the header record (quote-aware) at the start of decoded text, skipping blank lines before it. A quote opens
 * a quoted field only at the start of a field: after `delimiter` when it is known, else after any of `, ; tab |`
 * (the scan that counts them to pick the delimiter).
 */
export function scanHeader(text: string, textIsWholeFile: boolean, delimiter?: Delimiter): HeaderScan {
  const fieldSeparator = delimiter === undefined ? -1 : delimiter.charCodeAt(0);
  let i = 0;
  let line = 1;
  // Skip blank lines (csv-parse's skip_empty_lines does the same for data).
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      i++;
      line++;
    } else if (c === 13) {
      i += text.charCodeAt(i + 1) === 10 ? 2 : 1;
      line++;
    } else break;
  }
  const start = i;
  const startLine = line;
  const counts: Record<Delimiter, number> = { ',': 0, ';': 0, '\t': 0, '|': 0 };
  let inQuotes = false;
  // Like csv-parse with relax_quotes: a quote opens a quoted field only at the start of a field; elsewhere it is data.
  let fieldStart = true;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      if (inQuotes) {
        if (text.charCodeAt(i + 1) === 34) i++;
        else inQuotes = false;
      } else if (fieldStart) {
        inQuotes = true;
      }
      fieldStart = false;
      continue;
    }
    if (c === 10 || c === 13) {
      if (inQuotes) {
        if (!(c === 13 && text.charCodeAt(i + 1) === 10)) line++;
        continue;
      }
      if (c === 13 && i + 1 >= text.length && !textIsWholeFile) break; // a CR whose LF may be in the next chunk
      const crlf = c === 13 && text.charCodeAt(i + 1) === 10;
      return {
        start,
        contentEnd: i,
        end: i + (crlf ? 2 : 1),
        startLine,
        endLine: line,
        lineEnding: crlf ? 'CRLF' : c === 13 ? 'CR' : 'LF',
        counts,
        complete: true,
        inQuotes: false,
      };
    }
    fieldStart = false;
    if (!inQuotes) {
      if (c === 44) counts[',']++;
      else if (c === 59) counts[';']++;
      else if (c === 9) counts['\t']++;
      else if (c === 124) counts['|']++;
      else continue;
      fieldStart = fieldSeparator < 0 || c === fieldSeparator;
    }
  }
  return {
    start,
    contentEnd: text.length,
    end: text.length,
    startLine,
    endLine: line,
    lineEnding: 'LF',
    counts,
    complete: textIsWholeFile && !inQuotes,
    inQuotes,
  };
}

/** The delimiter seen most often in the header outside quotes; ties and none go to `,`, then `;`, tab, `|`. */
export function pickDelimiter(counts: Record<Delimiter, number>): Delimiter {
  let best: Delimiter = ',';
  for (const d of [',', ';', '\t', '|'] as const) {
    if (counts[d] > counts[best]) best = d;
  }
  return best;
}
