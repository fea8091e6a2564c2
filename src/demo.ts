/**
 * `npm run demo`: the main job with no Coupa instance. Starts the built-in simulator, imports every sample in
 * samples/ (CSV or .xlsx + mapping), exports each object back with the same mapping, and prints where the files are
 * (an .xlsx input's results are an .xlsx too, beside the results CSV that --resume reads).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClientOptions } from './coupa/index.js';
import { runExport } from './export/index.js';
import { runImport } from './import/index.js';
import { loadMapping } from './mapping/index.js';
import { startSimulator } from './sim/index.js';

const samples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../samples');

/** Each `<name>.mapping.yaml` goes with the CSV and .xlsx files in samples/ whose names start with `<name>`. */
function findSamplePairs(): Array<{ csv: string; mapping: string }> {
  const files = fs.readdirSync(samples).sort();
  const pairs: Array<{ csv: string; mapping: string }> = [];
  for (const m of files.filter((f) => /\.mapping\.(ya?ml|json)$/.test(f))) {
    const base = m.replace(/\.mapping\.(ya?ml|json)$/, '');
    for (const csv of files.filter(
      (f) => /\.(csv|xlsx)$/.test(f) && f.startsWith(base) && !f.includes('.results.'),
    )) {
      pairs.push({ csv: path.join(samples, csv), mapping: path.join(samples, m) });
    }
  }
  return pairs;
}

async function runDemo(): Promise<number> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'coupa-csv-demo-'));
  const sim = await startSimulator({ config: path.join(samples, 'sim-config.json') });
  const log = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  log(`Simulator (a local stand-in for Coupa) at ${sim.url}`);
  log(`Output folder: ${out}\n`);
  const clientOptions: ClientOptions = {
    instance: sim.url,
    credentials: {
      kind: 'oauth',
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      scopes: sim.scopes,
    },
  };
  let exitCode = 0;
  try {
    for (const { csv, mapping: mappingPath } of findSamplePairs()) {
      const name = path.basename(csv).replace(/\.(csv|xlsx)$/, '');
      const mapping = await loadMapping(mappingPath);
      const summary = await runImport({
        file: csv,
        mapping,
        mode: mapping.key ? 'upsert' : 'create',
        results: path.join(out, `${name}.results.csv`),
        clientOptions,
      });
      if (summary.failed > 0 || summary.stopped) exitCode = 1;
      log(`import  ${path.relative(process.cwd(), csv)} -> object ${summary.object}`);
      const format =
        summary.encoding === 'xlsx'
          ? `Excel workbook, sheet "${summary.sheet ?? ''}"`
          : `${summary.encoding}, "${summary.delimiter === '\t' ? 'tab' : summary.delimiter}", ${summary.lineEnding}`;
      log(
        `        ${summary.rows} rows (${format}): ` +
          `${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged (already in Coupa), ` +
          `${summary.failed} failed in ${(summary.elapsedMs / 1000).toFixed(1)} s`,
      );
      log(`        results: ${summary.resultsXlsx ?? summary.results}`);
      if (summary.resultsXlsx !== undefined)
        log(`                 (written from ${summary.results}, which --resume reads)`);
      const exportFile = path.join(out, `${name}.export.csv`);
      // --excel: the mapping's delimiter, formats, decimal separator and boolean words, a BOM and CRLF.
      const exported = await runExport({ mapping, out: exportFile, client: clientOptions, excel: true });
      log(
        `export  object ${summary.object} -> ${exported.records} records for Excel (--excel): the mapping's columns and formats`,
      );
      log(`        file:    ${exported.out}`);
      if (mapping.key) {
        // The round trip: the export imports again with the same mapping, and upsert finds every record by key.
        const again = await runImport({
          file: exportFile,
          mapping,
          mode: 'upsert',
          results: path.join(out, `${name}.export.results.csv`),
          clientOptions,
        });
        if (again.failed > 0 || again.created > 0 || again.updated > 0 || again.stopped) exitCode = 1;
        log(
          `re-import the export (upsert by ${mapping.key}): ${again.unchanged} unchanged, ${again.updated} updated, ` +
            `${again.created} created, ${again.failed} failed`,
        );
      }
      log('');
    }
  } finally {
    await sim.close();
  }
  return exitCode;
}

process.exitCode = await runDemo();
