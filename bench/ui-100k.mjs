// A 100,000-row file through the page's server, as the page drives it: upload, validate, import, follow the
// progress over Server-Sent Events, read the failed rows, download the results. Measures the ui server's memory
// (its own process: RSS sampled every 250 ms from /proc, and its peak) and how live the progress stays (the gaps
// between status updates the page would show). A measurement, not a test: it prints figures, asserts nothing
// about time. Needs `npm run build` first.
//   node bench/ui-100k.mjs [rows] [--keep]      (default 100000 rows; the simulator has no rate limit)
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROWS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const work = mkdtempSync(join(tmpdir(), 'coupa-csv-ui-100k-'));

function readLine(stream) {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      const nl = text.indexOf('\n');
      if (nl >= 0) {
        stream.off('data', onData);
        resolve(text.slice(0, nl));
      }
    };
    stream.setEncoding('utf8');
    stream.on('data', onData);
    stream.once('error', reject);
  });
}

/** RSS of a process in MiB, from /proc (Linux). */
function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function writeInput(file) {
  const out = createWriteStream(file);
  out.write(
    'Vendor Code,Vendor Name,Tax ID,Onboarding Date,Approved At,Credit Limit,Payment Terms (days),Active,Owner Login,Supplier Number,Notes\n',
  );
  for (let i = 1; i <= ROWS; i++) {
    // One row in 1,000 has a bad amount: the failed rows are read back through the page's grid.
    const amount = i % 1000 === 0 ? 'abc' : `${(i * 7.31).toFixed(2)}`;
    const line = `B-${String(i).padStart(7, '0')},Bench vendor ${i},TX${i},2026-02-${String((i % 28) + 1).padStart(2, '0')},,${amount},30,${i % 2 ? 'yes' : 'no'},jdoe,S-1001,row ${i}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const mapping = {
  object: 101,
  timezone: 'America/Los_Angeles',
  key: 'vendor-code',
  fields: {
    'Vendor Code': { field: 'vendor-code', required: true },
    'Vendor Name': { field: 'vendor-name', required: true },
    'Tax ID': { field: 'tax-id' },
    'Onboarding Date': { field: 'onboarding-date', type: 'date' },
    'Approved At': { field: 'approved-at', type: 'datetime' },
    'Credit Limit': { field: 'credit-limit', type: 'decimal' },
    'Payment Terms (days)': { field: 'payment-terms', type: 'integer' },
    Active: { field: 'active', type: 'boolean' },
    'Owner Login': { field: 'owner', type: 'user', by: 'login' },
    'Supplier Number': { field: 'supplier', type: 'supplier', by: 'number' },
    Notes: { field: 'notes' },
  },
};

const sim = spawn(process.execPath, [join(root, 'bench', 'sim-child.mjs'), JSON.stringify({ rate: 0 })], {
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
});
const simInfo = JSON.parse(await readLine(sim.stdout));
const ui = spawn(
  process.execPath,
  [join(root, 'dist', 'coupa-csv.js'), 'ui', '--no-open', '--rate', '100000', '--concurrency', '16'],
  {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      COUPA_INSTANCE: simInfo.url,
      COUPA_CLIENT_ID: simInfo.clientId,
      COUPA_CLIENT_SECRET: simInfo.clientSecret,
      XDG_CONFIG_HOME: join(work, 'config'),
    },
  },
);
ui.stderr.resume();
const pageUrl = new URL((await readLine(ui.stdout)).trim());
const origin = pageUrl.origin;
const samples = [];
let phase = 'idle';
const sampler = setInterval(() => {
  const mib = rssMiB(ui.pid);
  if (mib !== undefined) samples.push({ t: Date.now(), phase, mib });
}, 250);

try {
  const input = join(work, 'bench-100k.csv');
  await writeInput(input);
  const open = await fetch(pageUrl, { redirect: 'manual' });
  const cookie = (open.headers.get('set-cookie') ?? '').split(';')[0];
  const headers = { cookie, origin, 'content-type': 'application/json' };
  const call = async (path, body) => {
    const res = await fetch(`${origin}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const idle = rssMiB(ui.pid);

  phase = 'upload';
  let t0 = Date.now();
  const up = await fetch(`${origin}/api/uploads`, {
    method: 'POST',
    headers: { cookie, origin, 'x-file-name': 'bench-100k.csv', 'content-type': 'application/octet-stream' },
    body: readFileSync(input),
  });
  const upload = await up.json();
  const uploadMs = Date.now() - t0;

  /** Follows a run's events; returns its final state and the gaps between updates while it ran. */
  const follow = async (id) => {
    const res = await fetch(`${origin}/api/imports/${id}/events`, { headers: { cookie } });
    const decoder = new TextDecoder();
    let buffer = '';
    let last;
    const times = [];
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = message
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        if (data === '') continue;
        last = JSON.parse(data);
        times.push(Date.now());
      }
    }
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? t));
    return {
      last,
      updates: times.length,
      maxGapMs: Math.max(0, ...gaps),
      medianGapMs: gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 0,
    };
  };

  const run = async (name, dryRun) => {
    phase = name;
    const started = Date.now();
    const job = await call('/api/imports', { upload: upload.id, mapping, mode: 'create', dryRun });
    const followed = await follow(job.id);
    const ms = Date.now() - started;
    const rows = await call(`/api/imports/${job.id}/rows?only=problems&limit=500`);
    const results = await fetch(`${origin}/api/imports/${job.id}/results`, { headers: { cookie } });
    let bytes = 0;
    for await (const c of results.body) bytes += c.length;
    return { ms, ...followed, problems: rows.matching, resultsBytes: bytes };
  };

  const validate = await run('validate', true);
  const imported = await run('import', false);
  phase = 'after';
  await new Promise((r) => setTimeout(r, 1000));
  clearInterval(sampler);

  const stats = (p) => {
    const xs = samples.filter((s) => s.phase === p).map((s) => s.mib);
    return xs.length === 0
      ? undefined
      : { min: Math.min(...xs).toFixed(0), max: Math.max(...xs).toFixed(0), n: xs.length };
  };
  // Flat memory: RSS in the second half of the import against the first half.
  const imp = samples.filter((s) => s.phase === 'import');
  const half = (a) => (a.length === 0 ? 0 : Math.max(...a.map((s) => s.mib)));
  const firstHalf = half(imp.slice(0, Math.floor(imp.length / 2)));
  const secondHalf = half(imp.slice(Math.floor(imp.length / 2)));
  const p = imported.last.progress;
  const report = {
    rows: ROWS,
    fileMiB: (statSync(input).size / 1024 / 1024).toFixed(1),
    uploadMs,
    upload: { rows: upload.rows },
    validate: {
      seconds: (validate.ms / 1000).toFixed(1),
      invalid: validate.last.progress.invalid,
      updates: validate.updates,
      maxGapMs: validate.maxGapMs,
    },
    import: {
      seconds: (imported.ms / 1000).toFixed(1),
      rowsPerSecond: Math.round(ROWS / (imported.ms / 1000)),
      created: p.created,
      failed: p.failed,
      statusUpdates: imported.updates,
      medianGapMs: imported.medianGapMs,
      maxGapMs: imported.maxGapMs,
      problemRowsListed: imported.problems,
      resultsMiB: (imported.resultsBytes / 1024 / 1024).toFixed(1),
    },
    uiServerRssMiB: {
      idle: idle?.toFixed(0),
      upload: stats('upload'),
      validate: stats('validate'),
      import: stats('import'),
      importFirstHalfMax: firstHalf.toFixed(0),
      importSecondHalfMax: secondHalf.toFixed(0),
      after: stats('after'),
    },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  clearInterval(sampler);
  ui.kill('SIGINT');
  await once(ui, 'exit').catch(() => undefined);
  sim.kill('SIGTERM');
  if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
}
