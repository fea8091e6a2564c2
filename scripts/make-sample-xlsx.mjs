// Makes samples/budget-allocations.xlsx from samples/budget-allocations-excel.csv, as a finance user's workbook:
// the same rows with real cells (Fiscal Year and Amount numbers, Start/End Date dates, Approved booleans) shown
// in European formats. The same mapping (samples/budget-allocations.mapping.yaml) reads both files: typed cells
// need neither its `format:` nor its `decimal:`.
//   node scripts/make-sample-xlsx.mjs [out.xlsx]
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

const samples = join(dirname(fileURLToPath(import.meta.url)), '..', 'samples');
const out = process.argv[2] ?? join(samples, 'budget-allocations.xlsx');
const [header, ...rows] = parse(await readFile(join(samples, 'budget-allocations-excel.csv')), {
  bom: true,
  delimiter: ';',
});

const col = (name) => {
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`no column ${name} in the CSV`);
  return i;
};
// 12.500,00 -> 12500; 01/01/2026 -> a date at midnight, counted in UTC as exceljs's serial arithmetic is.
const number = (text) => Number(text.replace(/\./g, '').replace(',', '.'));
const date = (text) => {
  const [d, m, y] = text.split('/').map(Number);
  return new Date(Date.UTC(y, m - 1, d));
};
const bool = (text) => ({ yes: true, no: false })[text.toLowerCase()];

const wb = new ExcelJS.Workbook();
// Fixed, so that making the file again changes only what changed in the CSV.
wb.created = wb.modified = new Date(Date.UTC(2026, 0, 1));
wb.creator = 'coupa-csv scripts/make-sample-xlsx.mjs';
const ws = wb.addWorksheet('Budget allocations', { views: [{ state: 'frozen', ySplit: 1 }] });
ws.columns = header.map((name) => ({ header: name, width: Math.max(12, name.length + 2) }));
ws.getRow(1).font = { bold: true };
const formats = {
  'Fiscal Year': ['0', number],
  Amount: ['#,##0.00', number],
  'Start Date': ['dd/mm/yyyy', date],
  'End Date': ['dd/mm/yyyy', date],
  Approved: [undefined, bool],
};
for (const cells of rows) {
  const values = cells.map((text, i) => {
    const typed = formats[header[i]];
    if (typed === undefined || text === '') return text;
    const value = typed[1](text);
    if (value === undefined || Number.isNaN(value) || Number.isNaN(value?.getTime?.()))
      throw new Error(`cannot read ${header[i]} ${JSON.stringify(text)} as typed`);
    return value;
  });
  const row = ws.addRow(values);
  for (const [name, [numFmt]] of Object.entries(formats))
    if (numFmt !== undefined) row.getCell(col(name) + 1).numFmt = numFmt;
}
ws.getColumn(col('Notes') + 1).width = 32;
await wb.xlsx.writeFile(out);
process.stdout.write(`wrote ${out}: ${rows.length} rows\n`);
