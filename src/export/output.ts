import { createWriteStream, lstatSync, realpathSync, statSync, type WriteStream } from 'node:fs';
import { chmod, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { UsageError } from '../shared/index.js';
import { isProcessRunning } from '../shared/index.js';

export interface OutputTarget {
  /** File path, or `-` for `stdout`. */
  out: string;
  stdout?: Writable;
  gzip: boolean;
  signal?: AbortSignal;
}

/** The temporary file an export writes before renaming it to `out`: `.<name>.<pid>.tmp` beside it. */
export function tempPathFor(out: string, pid = process.pid): string {
  return join(dirname(out), `.${basename(out)}.${pid}.tmp`);
}

/**
 * How the bytes reach `out`:
 * - a regular file (new or existing) is written to a temporary file beside it and renamed over it when complete;
 *   through a symbolic link, beside and over the link's target (the link stays), keeping an existing file's mode;
 * - anything else that exists and is not a folder (a FIFO, `/dev/null`, a terminal) is written in place: renaming a
 *   file over it would replace the device or pipe itself.
 */
export type OutputPlan =
  { kind: 'replace'; path: string; temp: string; mode?: number } | { kind: 'in-place'; path: string };

/** The {@link OutputPlan} for `out` as the file system is now. */
export function planOutput(out: string): OutputPlan {
  let target: ReturnType<typeof statSync>;
  try {
    target = statSync(out);
  } catch {
    // Not there yet (or a dangling link, which the new file replaces).
    return { kind: 'replace', path: out, temp: tempPathFor(out) };
  }
  if (!target.isFile() && !target.isDirectory()) return { kind: 'in-place', path: out };
  const path = replacementTarget(out);
  return { kind: 'replace', path, temp: tempPathFor(path), mode: target.mode & 0o7777 };
}

/** The file that a new version of `path` is renamed over: through a symbolic link, its target (the link stays). */
export function replacementTarget(path: string): string {
  try {
    return lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
  } catch {
    return path;
  }
}

/**
 * Streams `source` to the target with backpressure (stream/promises pipeline), gzip-compressed when asked.
 * A file is written to {@link tempPathFor} and renamed to `out` only when complete (after an fsync), so readers never
 * see half a file; on any error or abort the temporary file is removed and `out` is left as it was. A FIFO or device
 * is written in place (see {@link OutputPlan}). `-` writes to `stdout`, which is not ended.
 */
export async function writeOutput(
  target: OutputTarget,
  source: AsyncIterable<string | Buffer>,
): Promise<void> {
  const options = target.signal ? { signal: target.signal } : {};
  if (target.out === '-') {
    const stdout = target.stdout;
    if (!stdout) throw new UsageError('--out - needs a stdout stream', 'OUTPUT');
    if (target.gzip) await pipeline(source, createGzip(), stdout, { ...options, end: false });
    else await pipeline(source, stdout, { ...options, end: false });
    await new Promise<void>((done, fail) => stdout.write('', (error) => (error ? fail(error) : done())));
    return;
  }
  const plan = planOutput(target.out);
  if (plan.kind === 'in-place') {
    target.signal?.throwIfAborted();
    const device = createWriteStream(plan.path, { flags: 'w' });
    if (target.gzip) await pipeline(source, createGzip(), device, options);
    else await pipeline(source, device, options);
    return;
  }
  const tmp = plan.temp;
  let file: WriteStream | undefined;
  try {
    target.signal?.throwIfAborted();
    // A leftover with our pid can only come from a dead process that had the same pid.
    await rm(tmp, { force: true });
    file = createWriteStream(tmp, { flags: 'wx' });
    if (target.gzip) await pipeline(source, createGzip(), file, options);
    else await pipeline(source, file, options);
    if (plan.mode !== undefined) await chmod(tmp, plan.mode);
    const handle = await open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, plan.path);
    await removeStaleTemps(plan.path);
  } catch (error) {
    // The stream may still be opening the file: removing it before it is closed could leave it behind.
    if (file && !file.closed) await new Promise<void>((done) => file?.once('close', () => done()));
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Removes the temporary files that exports of `path` killed with SIGKILL left beside it (`.<name>.<pid>.tmp` of a
 * process that no longer runs), so that a nightly job that was killed now and then does not collect partial files.
 * Best effort: a file of a live process (or of a pid now reused) stays.
 */
async function removeStaleTemps(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length, -'.tmp'.length));
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isProcessRunning(pid)) continue;
    await rm(join(dirname(path), name), { force: true }).catch(() => undefined);
  }
}
