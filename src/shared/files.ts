import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from './errors.js';

/**
 * True when `a` and `b` name the same file: the same inode when both exist (so links and `./x` vs `x` count),
 * else the same absolute path.
 * @example sameFile('out.csv', './out.csv') // true
 */
export function sameFile(a: string, b: string): boolean {
  try {
    const first = statSync(a);
    const second = statSync(b);
    return first.dev === second.dev && first.ino === second.ino;
  } catch {
    return resolve(a) === resolve(b);
  }
}

/**
 * Checks before anything is sent that `file` can be written: its folder exists and is writable, and it is not a
 * folder (with `regularOnly`, for a file that is read back, not a FIFO or device either). Throws
 * InputError('OUTPUT') (exit 2) that says what could not be written.
 * @example checkWritableFile('out/vendors.results.csv', 'results file')
 */
export function checkWritableFile(file: string, what: string, regularOnly = false): void {
  const dir = dirname(resolve(file));
  const fail = (why: string): InputError =>
    new InputError('OUTPUT', `cannot write the ${what}: ${why}`, { file });
  let folder: Stats;
  try {
    folder = statSync(dir);
  } catch {
    throw fail(`the folder ${dir} does not exist`);
  }
  if (!folder.isDirectory()) throw fail(`${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw fail(`the folder ${dir} is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let existing: Stats;
  try {
    existing = statSync(file);
  } catch {
    return; // not there yet
  }
  if (existing.isDirectory()) throw fail('it is a folder; name a file');
  if (regularOnly && !existing.isFile())
    throw fail('it is not a regular file (a device or pipe); name a file');
}

/** True while a process with this pid runs (also one of another user's, which the signal may not reach). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
