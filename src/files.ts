import { statSync } from 'node:fs';
import { resolve } from 'node:path';

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
