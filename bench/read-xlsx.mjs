// Reads every row of an .xlsx sheet through the tool's streaming source (dist/csv/xlsx-source.js, built by
// npm run build), counting rows and typed cells: what an import would read before mapping.
import { openXlsx } from '../dist/csv/xlsx-source.js';

const started = performance.now();
const source = await openXlsx(process.argv[2]);
let rows = 0;
let typed = 0;
for await (const row of source.rows()) {
  rows++;
  for (const t of row.typed) if (t !== undefined) typed++;
}
process.stdout.write(JSON.stringify({ rows, typed, ms: performance.now() - started }) + '\n');
