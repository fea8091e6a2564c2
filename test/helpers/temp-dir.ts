import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TempDir {
  dir: string;
  /** A path inside the folder. */
  file: (name: string) => string;
  /** Removes the folder and everything in it. */
  cleanup: () => void;
}

/** A temp folder for one test (or one describe); `cleanup()` removes it. */
export function makeTempDir(prefix: string): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `coupa-csv-${prefix}-`));
  return {
    dir,
    file: (name) => path.join(dir, name),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
