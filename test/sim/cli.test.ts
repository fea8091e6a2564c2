import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { CLI_PATH as cli, runCli } from '../helpers/cli.js';

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
});

function firstLines(proc: ChildProcess, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const rl = createInterface({ input: proc.stdout! });
    rl.on('line', (line) => {
      lines.push(line);
      if (lines.length === count) {
        rl.close();
        resolve(lines);
      }
    });
    proc.once('exit', (code) => reject(new Error(`coupa-csv sim exited with ${code}: ${stderr}`)));
  });
}

function exitCode(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) resolve(proc.exitCode);
    else proc.once('exit', (code) => resolve(code));
  });
}

describe('coupa-csv sim', () => {
  it('prints one JSON line with its URL and credentials, serves tokens, and exits 0 on SIGTERM', async () => {
    expect(existsSync(cli), 'the CLI is not built: npm run build').toBe(true);
    child = spawn(process.execPath, [cli, 'sim', '--port', '0', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [line] = await firstLines(child, 1);
    const info = JSON.parse(line!);
    expect(info).toMatchObject({ clientId: 'coupa-csv-sim', clientSecret: 'sim-secret' });
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.scopes).toContain('core.custom_objects.read_write');
    const token = await request(`${info.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${info.clientId}&client_secret=${info.clientSecret}`,
    });
    expect(token.statusCode).toBe(200);
    await token.body.dump();
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('prints the URL and the env lines to export, and applies --error-rate', async () => {
    expect(existsSync(cli), 'the CLI is not built: npm run build').toBe(true);
    child = spawn(process.execPath, [cli, 'sim', '--rate', '0', '--error-rate', '1', '--seed', '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = await firstLines(child, 11);
    const url = /listening on (http:\/\/\S+)/.exec(lines[0]!)?.[1];
    expect(url).toBeDefined();
    expect(lines).toContain(`  export COUPA_INSTANCE=${url}`);
    expect(lines).toContain('  export COUPA_CLIENT_ID=coupa-csv-sim');
    expect(lines).toContain('  export COUPA_CLIENT_SECRET=sim-secret');
    const res = await request(`${url}/api/custom_objects/101/object_instances`);
    await res.body.dump();
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    child.kill('SIGINT');
    expect(await exitCode(child)).toBe(0);
  });

  it('prints its time zone and every object with its fields and types, and applies the variation flags', async () => {
    expect(existsSync(cli), 'the CLI is not built: npm run build').toBe(true);
    child = spawn(
      process.execPath,
      [cli, 'sim', '--timezone', 'Europe/Berlin', '--error-body', 'xml', '--cdata', '--lenient-booleans'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout! });
    await new Promise<void>((resolve) => {
      rl.on('line', (line) => {
        lines.push(line);
        if (line.startsWith('Stats:')) resolve();
      });
    });
    rl.close();
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}time zone: +Europe\/Berlin \(UTC\+0[12]:00 now/),
    );
    expect(lines).toContain('  101 vendor_onboarding (Vendor Onboarding)');
    expect(lines).toContainEqual(expect.stringMatching(/^ +vendor-code +text, required$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ +onboarding-date +date$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ +cost-center +lookup, from cost-centers$/));
    expect(lines).toContain('Coupa variations on: errorBody=xml, cdata, lenientBooleans');
    const url = /listening on (http:\/\/\S+)/.exec(lines[0]!)?.[1];
    const res = await request(`${url}/api/custom_objects/101/object_instances`, {
      headers: { accept: 'application/json' },
    });
    expect(res.statusCode).toBe(401);
    expect(await res.body.text()).toContain('<error><![CDATA[Missing access token]]></error>');
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('--json carries the time zone; a bad --error-body is refused naming the choices', async () => {
    child = spawn(process.execPath, [cli, 'sim', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const info = JSON.parse((await firstLines(child, 1))[0]!) as { timezone: string };
    expect(info.timezone).toBe('America/Los_Angeles');
    child.kill('SIGTERM');
    await exitCode(child);
    const bad = await runCli(['sim', '--error-body', 'html']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/error-body/);
    expect(bad.stderr).toMatch(/empty/);
  });

  it('an apiKey in the --config turns the legacy API key on: an import with COUPA_API_KEY alone goes through', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coupa-csv-simkey-'));
    try {
      const config = JSON.parse(readFileSync('samples/sim-config.json', 'utf8')) as Record<string, unknown>;
      writeFileSync(path.join(dir, 'sim.json'), JSON.stringify({ ...config, apiKey: 'legacy-key-123' }));
      child = spawn(
        process.execPath,
        [cli, 'sim', '--port', '0', '--json', '--config', path.join(dir, 'sim.json')],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      const info = JSON.parse((await firstLines(child, 1))[0]!) as { url: string };
      writeFileSync(path.join(dir, 'in.csv'), 'Code,Name\nK-1,Keyed\n');
      writeFileSync(
        path.join(dir, 'm.yaml'),
        'object: 101\nfields:\n  Code: vendor-code\n  Name: vendor-name\n',
      );
      const args = ['import', path.join(dir, 'in.csv'), '--mapping', path.join(dir, 'm.yaml'), '--json'];
      const env = { COUPA_INSTANCE: info.url, COUPA_API_KEY: 'legacy-key-123' };
      const ok = await runCli(args, { env });
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ created: 1 });
      const wrong = await runCli([...args, '--again'], { env: { ...env, COUPA_API_KEY: 'other-key' } });
      expect(wrong.code).toBe(3);
      expect(wrong.stderr).toContain('COUPA_API_KEY');
      expect(wrong.stderr).not.toContain('other-key');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quotes the export lines, so that a configured secret with spaces or ; pastes as itself', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coupa-csv-simquote-'));
    try {
      const config = JSON.parse(readFileSync('samples/sim-config.json', 'utf8')) as Record<string, unknown>;
      const secret = "my secret;echo INJECTED 'x'";
      const client = { ...(config.client as Record<string, unknown>), secret };
      writeFileSync(path.join(dir, 'sim.json'), JSON.stringify({ ...config, client }));
      child = spawn(process.execPath, [cli, 'sim', '--port', '0', '--config', path.join(dir, 'sim.json')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines = await firstLines(child, 11);
      const exportLine = lines.find((l) => l.includes('export COUPA_CLIENT_SECRET='));
      expect(exportLine).toBeDefined();
      const pasted = execFileSync('sh', ['-c', `${exportLine!.trim()}; printf '%s' "$COUPA_CLIENT_SECRET"`], {
        encoding: 'utf8',
      });
      expect(pasted).toBe(secret);
      child.kill('SIGTERM');
      await exitCode(child);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with a message naming the file for a bad --config', async () => {
    expect(existsSync(cli), 'the CLI is not built: npm run build').toBe(true);
    child = spawn(
      process.execPath,
      [cli, 'sim', '--config', path.join(path.dirname(cli), 'no-such-config.json')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await exitCode(child)).toBe(2);
    expect(stderr).toContain('no-such-config.json');
  });

  it('exits 2 with one line for a port in use and for flag values out of range, naming the flag', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      for (const [args, message] of [
        [['--port', String(port)], `cannot listen on 127.0.0.1:${port}: the port is in use`],
        [['--latency', '-5'], '--latency must be a number >= 0'],
        [['--error-rate', '2'], '--error-rate must be a number from 0 to 1'],
      ] as const) {
        const r = await runCli(['sim', ...args]);
        expect(r.stderr).toContain(message);
        expect(r.stderr).not.toContain('unexpected error');
        expect(r.code).toBe(2);
      }
    } finally {
      busy.close();
    }
  });
});
