import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The built CLI exactly as users run it: the package's `bin` (the bundle `npm run build` writes; `npm test` builds
 * first).
 */
export const CLI_PATH = path.join(
  ROOT,
  (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin[
    'coupa-csv'
  ] ?? 'missing bin',
);

/** The entry SPEC.md names (`node dist/cli.js`): the unbundled tsc output, the same program as the bin. */
export const SPEC_CLI_PATH = path.join(ROOT, 'dist', 'cli.js');

export interface CliOptions {
  /** Extra environment; the rest is a clean copy without any COUPA_* variable. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to stdin, then stdin is closed. */
  input?: string;
  /** Kill the process (SIGKILL) after this long. Default 30 s. */
  timeoutMs?: number;
  /** The script to run instead of the package's bin (e.g. the unbundled dist/cli.js). */
  entry?: string;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** An environment without inherited COUPA_* settings, plus `extra`. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('COUPA_')) env[k] = v;
  }
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Starts the CLI with `args` and leaves it running (signal tests). Stdout/stderr are collected. */
export function spawnCli(
  args: string[],
  options: CliOptions = {},
): {
  child: ChildProcessWithoutNullStreams;
  result: Promise<CliResult>;
  output: () => { stdout: string; stderr: string };
} {
  const child = spawn(process.execPath, [options.entry ?? CLI_PATH, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timeout);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, result, output: () => ({ stdout, stderr }) };
}

/** Runs the CLI with `args` to the end. */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return spawnCli(args, options).result;
}
