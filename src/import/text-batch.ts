/**
 * Text appended over a while, handed to `write` in one piece: after `delayMs` (on the next turn of the event loop
 * when 0), when `maxChars` is reached, or on {@link flush}. One write per row costs more than the row itself on
 * large files, and on a live import, where rows finish one at a time, more than the rest of the row's own work.
 */
export class TextBatch {
  private pending = '';
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined;

  constructor(
    private readonly write: (text: string) => void,
    private readonly maxChars = Number.POSITIVE_INFINITY,
    private readonly delayMs = 0,
  ) {}

  add(text: string): void {
    this.pending += text;
    if (this.pending.length >= this.maxChars) {
      this.flush();
    } else if (this.scheduled === undefined) {
      const later = (): void => {
        this.scheduled = undefined;
        this.flush();
      };
      this.scheduled = this.delayMs > 0 ? setTimeout(later, this.delayMs) : setImmediate(later);
    }
  }

  /** Takes what is waiting (for a caller that writes it together with more). */
  take(): string {
    const text = this.pending;
    this.pending = '';
    return text;
  }

  flush(): void {
    if (this.scheduled !== undefined) {
      // The delay decides which kind `add` scheduled.
      if (this.delayMs > 0) clearTimeout(this.scheduled as NodeJS.Timeout);
      else clearImmediate(this.scheduled as NodeJS.Immediate);
      this.scheduled = undefined;
    }
    const text = this.take();
    if (text !== '') this.write(text);
  }
}
