/**
 * The parts of an `.xlsx` workbook around its sheets: the sheet list and date system (`xl/workbook.xml`), where each
 * sheet's part is (`xl/_rels/workbook.xml.rels`), the number format of each cell style (`xl/styles.xml`) and the
 * shared-string table (`xl/sharedStrings.xml`), kept compact (and past a size, in a temporary file) by xlsx-strings.ts.
 */
import { posix } from 'node:path';
import { SharedStrings, type SharedStringsOptions } from './xlsx-strings.js';
import { parseXml, XmlStream } from './xlsx-xml.js';
import { readZipEntry, streamZipEntry, type ZipDirectory } from './xlsx-zip.js';

/** The most a workbook, relationships or styles part may take in memory. */
const MAX_SMALL_PART = 64 * 1024 * 1024;

export interface SheetRef {
  name: string;
  /** The sheet's part in the zip (e.g. `xl/worksheets/sheet1.xml`); undefined when the workbook does not say. */
  part: string | undefined;
}

export interface WorkbookParts {
  sheets: SheetRef[];
  date1904: boolean;
  sharedStrings: string | undefined;
  styles: string | undefined;
}

/** The workbook is not there: not an `.xlsx` file, or a zip of something else. */
export class NotAWorkbookError extends Error {}

interface Relationship {
  type: string;
  target: string;
}

/**
 * Reads the package's relationships, the workbook part and its relationships: never a sheet.
 * @throws NotAWorkbookError when the zip has no workbook part; XML and zip errors as they are.
 */
export async function readWorkbookParts(path: string, zip: ZipDirectory): Promise<WorkbookParts> {
  let workbookPart = 'xl/workbook.xml';
  const rootRels = zip.find('_rels/.rels');
  if (rootRels !== undefined) {
    const rels = readRelationships(await readZipEntry(path, rootRels, MAX_SMALL_PART), '');
    const office = [...rels.values()].find((r) => r.type.endsWith('/officeDocument'));
    if (office !== undefined && zip.find(office.target) !== undefined) workbookPart = office.target;
  }
  const workbook = zip.find(workbookPart);
  if (workbook === undefined)
    throw new NotAWorkbookError('this is not an .xlsx workbook (no xl/workbook.xml)');
  const sheets: { name: string; id: string | undefined }[] = [];
  let date1904 = false;
  parseXml(await readZipEntry(path, workbook, MAX_SMALL_PART), {
    open(name, attributes) {
      if (name === 'sheet' && attributes.name !== undefined)
        sheets.push({ name: attributes.name, id: relationshipId(attributes) });
      else if (name === 'workbookPr') date1904 = isTrue(attributes.date1904);
    },
    close() {},
  });
  const dir = posix.dirname(workbook.name);
  const relsEntry = zip.find(posix.join(dir, '_rels', `${posix.basename(workbook.name)}.rels`));
  const rels = relsEntry
    ? readRelationships(await readZipEntry(path, relsEntry, MAX_SMALL_PART), dir)
    : new Map<string, Relationship>();
  const byType = (suffix: string, fallback: string): string | undefined => {
    const found = [...rels.values()].find((r) => r.type.endsWith(suffix))?.target;
    return zip.find(found ?? '')?.name ?? zip.find(posix.join(dir, fallback))?.name;
  };
  return {
    sheets: sheets.map((s, i) => ({
      name: s.name,
      // Without relationships (never seen from Excel), the parts are where every writer puts them.
      part:
        zip.find((s.id === undefined ? undefined : rels.get(s.id)?.target) ?? '')?.name ??
        (rels.size === 0 ? zip.find(posix.join(dir, 'worksheets', `sheet${i + 1}.xml`))?.name : undefined),
    })),
    date1904,
    sharedStrings: byType('/sharedStrings', 'sharedStrings.xml'),
    styles: byType('/styles', 'styles.xml'),
  };
}

/** The `r:id` attribute, whatever the prefix of the relationships namespace. */
function relationshipId(attributes: Record<string, string>): string | undefined {
  const id = attributes['r:id'];
  if (id !== undefined) return id;
  for (const key in attributes) if (key.endsWith(':id')) return attributes[key];
  return undefined;
}

function isTrue(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}

/** A relationships part: id to type and target, the target resolved against `dir` (the source part's folder). */
function readRelationships(data: Buffer, dir: string): Map<string, Relationship> {
  const rels = new Map<string, Relationship>();
  parseXml(data, {
    open(name, attributes) {
      if (name !== 'Relationship' || attributes.Id === undefined || attributes.Target === undefined) return;
      if (attributes.TargetMode === 'External') return;
      const target = attributes.Target.startsWith('/')
        ? posix.normalize(attributes.Target.slice(1))
        : posix.normalize(posix.join(dir, attributes.Target));
      rels.set(attributes.Id, { type: attributes.Type ?? '', target });
    },
    close() {},
  });
  return rels;
}

/**
 * Excel's built-in number formats (the ids a style may use without defining them): the general ones, and for the
 * ids whose format depends on the locale (27-36, 50-58 East Asian dates and times, 59-81 Thai), one of the same
 * kind, as SheetJS maps them, which is all formatKind and formatNumber need.
 */
const BUILT_IN_FORMATS: Record<number, string> = {
  0: 'General',
  1: '0',
  2: '0.00',
  3: '#,##0',
  4: '#,##0.00',
  5: '"$"#,##0_);("$"#,##0)',
  6: '"$"#,##0_);[Red]("$"#,##0)',
  7: '"$"#,##0.00_);("$"#,##0.00)',
  8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
  9: '0%',
  10: '0.00%',
  11: '0.00E+00',
  12: '# ?/?',
  13: '# ??/??',
  14: 'mm-dd-yy',
  15: 'd-mmm-yy',
  16: 'd-mmm',
  17: 'mmm-yy',
  18: 'h:mm AM/PM',
  19: 'h:mm:ss AM/PM',
  20: 'h:mm',
  21: 'h:mm:ss',
  22: 'm/d/yy h:mm',
  37: '#,##0 ;(#,##0)',
  38: '#,##0 ;[Red](#,##0)',
  39: '#,##0.00;(#,##0.00)',
  40: '#,##0.00;[Red](#,##0.00)',
  45: 'mm:ss',
  46: '[h]:mm:ss',
  47: 'mmss.0',
  48: '##0.0E+0',
  49: '@',
  // Locale-dependent ids: dates, except the times of 32-33.
  27: 'mm-dd-yy',
  28: 'mm-dd-yy',
  29: 'mm-dd-yy',
  30: 'mm-dd-yy',
  31: 'mm-dd-yy',
  32: 'h:mm',
  33: 'h:mm:ss',
  34: 'mm-dd-yy',
  35: 'mm-dd-yy',
  36: 'mm-dd-yy',
  50: 'mm-dd-yy',
  51: 'mm-dd-yy',
  52: 'mm-dd-yy',
  53: 'mm-dd-yy',
  54: 'mm-dd-yy',
  55: 'mm-dd-yy',
  56: 'mm-dd-yy',
  57: 'mm-dd-yy',
  58: 'mm-dd-yy',
  59: '0',
  60: '0.00',
  61: '#,##0',
  62: '#,##0.00',
  67: '0%',
  68: '0.00%',
  69: '# ?/?',
  70: '# ??/??',
  71: 'mm-dd-yy',
  72: 'mm-dd-yy',
  73: 'd-mmm-yy',
  74: 'd-mmm',
  75: 'mmm-yy',
  76: 'h:mm',
  77: 'h:mm:ss',
  78: 'm/d/yy h:mm',
  79: 'mm:ss',
  80: '[h]:mm:ss',
  81: 'mmss.0',
};

/** The number format of each cell style (`s="n"` of a cell is index n), from `xl/styles.xml`. */
export async function readCellFormats(
  path: string,
  zip: ZipDirectory,
  part: string | undefined,
): Promise<(string | undefined)[]> {
  const entry = part === undefined ? undefined : zip.find(part);
  if (entry === undefined) return [];
  const custom = new Map<number, string>();
  const xfs: number[] = [];
  let inCellXfs = false;
  parseXml(await readZipEntry(path, entry, MAX_SMALL_PART), {
    open(name, attributes) {
      if (name === 'numFmt' && attributes.numFmtId !== undefined && attributes.formatCode !== undefined)
        custom.set(Number(attributes.numFmtId), attributes.formatCode);
      else if (name === 'cellXfs') inCellXfs = true;
      else if (name === 'xf' && inCellXfs) xfs.push(Number(attributes.numFmtId ?? 0));
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false;
    },
  });
  return xfs.map((id) => custom.get(id) ?? BUILT_IN_FORMATS[id]);
}

/**
 * Streams `xl/sharedStrings.xml` into a {@link SharedStrings}: each `<si>`'s text, its rich-text runs (`<r><t>`)
 * joined, its phonetic guide (`<rPh>`) left out.
 */
export async function readSharedStrings(
  path: string,
  zip: ZipDirectory,
  part: string | undefined,
  options: SharedStringsOptions = {},
): Promise<SharedStrings> {
  const entry = part === undefined ? undefined : zip.find(part);
  const table = new SharedStrings(options);
  if (entry === undefined) return table;
  let inItem = false;
  let inText = false;
  let phonetic = 0;
  let text = '';
  const xml = new XmlStream({
    open(name) {
      if (name === 'si') {
        inItem = true;
        text = '';
      } else if (name === 't') inText = inItem && phonetic === 0;
      else if (name === 'rPh') phonetic++;
    },
    text(value) {
      if (inText) text += value;
    },
    close(name) {
      if (name === 't') inText = false;
      else if (name === 'rPh') phonetic--;
      else if (name === 'si') {
        table.push(text);
        inItem = false;
        text = '';
      }
    },
  });
  for await (const chunk of streamZipEntry(path, entry)) xml.write(chunk);
  xml.end();
  return table;
}
