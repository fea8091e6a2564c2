// npm run bench: starts simulators itself, runs each scenario of issue #6 as separate processes, and prints
// figures with the ratio to the scenario's limit or to a baseline measured in this same run.
// Absolute numbers vary between machines; the ratios are what the goals are about.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The package's bin, as users run it (the bundle npm run build writes).
const cli = join(root, JSON.parse(await readFile(join(root, 'package.json'), 'utf8')).bin['coupa-csv']);
const only = process.argv.slice(2);
const quick = process.env.BENCH_QUICK === '1';
const scale = (n) => (quick ? Math.max(50, Math.round(n / 10)) : n);
const work = await mkdtemp(join(tmpdir(), 'coupa-csv-bench-'));
const results = [];

// The simulator's zone (its default): with none set, the import stops rather than store dates shifted.
const MAPPING = `object: 101
timezone: America/Los_Angeles
key: vendor-code
fields:
  Vendor Code: vendor-code
  Vendor Name: { field: vendor-name, required: true }
  Tax ID: tax-id
  Onboarding Date: { field: onboarding-date, type: date }
  Approved At: { field: approved-at, type: datetime }
  Credit Limit: { field: credit-limit, type: decimal }
  Payment Terms: { field: payment-terms, type: integer }
  Active: { field: active, type: boolean }
  Owner: { field: owner, type: user, by: login }
  Supplier: { field: supplier, type: supplier, by: number }
  Notes: notes
`;
const HEADER =
  'Vendor Code,Vendor Name,Tax ID,Onboarding Date,Approved At,Credit Limit,Payment Terms,Active,Owner,Supplier,Notes,Region';
const USERS = ['jdoe', 'asmith', 'mchen', 'lgarcia', 'pnovak'];

async function writeRows(file, n, prefix) {
  const out = createWriteStream(file);
  out.write(HEADER + '\n');
  for (let i = 1; i <= n; i++) {
    const line = `${prefix}-${i},"Vendor ${i}, Inc.",TX-${i % 997},2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')},2026-05-01T10:15:30,${(i * 7.31).toFixed(2)},${(i % 4) * 15 + 15},${i % 2 ? 'yes' : 'no'},${USERS[i % 5]},S-100${(i % 4) + 1},"Note ${i}",EMEA\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function startSim(opts) {
  const child = spawn(process.execPath, [join(root, 'bench', 'sim-child.mjs'), JSON.stringify(opts)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  const info = JSON.parse(line);
  return {
    ...info,
    env: { COUPA_INSTANCE: info.url, COUPA_CLIENT_ID: info.clientId, COUPA_CLIENT_SECRET: info.clientSecret },
    async stats() {
      child.send('stats');
      const [msg] = await once(child, 'message');
      return msg;
    },
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Runs a node script as a child; returns wall time, exit code, stdout, and its own peak RSS. */
async function runNode(args, env = {}) {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', join(root, 'bench', 'rss-reporter.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, ...env },
  });
  let stdout = '';
  let stderr = '';
  let rss = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdio[3].on('data', (d) => (rss += d));
  const [code] = await once(child, 'exit');
  const ms = performance.now() - started;
  const report = rss ? JSON.parse(rss) : {};
  const maxRssKiB = report.maxRssKiB ?? NaN;
  // The child's own peak where the system tells it (Linux), else maxRSS (which may be the bench's own, see
  // rss-reporter.mjs).
  const ownRssKiB = report.hwmKiB ?? maxRssKiB;
  if (code !== 0 && code !== 1) throw new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  return { code, ms, stdout, stderr, maxRssMB: maxRssKiB / 1024, ownRssMB: ownRssKiB / 1024 };
}

function record(name, measured, goal, ratio, pass, note = '') {
  results.push({ name, measured, goal, ratio, pass, note });
  console.log(
    `${pass ? 'PASS' : 'MISS'}  ${name}: ${measured}  (goal ${goal}; ratio ${ratio})${note ? `  ${note}` : ''}`,
  );
}

const want = (id) => only.length === 0 || only.includes(String(id));
const mappingFile = join(work, 'bench.mapping.yaml');
await writeFile(mappingFile, MAPPING);

async function importRun(sim, file, flags, mapping = mappingFile) {
  // --again: the same file is imported several times (fresh simulators) into the same results file.
  const res = await runNode([cli, 'import', file, '--mapping', mapping, '--json', '--again', ...flags], {
    ...sim.env,
    COUPA_TIMEZONE: 'America/Los_Angeles',
  });
  return { ...res, summary: JSON.parse(res.stdout) };
}

let latencyBoundRate = NaN;
if (want(1)) {
  const n = scale(1000);
  const sim = await startSim({ rate: 25, burst: 20, latencyMs: 100 });
  const file = join(work, 's1.csv');
  await writeRows(file, n, 'S1');
  const r = await importRun(sim, file, ['--rate', '25', '--concurrency', '8']);
  const stats = await sim.stats();
  await sim.stop();
  const rps = r.summary.rows / (r.ms / 1000);
  const pct429 = (100 * (stats.throttled ?? 0)) / Math.max(1, stats.requests);
  record(
    '1 import at the cap (sim 25/s, queue 20, 100 ms; --rate 25)',
    `${rps.toFixed(1)} rows/s, ${pct429.toFixed(2)}% 429 (${stats.throttled}/${stats.requests})`,
    'rows/s / 25 >= 0.95, 429 <= 1%',
    (rps / 25).toFixed(3),
    rps / 25 >= 0.95 && pct429 <= 1,
    `wall ${(r.ms / 1000).toFixed(1)} s incl. start-up, token and preflight`,
  );
}

if (want(2) || want(3)) {
  const n = scale(3000);
  const file = join(work, 's2.csv');
  await writeRows(file, n, 'S2');
  // Best of three runs, each against a fresh simulator (the machine's noise is larger than the effect measured),
  // interleaved with a bare undici loop at the same concurrency: what this machine and simulator allow at all.
  latencyBoundRate = 0;
  let bareRate = 0;
  for (let k = 0; k < 3; k++) {
    const fresh = await startSim({ rate: 0, latencyMs: 50 });
    const r = await importRun(fresh, file, ['--rate', '100000', '--concurrency', '16']);
    await fresh.stop();
    latencyBoundRate = Math.max(latencyBoundRate, r.summary.rows / (r.ms / 1000));
    const simBare = await startSim({ rate: 0, latencyMs: 50 });
    const b = await runNode([
      join(root, 'bench', 'bare-undici.mjs'),
      JSON.stringify({ ...simBare, rows: n, concurrency: 16 }),
    ]);
    await simBare.stop();
    const bareRun = JSON.parse(b.stdout);
    if (bareRun.failed > 0) throw new Error(`the bare undici baseline had ${bareRun.failed} failed requests`);
    bareRate = Math.max(bareRate, n / (b.ms / 1000));
  }
  const sim = await startSim({ rate: 0, latencyMs: 50 });
  record(
    '2 latency-bound import (no cap, 50 ms, --concurrency 16)',
    `${latencyBoundRate.toFixed(1)} rows/s (bare undici loop: ${bareRate.toFixed(1)} rows/s = ${(bareRate / 320).toFixed(3)})`,
    '>= 0.9 x 16 / 0.05 s = 288 rows/s',
    (latencyBoundRate / 320).toFixed(3),
    latencyBoundRate >= 288,
    `whole process, best of 3; tool / bare loop ${(latencyBoundRate / bareRate).toFixed(3)}`,
  );
  if (want(3)) {
    const seqRows = scale(300);
    const b = await runNode([
      join(root, 'bench', 'bare-undici.mjs'),
      JSON.stringify({ ...sim, rows: seqRows, concurrency: 1 }),
    ]);
    const seq = JSON.parse(b.stdout);
    if (seq.failed > 0) throw new Error(`the sequential baseline had ${seq.failed} failed requests`);
    const seqRate = seq.rows / (b.ms / 1000);
    record(
      '3 against a sequential loader (one request at a time, same simulator)',
      `tool ${latencyBoundRate.toFixed(1)} rows/s vs sequential ${seqRate.toFixed(1)} rows/s`,
      'print the speedup',
      `${(latencyBoundRate / seqRate).toFixed(1)}x`,
      true,
    );
  }
  await sim.stop();
}

if (want(4)) {
  const n = scale(20000);
  const conc = 8;
  const file = join(work, 's4.csv');
  await writeRows(file, n, 'S4');
  // Best of two interleaved runs each, every run against a fresh simulator: this machine's noise is larger than
  // the effect measured.
  let tool = 0;
  let bare = 0;
  for (let k = 0; k < 2; k++) {
    const simTool = await startSim({ rate: 0, latencyMs: 0 });
    const r = await importRun(simTool, file, ['--rate', '100000', '--concurrency', String(conc)]);
    await simTool.stop();
    tool = Math.max(tool, r.summary.rows / (r.ms / 1000));
    const simBare = await startSim({ rate: 0, latencyMs: 0 });
    const b = await runNode([
      join(root, 'bench', 'bare-undici.mjs'),
      JSON.stringify({ ...simBare, rows: n, concurrency: conc }),
    ]);
    await simBare.stop();
    const bareRun = JSON.parse(b.stdout);
    if (bareRun.failed > 0) throw new Error(`the bare undici baseline had ${bareRun.failed} failed requests`);
    bare = Math.max(bare, n / (b.ms / 1000));
  }
  record(
    `4 client overhead (no cap, no latency, ${n} rows, concurrency ${conc})`,
    `tool ${tool.toFixed(0)} rows/s vs bare undici ${bare.toFixed(0)} rows/s`,
    'ratio >= 0.5',
    (tool / bare).toFixed(3),
    tool / bare >= 0.5,
    'both wall-clock, whole process, best of 2 interleaved',
  );
}

if (want(5)) {
  const big = scale(1_000_000);
  const small = Math.round(big / 10);
  const fileBig = join(work, 's5-big.csv');
  const fileSmall = join(work, 's5-small.csv');
  await writeRows(fileBig, big, 'S5');
  await writeRows(fileSmall, small, 'S5');
  // Best of three interleaved runs each (this machine's noise is larger than the effect measured). Peak RSS is
  // the highest of three runs at each size: like with like (the garbage collector's timing moves a single
  // run's peak by several MB either way).
  let tool = 0;
  let bare = 0;
  let peakBig = 0;
  let peakSmall = 0;
  let summary = {};
  for (let k = 0; k < 3; k++) {
    const v = await runNode(
      [
        cli,
        'validate',
        fileBig,
        '--mapping',
        mappingFile,
        '--json',
        '--results',
        join(work, `s5-${k}.results.csv`),
      ],
      { COUPA_TIMEZONE: 'America/Los_Angeles' },
    );
    await rm(join(work, `s5-${k}.results.csv`), { force: true });
    summary = JSON.parse(v.stdout);
    tool = Math.max(tool, summary.rows / (v.ms / 1000));
    peakBig = Math.max(peakBig, v.maxRssMB);
    const p = await runNode([join(root, 'bench', 'bare-parse.mjs'), fileBig]);
    bare = Math.max(bare, JSON.parse(p.stdout).rows / (p.ms / 1000));
    const vs = await runNode([cli, 'validate', fileSmall, '--mapping', mappingFile, '--json'], {
      COUPA_TIMEZONE: 'America/Los_Angeles',
    });
    peakSmall = Math.max(peakSmall, vs.maxRssMB);
  }
  record(
    `5a validate ${big} rows x 12 columns vs bare csv-parse`,
    `tool ${tool.toFixed(0)} rows/s vs csv-parse ${bare.toFixed(0)} rows/s`,
    'ratio >= 0.5',
    (tool / bare).toFixed(3),
    tool / bare >= 0.5,
    `${summary.invalid ?? 0} invalid rows; best of 3 interleaved`,
  );
  record(
    '5b validate peak RSS',
    `${peakBig.toFixed(0)} MB at ${big} rows, ${peakSmall.toFixed(0)} MB at ${small} rows`,
    '<= 150 MB and <= 1.2x the small file',
    (peakBig / peakSmall).toFixed(3),
    peakBig <= 150 && peakBig / peakSmall <= 1.2,
    'highest of 3 runs at each size',
  );
}

if (want(6)) {
  const n = scale(20000);
  // Peak RSS flat: the same export of a tenth of the records first, for comparison.
  const exportRun = async (records, out) => {
    const sim = await startSim({ rate: 25, burst: 20, latencyMs: 100, preload: records });
    const r = await runNode(
      [cli, 'export', '--object', '101', '--out', out, '--rate', '25', '--concurrency', '8', '--json'],
      sim.env,
    );
    const stats = await sim.stats();
    await sim.stop();
    const lines = (await readFile(out, 'utf8')).split('\n').filter(Boolean).length - 1;
    return { r, stats, lines, summary: JSON.parse(r.stdout) };
  };
  const small = await exportRun(Math.round(n / 10), join(work, 's6-small.csv'));
  const { r, stats, lines, summary } = await exportRun(n, join(work, 's6.csv'));
  const rps = summary.records / (r.ms / 1000);
  const growth = r.maxRssMB / small.r.maxRssMB;
  record(
    `6 export ${n} records (sim 25/s, 100 ms)`,
    `${rps.toFixed(0)} records/s, ${lines} lines, ${stats.throttled} x 429; peak RSS ${r.maxRssMB.toFixed(0)} MB (${small.lines} records: ${small.r.maxRssMB.toFixed(0)} MB, ${growth.toFixed(2)}x)`,
    'records/s / 1,250 >= 0.9; peak RSS flat (<= 1.2x a tenth of the records)',
    (rps / 1250).toFixed(3),
    rps / 1250 >= 0.9 && lines === n && small.lines === Math.round(n / 10) && growth <= 1.2,
    'wall clock incl. start-up',
  );
}

if (want(7)) {
  // Issue #18: an .xlsx input of n rows, read through the tool's streaming source (bench/read-xlsx.mjs), against the
  // same rows as CSV through bare csv-parse; peak RSS compared with a sheet of a tenth of the rows.
  const { default: ExcelJS } = await import('exceljs');
  const n = scale(200_000);
  const small = Math.round(n / 10);
  const writeSheet = async (file, rows) => {
    // As Excel writes it: shared strings (after the sheet in the zip), typed numbers, dates and booleans.
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: file,
      useSharedStrings: true,
      useStyles: true,
    });
    const ws = wb.addWorksheet('Vendors');
    ws.addRow(HEADER.split(',')).commit();
    for (let i = 1; i <= rows; i++) {
      const row = ws.addRow([
        `S7-${i}`,
        `Vendor ${i}, Inc.`,
        `TX-${i % 997}`,
        new Date(Date.UTC(2026, i % 12, (i % 28) + 1)),
        new Date(Date.UTC(2026, 4, 1, 10, 15, 30)),
        Math.round(i * 731) / 100,
        (i % 4) * 15 + 15,
        i % 2 === 1,
        USERS[i % 5],
        `S-100${(i % 4) + 1}`,
        `Note ${i}`,
        'EMEA',
      ]);
      row.getCell(4).numFmt = 'yyyy-mm-dd';
      row.getCell(5).numFmt = 'yyyy-mm-dd hh:mm:ss';
      row.getCell(6).numFmt = '0.00';
      row.commit();
      if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    ws.commit();
    await wb.commit();
  };
  const fileBig = join(work, 's7-big.xlsx');
  const fileSmall = join(work, 's7-small.xlsx');
  const csvBig = join(work, 's7-big.csv');
  await writeSheet(fileBig, n);
  await writeSheet(fileSmall, small);
  await writeRows(csvBig, n, 'S7');
  // Best of two interleaved runs for the rates, highest of two for each peak RSS.
  let xlsxRate = 0;
  let csvRate = 0;
  let peakBig = 0;
  let peakSmall = 0;
  let csvPeak = 0;
  let read = {};
  // 7c: validate through the CLI (the import's own reading, mapping and conversion, and the results written as CSV
  // and rebuilt as a workbook), on both sheets.
  let validateRate = 0;
  let validatePeakBig = 0;
  let validatePeakSmall = 0;
  const validate = async (file) => {
    const v = await runNode([cli, 'validate', file, '--mapping', mappingFile, '--json']);
    const summary = JSON.parse(v.stdout);
    if (summary.invalid !== 0) throw new Error(`validate found ${summary.invalid} invalid rows in ${file}`);
    return { ...v, summary };
  };
  for (let k = 0; k < 2; k++) {
    const vb = await validate(fileBig);
    validateRate = Math.max(validateRate, vb.summary.rows / (vb.ms / 1000));
    validatePeakBig = Math.max(validatePeakBig, vb.ownRssMB);
    validatePeakSmall = Math.max(validatePeakSmall, (await validate(fileSmall)).ownRssMB);
    const x = await runNode([join(root, 'bench', 'read-xlsx.mjs'), fileBig]);
    read = JSON.parse(x.stdout);
    if (read.rows !== n + 1) throw new Error(`read ${read.rows} rows of the sheet, expected ${n + 1}`);
    xlsxRate = Math.max(xlsxRate, read.rows / (x.ms / 1000));
    peakBig = Math.max(peakBig, x.ownRssMB);
    const c = await runNode([join(root, 'bench', 'bare-parse.mjs'), csvBig]);
    csvRate = Math.max(csvRate, JSON.parse(c.stdout).rows / (c.ms / 1000));
    csvPeak = Math.max(csvPeak, c.ownRssMB);
    const s = await runNode([join(root, 'bench', 'read-xlsx.mjs'), fileSmall]);
    peakSmall = Math.max(peakSmall, s.ownRssMB);
  }
  record(
    `7a read a ${n}-row .xlsx sheet (12 columns, typed) vs the same rows as CSV through csv-parse`,
    `xlsx ${xlsxRate.toFixed(0)} rows/s vs csv-parse ${csvRate.toFixed(0)} rows/s`,
    'print the ratio',
    (xlsxRate / csvRate).toFixed(3),
    true,
    `${read.typed} typed cells; whole process incl. start-up; best of 2 interleaved`,
  );
  // The shared-string table a reader must keep readable (any cell may name any string): the distinct texts in UTF-8
  // plus a 4-byte offset each. Flat means the larger sheet adds no more than the table's growth, plus 10% of the small
  // sheet's peak for the collector's timing. (The tool's table, csv/xlsx-strings.ts, keeps at most 2 MiB of it in
  // memory and the rest in a temporary file; the allowance is left as it was set.)
  const tableMB = (rows) => {
    const strings = new Set([...HEADER.split(','), ...USERS, 'EMEA']);
    for (let i = 0; i < 997; i++) strings.add(`TX-${i}`);
    for (let i = 1; i <= 4; i++) strings.add(`S-100${i}`);
    let bytes = 0;
    for (const text of strings) bytes += Buffer.byteLength(text) + 4;
    for (let i = 1; i <= rows; i++) bytes += Buffer.byteLength(`S7-${i}Vendor ${i}, Inc.Note ${i}`) + 3 * 4;
    return bytes / 1024 / 1024;
  };
  const allowed = tableMB(n) - tableMB(small) + 0.1 * peakSmall;
  record(
    '7b .xlsx read peak RSS',
    `${peakBig.toFixed(0)} MB at ${n} rows, ${peakSmall.toFixed(0)} MB at ${small} rows (csv-parse: ${csvPeak.toFixed(0)} MB); shared strings ${tableMB(n).toFixed(1)} MB`,
    '<= 150 MB (as 5b); flat: the larger sheet adds at most its shared strings + 10%',
    ((peakBig - peakSmall) / allowed).toFixed(3),
    peakBig <= 150 && peakBig - peakSmall <= allowed,
    // The reader's own peak (VmHWM): maxRSS would report the bench process's peak for a child smaller than it.
    "highest of 2 runs at each size, the reader process's own peak (VmHWM); 3 distinct strings a row, all shared",
  );
  record(
    `7c validate a ${n}-row .xlsx sheet through the CLI`,
    `${validateRate.toFixed(0)} rows/s; peak RSS ${validatePeakBig.toFixed(0)} MB (${small} rows: ${validatePeakSmall.toFixed(0)} MB)`,
    '<= 150 MB; flat as 7b',
    (validatePeakBig / 150).toFixed(3),
    validatePeakBig <= 150 && validatePeakBig - validatePeakSmall <= allowed,
    'whole process incl. start-up, the results CSV and the results workbook; best / highest of 2',
  );
}

if (want(8)) {
  // Issue #17: reloads at 50 rows per request. Each scenario against a fresh simulator at the instance's cap (25/s,
  // queue 20, 100 ms), seeded with the records an import of the same rows stores (sim-child.mjs: seedRows).
  const big = scale(10_000);
  const small = scale(1_000);
  const changeEvery = async (src, dst, every) => {
    const text = await readFile(src, 'utf8');
    const lines = text
      .split('\n')
      .map((line, k) =>
        k > 0 && line !== '' && k % every === 0
          ? line.replace(/"Vendor (\d+), Inc\."/, '"Vendor $1, Ltd."')
          : line,
      );
    await writeFile(dst, lines.join('\n'));
  };
  const atCap = async (seedRows, file, flags, mapping) => {
    const sim = await startSim({ rate: 25, burst: 20, latencyMs: 100, seedRows, seedPrefix: 'R' });
    const r = await importRun(sim, file, ['--rate', '25', '--concurrency', '8', ...flags], mapping);
    const stats = await sim.stats();
    await sim.stop();
    return { ...r, stats, rps: r.summary.rows / (r.ms / 1000) };
  };
  const statuses = async (file) => {
    const counts = {};
    for (const line of (await readFile(file, 'utf8')).split('\n').slice(1)) {
      const status = line.split(',')[1];
      if (status) counts[status] = (counts[status] ?? 0) + 1;
    }
    return counts;
  };
  const base = join(work, 's8-base.csv');
  await writeRows(base, big, 'R');
  const onePct = join(work, 's8-1pct.csv');
  await changeEvery(base, onePct, 100);
  const baseSmall = join(work, 's8-small.csv');
  await writeRows(baseSmall, small, 'R');
  const allChanged = join(work, 's8-all.csv');
  await changeEvery(baseSmall, allChanged, 1);
  const fresh = join(work, 's8-create.csv');
  await writeRows(fresh, small, 'K');
  const peaks = [];
  // The baseline, in this same run: a create of the same rows without a key (one request a row, no lookups), so
  // that 8b and 8d also read against what this machine reaches at the cap right now.
  const noKeyMapping = join(work, 'bench-nokey.mapping.yaml');
  await writeFile(noKeyMapping, MAPPING.replace('key: vendor-code\n', ''));
  const base0 = await atCap(0, fresh, ['--results', join(work, 's8-0.results.csv')], noKeyMapping);
  record(
    `8 baseline: create ${small} rows without a key (sim 25/s, 100 ms)`,
    `${base0.rps.toFixed(1)} rows/s, ${base0.stats.requests} requests`,
    'the machine right now (scenario 1 without a key)',
    (base0.rps / 25).toFixed(3),
    true,
  );

  const a = await atCap(big, onePct, ['--mode', 'upsert', '--results', join(work, 's8a.results.csv')]);
  const aStatus = await statuses(join(work, 's8a.results.csv'));
  const changed = Math.floor(big / 100);
  peaks.push(a.maxRssMB);
  record(
    `8a reload of ${big} rows, 1% changed (sim 25/s, 100 ms; --mode upsert)`,
    `${a.rps.toFixed(0)} rows/s; ${a.summary.unchanged} unchanged, ${a.summary.updated} updated, ${a.stats.requests} requests; peak RSS ${a.maxRssMB.toFixed(0)} MB`,
    '>= 500 rows/s (20x one request a row); every unchanged row unchanged, every changed row updated',
    (a.rps / 500).toFixed(3),
    a.rps >= 500 && aStatus.unchanged === big - changed && aStatus.updated === changed,
    'wall clock incl. start-up, token and preflight',
  );

  const b = await atCap(small, allChanged, ['--mode', 'upsert', '--results', join(work, 's8b.results.csv')]);
  peaks.push(b.maxRssMB);
  record(
    `8b reload of ${small} rows, every row changed (sim 25/s, 100 ms)`,
    `${b.rps.toFixed(1)} rows/s; ${b.summary.updated} updated, ${b.stats.requests} requests`,
    'rows/s / 25 >= 0.9',
    (b.rps / 25).toFixed(3),
    b.rps / 25 >= 0.9 && b.summary.updated === small,
    `one lookup per 49 rows; vs the baseline ${(b.rps / base0.rps).toFixed(3)}`,
  );

  const c = await atCap(big, onePct, [
    '--mode',
    'upsert',
    '--plan',
    '--results',
    join(work, 's8c.results.csv'),
  ]);
  const writes = (c.stats.byMethod?.PUT ?? 0) + (c.stats.byMethod?.POST ?? 0) - (c.stats.tokensIssued ?? 0);
  peaks.push(c.maxRssMB);
  record(
    `8c --plan of ${big} rows (sim 25/s, 100 ms)`,
    `${c.rps.toFixed(0)} rows/s; ${c.summary.wouldUpdate} would-update, ${c.summary.unchanged} unchanged, ${writes} writes, ${c.stats.requests} requests`,
    '>= 1,000 rows/s, nothing written',
    (c.rps / 1000).toFixed(3),
    c.rps >= 1000 && writes === 0 && c.summary.wouldUpdate === changed,
  );

  // One unrelated record (R-1) in the object: into an empty object a create skips the key check (nothing to find).
  const d = await atCap(1, fresh, ['--results', join(work, 's8d.results.csv')]);
  peaks.push(d.maxRssMB);
  record(
    `8d create ${small} rows with a key, object not empty (sim 25/s, 100 ms)`,
    `${d.rps.toFixed(1)} rows/s; ${d.summary.created} created, ${d.stats.requests} requests`,
    'rows/s / 25 >= 0.93',
    (d.rps / 25).toFixed(3),
    d.rps / 25 >= 0.93 && d.summary.created === small,
    `the key check costs one request per 49 rows; vs the baseline ${(d.rps / base0.rps).toFixed(3)}`,
  );
  const peak = Math.max(...peaks);
  record(
    '8e reload scenarios peak RSS',
    `${peaks.map((p) => p.toFixed(0)).join(' / ')} MB (8a / 8b / 8c / 8d)`,
    '<= 150 MB each',
    (peak / 150).toFixed(3),
    peak <= 150,
  );
}

await rm(work, { recursive: true, force: true });
console.log('\n| scenario | measured | goal | ratio | |\n|---|---|---|---|---|');
for (const r of results)
  console.log(`| ${r.name} | ${r.measured} | ${r.goal} | ${r.ratio} | ${r.pass ? 'pass' : 'MISS'} |`);
