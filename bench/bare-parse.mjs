// Baseline: bare csv-parse over a file, counting records. No decoding detection, mapping or results file.
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

const started = performance.now();
let rows = 0;
for await (const _record of createReadStream(process.argv[2]).pipe(parse({ from_line: 2 }))) rows++;
process.stdout.write(JSON.stringify({ rows, ms: performance.now() - started }) + '\n');
