import type { ObjectInstance } from '../coupa/index.js';
import { formatCsvRow } from '../csv/index.js';
import {
  ExportIssues,
  exportColumns,
  recordToCells,
  type FieldSpec,
  type Mapping,
} from '../mapping/index.js';
import { chooseColumns, recordToPlainCells, unknownFields } from './columns.js';
import {
  ExcelCsvRows,
  excelDelimiter,
  mappedXlsxColumns,
  mappedXlsxRow,
  plainXlsxColumns,
  plainXlsxRow,
  type XlsxColumn,
  type XlsxSink,
} from './excel.js';
import { dateSpecsOf, withOwnCalendarDates } from './instance-zone.js';
import type { ExportFormat } from './types.js';

const BOM = '\uFEFF';

export interface RecordFormatterOptions {
  format: ExportFormat;
  mapping: Mapping | undefined;
  timezone: string;
  /** Where the zone was set; undefined when it was not (a date in another offset is then noted). */
  zoneSetBy: string | undefined;
  /** `--excel` (CSV only): BOM, CRLF, formula escaping and the spreadsheet's delimiter. */
  excel: boolean;
  excelSafe: boolean;
  bom: boolean;
  /** The workbook rows go to, for `--format xlsx`. */
  sink: XlsxSink | undefined;
  /** A record whose fields name the columns of an unmapped export besides the first page's. */
  sample: ObjectInstance | undefined;
}

/**
 * Turns records into the output's text: the header (columns from the mapping, or from the first page's records),
 * then one CSV row or JSON line per record; for a workbook the rows go to the sink and the text is empty. Collects
 * what the user should hear once the export is done ({@link RecordFormatter.notices}).
 */
export class RecordFormatter {
  /** The columns written (final once {@link head} has run). */
  columns: string[];
  /** True once the header is written. */
  started = false;
  private known: Set<string>;
  private readonly reported = new Set<string>();
  private xlsxColumns: XlsxColumn[] = [];
  private readonly excelRows: ExcelCsvRows | undefined;
  /** What the mapping could not write as stored: said once per column when the export is done. */
  private readonly issues: ExportIssues | undefined;
  private readonly dateSpecs: FieldSpec[];

  constructor(private readonly o: RecordFormatterOptions) {
    this.columns = o.mapping ? exportColumns(o.mapping) : [];
    this.known = new Set(this.columns);
    this.excelRows = o.excel && o.format === 'csv' ? new ExcelCsvRows(excelDelimiter(o.mapping)) : undefined;
    this.issues = o.mapping ? new ExportIssues() : undefined;
    this.dateSpecs = dateSpecsOf(o.mapping);
  }

  /** The header, chosen from the first page when there is no mapping ('' for JSONL and a workbook). */
  head(firstPage: readonly ObjectInstance[]): string {
    const { o } = this;
    this.started = true;
    const seen = o.sample ? [o.sample, ...firstPage] : firstPage;
    if (!o.mapping) {
      this.columns = chooseColumns(seen);
      this.known = new Set(this.columns);
    }
    if (o.format === 'jsonl') return '';
    if (o.sink) {
      this.xlsxColumns = o.mapping ? mappedXlsxColumns(o.mapping) : plainXlsxColumns(this.columns, seen);
      o.sink.start(this.xlsxColumns);
      return '';
    }
    if (this.excelRows) return BOM + this.excelRows.row(this.columns);
    return (o.bom ? BOM : '') + formatCsvRow(this.columns, { excelSafe: o.excelSafe });
  }

  /**
   * The fields of an unmapped CSV or workbook record that came after the header was written, once each: they are
   * left out of the file.
   */
  lateFields(record: ObjectInstance): string[] {
    if (this.o.mapping || this.o.format === 'jsonl') return [];
    const late: string[] = [];
    for (const field of unknownFields(record, this.known)) {
      if (this.reported.has(field)) continue;
      this.reported.add(field);
      late.push(field);
    }
    return late;
  }

  /** One record's text (a workbook's row goes to the sink: ''). */
  format(record: ObjectInstance): string {
    const { o, excelRows } = this;
    const csv = { excelSafe: o.excelSafe };
    if (!o.mapping) {
      if (o.format === 'jsonl') return `${JSON.stringify(record)}\n`;
      if (o.sink) {
        o.sink.addRow(plainXlsxRow(record, this.xlsxColumns));
        return '';
      }
      const plain = recordToPlainCells(record, this.columns);
      if (excelRows) return excelRows.row(plain, record.id);
      return formatCsvRow(plain, csv);
    }
    const own =
      this.dateSpecs.length === 0
        ? record
        : withOwnCalendarDates(
            record,
            this.dateSpecs,
            o.timezone,
            o.zoneSetBy === undefined ? this.issues : undefined,
          );
    const cells = recordToCells(o.mapping, own, o.timezone, this.issues);
    if (o.format === 'jsonl')
      return `${JSON.stringify(Object.fromEntries(this.columns.map((c, i) => [c, cells[i] ?? ''])))}\n`;
    if (o.sink) {
      o.sink.addRow(mappedXlsxRow(o.mapping, own, cells, this.xlsxColumns, o.timezone));
      return '';
    }
    if (excelRows) return excelRows.row(cells, record.id);
    return formatCsvRow(cells, csv);
  }

  /** What to tell the user once `records` records are written: cells escaped for a spreadsheet, values the mapping changed. */
  notices(records: number): string[] {
    const { o, excelRows } = this;
    const out: string[] = [];
    if (excelRows && excelRows.escaped > 0) {
      out.push(
        `${excelRows.escaped} cell${excelRows.escaped === 1 ? '' : 's'} (first: record ${String(excelRows.firstEscapedId)}) ` +
          "begin with = + - or @ and were written with a leading ' so that a spreadsheet shows them as text instead of " +
          "running them as a formula; an import of this file stores the '" +
          (o.mapping ? ' (remove it from those cells before importing the file again)' : ''),
      );
    }
    if (o.mapping && this.issues) out.push(...this.issues.messages(o.mapping, records, o.timezone));
    return out;
  }
}
