/**
 * A number's text, the same as `String(n)`, made without V8's number-to-string cache. `String(n)` and template
 * literals put each number they convert in that cache, which lives in the old generation, so the text of every
 * distinct number (a line number, an amount, a date serial) outlives the young generation: a long run grows the old
 * generation by tens of bytes a number until the next full collection (bench/NOTES.md: `String(record.line)` in
 * round 8, and the results workbook of 7c). JSON's writer makes the same digits for every finite number and keeps no
 * cache.
 */
export function numberText(n: number): string {
  return Number.isFinite(n) ? JSON.stringify(n) : String(n);
}
