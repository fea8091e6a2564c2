import { PassThrough, type Readable } from 'node:stream';
import type { ObjectInstance } from '../coupa/index.js';
import { escapeFormula, formatCsvRow, openXlsxWriter, type XlsxWriter } from '../csv/index.js';
import { describeFields } from '../fields/index.js';
import type { FieldSpec, Mapping } from '../mapping/index.js';
import { parseIsoDateTime, parseInstant, wallClockInZone } from '../shared/index.js';
import { BASE_COLUMNS, flattenValue } from './columns.js';

/**
 * The delimiter of an `--excel` CSV: with a mapping that has a column with `decimal: ","`, `;` (the list separator
 * of the spreadsheets that write a decimal comma: a `,` there would split every number in two); else `,`.
 */
export function excelDelimiter(mapping: Mapping | undefined): ',' | ';' {
  return mapping?.fields.some((f) => f.decimal === ',') ? ';' : ',';
}

/**
 * Rows of an `--excel` CSV: formula escaping (counted, so the export can say how many cells a spreadsheet shows
 * with a leading `'`), the delimiter, CRLF line ends.
 */
export class ExcelCsvRows {
  /** Cells escaped with a leading `'`, and the first record that had one. */
  escaped = 0;
  firstEscapedId: unknown;

  constructor(readonly delimiter: ',' | ';') {}

  row(cells: readonly string[], id?: unknown): string {
    const safe = cells.map((cell) => {
      const out = escapeFormula(cell);
      if (out !== cell && id !== undefined) {
        if (this.escaped === 0) this.firstEscapedId = id;
        this.escaped++;
      }
      return out;
    });
    const line = formatCsvRow(safe, { delimiter: this.delimiter });
    return `${line.slice(0, -1)}\r\n`;
  }
}

/** How one xlsx column's values are written. */
export type XlsxColumnType = 'text' | 'number' | 'boolean' | 'date' | 'datetime';

export interface XlsxColumn {
  header: string;
  type: XlsxColumnType;
  /** Excel number format for dates and datetimes. */
  numFmt?: string;
}

type XlsxCell = string | number | boolean | Date | null;

/**
 * Columns of an xlsx export with a mapping: the id column a number, then each field by its type (references as
 * text, by their `by:` attribute); dates and datetimes shown in the mapping's format.
 */
export function mappedXlsxColumns(mapping: Mapping): XlsxColumn[] {
  const columns: XlsxColumn[] = mapping.id === undefined ? [] : [{ header: mapping.id, type: 'number' }];
  for (const spec of mapping.fields) columns.push({ header: spec.column, ...specColumn(spec) });
  return columns;
}

function specColumn(spec: FieldSpec): Omit<XlsxColumn, 'header'> {
  switch (spec.type) {
    case 'integer':
    case 'decimal':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'date', numFmt: spec.format ? excelFormat(spec.format) : 'yyyy-mm-dd' };
    case 'datetime':
      return { type: 'datetime', numFmt: spec.format ? excelFormat(spec.format) : 'yyyy-mm-dd hh:mm:ss' };
    default:
      return { type: 'text' };
  }
}

/** A mapping's date format as an Excel number format (`DD/MM/YYYY HH:mm` -> `dd/mm/yyyy hh:mm`). */
export function excelFormat(format: string): string {
  return format.replace(/YYYY|MM|DD|HH|mm|ss/g, (t) =>
    t === 'YYYY' ? 'yyyy' : t === 'MM' ? 'mm' : t === 'DD' ? 'dd' : t === 'HH' ? 'hh' : t,
  );
}

/**
 * Columns of an xlsx export without a mapping: `id`, `created-at`, `updated-at`, then the custom fields, each typed
 * as the sample records show it (see describeFields): numbers, booleans, dates, datetimes; references and text as
 * text.
 */
export function plainXlsxColumns(
  columns: readonly string[],
  sample: readonly ObjectInstance[],
): XlsxColumn[] {
  const types = new Map(describeFields(sample).map((f) => [f.name, f.type]));
  return columns.map((header, index) => {
    if (index === 0) return { header, type: 'number' };
    if (index < BASE_COLUMNS.length) return { header, type: 'datetime', numFmt: 'yyyy-mm-dd hh:mm:ss' };
    const t = types.get(header);
    if (t === 'integer' || t === 'decimal') return { header, type: 'number' };
    if (t === 'boolean') return { header, type: 'boolean' };
    if (t === 'date') return { header, type: 'date', numFmt: 'yyyy-mm-dd' };
    if (t === 'datetime') return { header, type: 'datetime', numFmt: 'yyyy-mm-dd hh:mm:ss' };
    return { header, type: 'text' };
  });
}

/**
 * One value as a typed cell. Dates are the calendar date the value carries in its own offset (the instance's
 * calendar date, whatever zone is set); datetimes the wall-clock time in `zone` when given, else in the value's own
 * offset (Excel has no time zones). A value that does not fit the column's type is written as text.
 */
export function typedCell(type: XlsxColumnType, value: unknown, text: string, zone?: string): XlsxCell {
  if (value === null || value === undefined || text === '') return null;
  switch (type) {
    case 'number': {
      if (typeof value !== 'number' && typeof value !== 'string') return text;
      const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value.trim());
      // Past 15 significant digits Excel rounds: keep such a value as text.
      return Number.isFinite(n) && significantDigits(String(value)) <= 15 ? n : text;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value.trim()))
        return value.trim().toLowerCase() === 'true';
      return text;
    case 'date':
    case 'datetime': {
      if (typeof value !== 'string') return text;
      const dt = parseIsoDateTime(value.trim());
      if (dt === undefined) {
        const bare = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
        return bare ? new Date(Date.UTC(Number(bare[1]), Number(bare[2]) - 1, Number(bare[3]))) : text;
      }
      let wall = dt.localMs;
      if (type === 'datetime' && zone !== undefined) {
        const instant = parseInstant(value.trim(), zone);
        if (instant !== undefined) wall = wallClockInZone(instant, zone);
      }
      if (type === 'date') wall = Math.floor(wall / 86_400_000) * 86_400_000;
      return new Date(Math.floor(wall / 1000) * 1000);
    }
    default:
      return text;
  }
}

function significantDigits(text: string): number {
  return text
    .replace(/^[+-]?0*/, '')
    .replace(/[^0-9]/g, '')
    .replace(/0+$/, '').length;
}

/** A streaming xlsx writer (the csv module's openXlsxWriter): one worksheet, rows written as they come. */
export interface XlsxSink {
  /** The bytes of the workbook, as they are produced. */
  bytes: Readable;
  start(columns: readonly XlsxColumn[]): void;
  addRow(cells: readonly XlsxCell[]): void;
  /** Writes the end of the workbook; `bytes` ends after it. */
  finish(): Promise<void>;
  fail(error: unknown): void;
}

/** Opens an {@link XlsxSink}: a bold header row, each column's width and number format. */
export function openXlsxSink(sheetName: string): Promise<XlsxSink> {
  const bytes = new PassThrough();
  const name = sheetName.slice(0, 31).replace(/[[\]*?/\\:]/g, ' ') || 'Export';
  let numFmts: (string | undefined)[] = [];
  // The sheet's head carries the column widths: the workbook opens with the columns (start), or at the end without.
  let workbook: XlsxWriter | undefined;
  const open = (columns: readonly XlsxColumn[]): XlsxWriter =>
    (workbook ??= openXlsxWriter(bytes, {
      sheetName: name,
      widths: columns.map((c) =>
        Math.min(60, Math.max(10, c.header.length + 2, c.type === 'datetime' ? 20 : 0)),
      ),
    }));
  return Promise.resolve({
    bytes,
    start(columns) {
      numFmts = columns.map((c) => c.numFmt);
      open(columns).writeRow(
        columns.map((c) => c.header),
        { bold: true, numFmts },
      );
    },
    addRow(cells) {
      open([]).writeRow(cells, { numFmts });
    },
    async finish() {
      await open([]).finish();
    },
    fail(error) {
      // The output may not be reading the bytes (a failure before it started): the error is the caller's to report.
      bytes.on('error', () => undefined);
      bytes.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  });
}

/** An unmapped record as typed xlsx cells, aligned with `columns`. */
export function plainXlsxRow(record: ObjectInstance, columns: readonly XlsxColumn[]): XlsxCell[] {
  const raw: unknown = record['custom-fields'];
  const fields = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  return columns.map((c, index) => {
    const value = index < BASE_COLUMNS.length ? record[c.header] : fields[c.header];
    return typedCell(c.type, value, flattenValue(value));
  });
}

/**
 * A record as typed xlsx cells with a mapping, aligned with {@link mappedXlsxColumns}: `texts` are the record's
 * CSV cells (recordToCells), used for text columns and for values that do not fit their column's type.
 */
export function mappedXlsxRow(
  mapping: Mapping,
  record: ObjectInstance,
  texts: readonly string[],
  columns: readonly XlsxColumn[],
  timezone: string,
): XlsxCell[] {
  const raw: unknown = record['custom-fields'];
  const fields = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const cells: XlsxCell[] = [];
  const offset = mapping.id === undefined ? 0 : 1;
  if (mapping.id !== undefined) cells.push(typedCell('number', record.id, texts[0] ?? ''));
  mapping.fields.forEach((spec, i) => {
    const text = texts[i + offset] ?? '';
    const column = columns[i + offset];
    let value = fields[spec.field];
    if (value === undefined) value = fields[spec.field.replace(/-/g, '_')];
    if (!column || column.type === 'text') {
      cells.push(text === '' ? null : text);
      return;
    }
    cells.push(
      typedCell(
        column.type,
        value,
        text,
        column.type === 'datetime' ? (spec.timezone ?? timezone) : undefined,
      ),
    );
  });
  return cells;
}
