import * as fs from 'node:fs';
import { errorText, InputError } from '../shared/index.js';
import { isProcessRunning } from '../shared/index.js';

/** Locks this process holds now (two library calls in one process must not share a results file either). */
const heldHere = new Set<string>();

/**
 * `<results>.lock`: one run at a time per results file. Two imports into the same results file would share its
 * journal and could send the same rows twice. The lock holds the owner's pid; a lock whose process is gone (a
 * `kill -9`, a forced exit) is taken over.
 * @returns the function that releases the lock.
 * @throws InputError `RESULTS_IN_USE` while another live process holds it.
 */
export function lockResults(resultsPath: string): () => void {
  const lockPath = `${resultsPath}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      heldHere.add(lockPath);
      return () => {
        heldHere.delete(lockPath);
        fs.rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new InputError(
          'RESULTS_UNWRITABLE',
          `cannot create the lock ${lockPath}: ${errorText(error)}`,
          {
            file: resultsPath,
          },
        );
      }
    }
    const owner = readOwner(lockPath);
    // A lock without a pid yet is being created by another run this very moment: held, unless it is old.
    const fresh = owner === undefined && Date.now() - modifiedAt(lockPath) < 10_000;
    // Our own pid: another run in this process (a library user's) holds it, unless the lock is a dead process's
    // that had the same pid.
    const live =
      owner === process.pid ? heldHere.has(lockPath) : owner !== undefined && isProcessRunning(owner);
    if (fresh || live) {
      const who = owner === process.pid ? 'in this process' : `pid ${owner ?? '?'}`;
      throw new InputError(
        'RESULTS_IN_USE',
        `another coupa-csv run (${who}) is writing this results file: wait for it to finish or stop it ` +
          `(delete ${lockPath} only if no such run exists)`,
        { file: resultsPath },
      );
    }
    // Stale: its process is gone. (Two runs taking over the same stale lock in the same millisecond could both
    // succeed; the window is that small.)
    fs.rmSync(lockPath, { force: true });
  }
  throw new InputError('RESULTS_IN_USE', `could not take the lock ${lockPath}`, { file: resultsPath });
}

function readOwner(lockPath: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(lockPath, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function modifiedAt(lockPath: string): number {
  try {
    return fs.statSync(lockPath).mtimeMs;
  } catch {
    return 0;
  }
}
