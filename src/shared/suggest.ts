/** Levenshtein edit distance (case-sensitive; callers lower-case when they want to ignore case). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let curr = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      curr[j] = Math.min((prev[j] ?? 0) + 1, (curr[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length] ?? 0;
}

/** The candidate closest to `input` (ignoring case and outer spaces), or undefined when there is none. */
export function findClosest(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.trim().toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(needle, candidate.trim().toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  return best;
}

/**
 * The candidate close enough to `input` to be a likely typo (at most a third of its length, at least 2 edits,
 * or a prefix/containment match), or undefined.
 */
export function suggest(input: string, candidates: readonly string[]): string | undefined {
  const needle = input.trim().toLowerCase();
  const best = findClosest(input, candidates);
  if (best === undefined || needle === '') return undefined;
  const target = best.trim().toLowerCase();
  const limit = Math.max(2, Math.floor(Math.max(needle.length, target.length) / 3));
  if (editDistance(needle, target) <= limit) return best;
  if (needle.length >= 3 && (target.includes(needle) || needle.includes(target))) return best;
  return undefined;
}

/** ` (did you mean "x"?)` or ` (one of: a, b, c)`: the tail of a "not a valid ..." message. */
export function hint(input: string, candidates: readonly string[]): string {
  const s = suggest(input, candidates);
  if (s !== undefined) return ` (did you mean ${JSON.stringify(s)}?)`;
  return ` (one of: ${candidates.join(', ')})`;
}
