/**
 * A streaming `.xlsx` writer: one worksheet written row by row into a ZIP stream (xlsx-zip-write.ts), text as
 * inline strings, so memory stays flat however many rows come (a shared-string table would hold every distinct text
 * until the end). The styles part is written last, with a cell format for each number format the rows used. Values
 * come out as exceljs wrote them (which wrote these files before): dates as serials counted in UTC, the same
 * characters dropped from text.
 */
import type { Writable } from 'node:stream';
import { numberText } from '../shared/index.js';
import { ZipWriter, type ZipEntryWriter } from './xlsx-zip-write.js';

/** A cell's value: text, a number, a boolean, a date (a serial with a date format); null or '' is no cell. */
export type XlsxCellValue = string | number | boolean | Date | null | undefined;

export interface XlsxWriterOptions {
  /** The worksheet's name (cut to Excel's 31 characters, its forbidden characters made spaces). */
  sheetName: string;
  /** Rows frozen at the top (the header): 0 or 1. */
  frozenRows?: number;
  /** Column widths in characters, by column (undefined: Excel's default). */
  widths?: readonly (number | undefined)[];
  /** zlib's deflate level. */
  level?: number;
}

export interface XlsxRowStyle {
  /** A number format per cell (a date's, a time's), by column. */
  numFmts?: readonly (string | undefined)[];
  /** Bold text (the header of an export). */
  bold?: boolean;
}

export interface XlsxWriter {
  /** Rows written so far. */
  readonly rows: number;
  /**
   * Adds a row. False when the caller should `await drain()` before adding many more (back-pressure from the
   * output); rows added regardless are buffered.
   */
  writeRow(cells: readonly XlsxCellValue[], style?: XlsxRowStyle): boolean;
  drain(): Promise<void>;
  /** Ends the sheet, writes the styles and the ZIP directory, and ends the output. */
  finish(): Promise<void>;
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
/** What escapeXml changes; a text without any goes out as it is. */
// eslint-disable-next-line no-control-regex -- the control characters are what it looks for
const NEEDS_ESCAPE = /[<>&'"\x7F\x00-\x08\x0B-\x0C\x0E-\x1F]/;

/**
 * Text for XML content or attributes: the five markup characters as entities, and the control characters XML 1.0
 * forbids (all below U+0020 but tab, line feed and carriage return) and DEL dropped, exactly as exceljs's xmlEncode
 * did.
 */
export function escapeXml(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let replacement: string;
    switch (code) {
      case 34:
        replacement = '&quot;';
        break;
      case 38:
        replacement = '&amp;';
        break;
      case 39:
        replacement = '&apos;';
        break;
      case 60:
        replacement = '&lt;';
        break;
      case 62:
        replacement = '&gt;';
        break;
      case 127:
        replacement = '';
        break;
      default:
        if (code <= 31 && code !== 9 && code !== 10 && code !== 13) {
          replacement = '';
          break;
        }
        continue;
    }
    out += text.slice(last, i) + replacement;
    last = i + 1;
  }
  return out + text.slice(last);
}

/** A date as exceljs wrote it: days since 1899-12-30, counting the Date's UTC time (the 1900 date system). */
export function dateToSerial(date: Date): number {
  return 25_569 + date.getTime() / 86_400_000;
}

/** The column's letters: 0 -> A, 25 -> Z, 26 -> AA. */
export function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** The name Excel accepts for a sheet: at most 31 characters, none of `[]*?/\:`; never empty. */
export function sheetNameFor(name: string): string {
  return name.slice(0, 31).replace(/[[\]*?/\\:]/g, ' ') || 'Sheet1';
}

/**
 * Starts a workbook on `out`, at once: the package parts, then the sheet's head; rows follow with `writeRow`.
 * @throws the output's errors (from writeRow's drain, finish).
 * @example
 * const xlsx = openXlsxWriter(createWriteStream('a.xlsx'), { sheetName: 'Results', frozenRows: 1 });
 * xlsx.writeRow(['id', 'when'], { bold: true });
 * xlsx.writeRow([17, new Date(Date.UTC(2026, 0, 31))], { numFmts: [undefined, 'yyyy-mm-dd'] });
 * await xlsx.finish();
 */
export function openXlsxWriter(out: Writable, options: XlsxWriterOptions): XlsxWriter {
  const zip = new ZipWriter(out, options.level === undefined ? {} : { level: options.level });
  const sheetName = sheetNameFor(options.sheetName);
  zip.addEntry(
    '[Content_Types].xml',
    `${HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
      '</Types>',
  );
  zip.addEntry(
    '_rels/.rels',
    `${HEAD}<Relationships xmlns="${PKG_REL}">` +
      `<Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  );
  zip.addEntry(
    'xl/workbook.xml',
    `${HEAD}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><bookViews><workbookView/></bookViews>` +
      `<sheets><sheet name="${escapeXml(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  );
  zip.addEntry(
    'xl/_rels/workbook.xml.rels',
    `${HEAD}<Relationships xmlns="${PKG_REL}">` +
      `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
      `<Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/></Relationships>`,
  );

  const sheet: ZipEntryWriter = zip.openEntry('xl/worksheets/sheet1.xml');
  let head = `${HEAD}<worksheet xmlns="${MAIN}" xmlns:r="${REL}"><sheetViews><sheetView workbookViewId="0">`;
  if ((options.frozenRows ?? 0) > 0) {
    const rows = options.frozenRows ?? 0;
    const top = `A${rows + 1}`;
    head +=
      `<pane ySplit="${rows}" topLeftCell="${top}" activePane="bottomLeft" state="frozen"/>` +
      `<selection pane="bottomLeft" activeCell="${top}" sqref="${top}"/>`;
  }
  head += '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>';
  const widths = options.widths ?? [];
  if (widths.some((w) => w !== undefined)) {
    head += '<cols>';
    widths.forEach((width, i) => {
      if (width !== undefined)
        head += `<col min="${i + 1}" max="${i + 1}" width="${width}" customWidth="1"/>`;
    });
    head += '</cols>';
  }
  sheet.write(`${head}<sheetData>`);

  const styles = new StyleTable();
  const letters: string[] = [];
  const letter = (i: number): string => (letters[i] ??= columnLetters(i));
  let rows = 0;
  let state: 'open' | 'finished' = 'open';
  return {
    get rows() {
      return rows;
    },
    writeRow(cells, style) {
      if (state !== 'open') throw new Error('the workbook is finished');
      const r = ++rows;
      const row = numberText(r);
      let xml = `<row r="${row}">`;
      const bold = style?.bold === true;
      for (let i = 0; i < cells.length; i++) {
        const value = cells[i];
        if (value === null || value === undefined || value === '') continue;
        const ref = letter(i) + row;
        const s = styles.id(style?.numFmts?.[i], bold);
        const sAttr = s === 0 ? '' : ` s="${s}"`;
        if (typeof value === 'string') {
          xml += `<c r="${ref}"${sAttr} t="inlineStr"><is><t xml:space="preserve">${escapeXml(value)}</t></is></c>`;
        } else if (typeof value === 'number') {
          // A number XML cannot carry (NaN, Infinity) is no cell rather than a corrupt file.
          if (Number.isFinite(value)) xml += `<c r="${ref}"${sAttr}><v>${numberText(value)}</v></c>`;
        } else if (typeof value === 'boolean') {
          xml += `<c r="${ref}"${sAttr} t="b"><v>${value ? 1 : 0}</v></c>`;
        } else {
          const serial = dateToSerial(value);
          if (Number.isFinite(serial)) xml += `<c r="${ref}"${sAttr}><v>${numberText(serial)}</v></c>`;
        }
      }
      return sheet.write(`${xml}</row>`);
    },
    drain: () => sheet.drain(),
    async finish() {
      if (state !== 'open') throw new Error('the workbook is finished');
      state = 'finished';
      sheet.write('</sheetData></worksheet>');
      await sheet.close();
      zip.addEntry('xl/styles.xml', styles.xml());
      await zip.finish();
    },
  };
}

/** The cell formats (cellXfs) the rows used: 0 is the default; one more for each number format and bold pair. */
class StyleTable {
  private readonly ids = new Map<string, number>();
  private readonly xfs: { numFmtId: number; bold: boolean }[] = [{ numFmtId: 0, bold: false }];
  private readonly formats = new Map<string, number>();

  id(numFmt: string | undefined, bold: boolean): number {
    if (numFmt === undefined && !bold) return 0;
    const key = `${bold ? 1 : 0}${numFmt ?? ''}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      let numFmtId = 0;
      if (numFmt !== undefined) {
        numFmtId = this.formats.get(numFmt) ?? 164 + this.formats.size;
        this.formats.set(numFmt, numFmtId);
      }
      id = this.xfs.length;
      this.xfs.push({ numFmtId, bold });
      this.ids.set(key, id);
    }
    return id;
  }

  xml(): string {
    const font =
      '<sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/>';
    let xml = `${HEAD}<styleSheet xmlns="${MAIN}">`;
    if (this.formats.size > 0) {
      xml += `<numFmts count="${this.formats.size}">`;
      for (const [code, id] of this.formats)
        xml += `<numFmt numFmtId="${id}" formatCode="${escapeXml(code)}"/>`;
      xml += '</numFmts>';
    }
    xml +=
      `<fonts count="2"><font>${font}</font><font><b/>${font}</font></fonts>` +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      `<cellXfs count="${this.xfs.length}">`;
    for (const xf of this.xfs) {
      xml +=
        `<xf numFmtId="${xf.numFmtId}" fontId="${xf.bold ? 1 : 0}" fillId="0" borderId="0" xfId="0"` +
        `${xf.numFmtId === 0 ? '' : ' applyNumberFormat="1"'}${xf.bold ? ' applyFont="1"' : ''}/>`;
    }
    return (
      `${xml}</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
      '<dxfs count="0"/><tableStyles count="0"/></styleSheet>'
    );
  }
}
