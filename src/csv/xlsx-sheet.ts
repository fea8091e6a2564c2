/**
 * A worksheet part (`xl/worksheets/sheetN.xml`) read as rows: each `<row>` of `<sheetData>` with its cells' text
 * and typed values, rows and cells placed by their `r` reference (or by position where a writer leaves it out).
 */
import type { TypedCell } from '../shared/index.js';
import { readIsoDate, readNumber, type ReadCell } from './xlsx-cells.js';
import type { SharedStrings } from './xlsx-strings.js';
import { XmlStream } from './xlsx-xml.js';

/** One non-blank row of a sheet. */
export interface SheetRow {
  line: number;
  cells: string[];
  typed: (TypedCell | undefined)[];
}

export interface SheetContext {
  strings: SharedStrings;
  /** The number format of each cell style. */
  formats: readonly (string | undefined)[];
  date1904: boolean;
}

const BLANK: ReadCell = { text: '', typed: undefined };

/**
 * A push parser over a sheet part's bytes: `write` returns the rows that chunk completed (blank rows skipped, each
 * row as long as its last non-blank cell).
 */
export class SheetParser {
  private readonly xml: XmlStream;
  private out: SheetRow[] = [];

  constructor(context: SheetContext) {
    const { strings, formats, date1904 } = context;
    let inData = false;
    let line = 0;
    let column = 0;
    let cells: string[] = [];
    let typed: (TypedCell | undefined)[] = [];
    let last = 0;
    // The open cell: its type, style and value text (`<v>`, or the runs of an inline string's `<is>`).
    let type = 'n';
    let style = -1;
    let value = '';
    let hasValue = false;
    let inValue = false;
    let inInline = false;
    let phonetic = 0;
    const finishCell = (): void => {
      if (!hasValue) return;
      const read = readValue(type, value, style < 0 ? undefined : formats[style], date1904, strings);
      if (read.text.trim() === '') return;
      for (let i = cells.length; i < column - 1; i++) {
        cells.push('');
        typed.push(undefined);
      }
      cells[column - 1] = read.text;
      typed[column - 1] = read.typed;
      if (column > last) last = column;
    };
    const emit = (row: SheetRow): void => {
      this.out.push(row);
    };
    this.xml = new XmlStream({
      open(name, attributes) {
        if (!inData) {
          if (name === 'sheetData') inData = true;
          return;
        }
        switch (name) {
          case 'row': {
            const r = attributes.r === undefined ? NaN : Number(attributes.r);
            line = Number.isInteger(r) && r > 0 ? r : line + 1;
            column = 0;
            cells = [];
            typed = [];
            last = 0;
            break;
          }
          case 'c': {
            const at = attributes.r === undefined ? 0 : columnOf(attributes.r);
            column = at > 0 ? at : column + 1;
            type = attributes.t ?? 'n';
            style = attributes.s === undefined ? -1 : Number(attributes.s);
            if (!Number.isInteger(style)) style = -1;
            value = '';
            hasValue = false;
            inValue = false;
            inInline = false;
            phonetic = 0;
            break;
          }
          case 'v':
            inValue = true;
            value = '';
            hasValue = true;
            break;
          case 'is':
            inInline = true;
            value = '';
            hasValue = true;
            break;
          case 't':
            if (inInline && phonetic === 0) inValue = true;
            break;
          case 'rPh':
            phonetic++;
            break;
        }
      },
      text(text) {
        if (inValue) value += text;
      },
      close(name) {
        if (!inData) return;
        switch (name) {
          case 'v':
          case 't':
            inValue = false;
            break;
          case 'is':
            inInline = false;
            break;
          case 'rPh':
            phonetic--;
            break;
          case 'c':
            finishCell();
            hasValue = false;
            break;
          case 'row':
            if (last > 0) emit({ line, cells, typed });
            cells = [];
            typed = [];
            last = 0;
            break;
          case 'sheetData':
            inData = false;
            break;
        }
      },
    });
  }

  /** Parses a chunk of the part; returns the rows it completed. */
  write(chunk: Buffer): SheetRow[] {
    this.xml.write(chunk);
    return this.take();
  }

  /** Ends the part; returns the rows still held. */
  end(): SheetRow[] {
    this.xml.end();
    return this.take();
  }

  private take(): SheetRow[] {
    const rows = this.out;
    this.out = [];
    return rows;
  }
}

/** The 1-based column of a cell reference (`B7` is 2, `AA1` 27); 0 when it has no letters. */
export function columnOf(ref: string): number {
  let column = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c >= 65 && c <= 90) column = column * 26 + c - 64;
    else if (c >= 97 && c <= 122) column = column * 26 + c - 96;
    else if (c !== 36) break; // `$` of an absolute reference
  }
  return column;
}

/** A cell's raw value by its type (`t`): shared string, inline or formula string, boolean, error, ISO date, number. */
function readValue(
  type: string,
  raw: string,
  numFmt: string | undefined,
  date1904: boolean,
  strings: SharedStrings,
): ReadCell {
  switch (type) {
    case 's': {
      const text = strings.get(Number(raw));
      return text === undefined ? BLANK : { text, typed: undefined };
    }
    case 'inlineStr':
    case 'str':
    case 'e':
      // An error cell shows its code (`#N/A`, `#DIV/0!`): text, as Excel shows it.
      return { text: raw, typed: undefined };
    case 'b': {
      const v = raw.trim();
      if (v === '') return BLANK;
      const value = v === '1' || v.toLowerCase() === 'true';
      return { text: value ? 'TRUE' : 'FALSE', typed: { kind: 'boolean', value } };
    }
    case 'd':
      return raw.trim() === '' ? BLANK : readIsoDate(raw, numFmt);
    default: {
      const v = raw.trim();
      if (v === '') return BLANK;
      const n = Number(v);
      // Not a number although typed as one (never from Excel): the text as it is.
      return Number.isNaN(n) ? { text: raw, typed: undefined } : readNumber(n, numFmt, date1904);
    }
  }
}
