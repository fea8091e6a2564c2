/**
 * Text appended within one turn of the event loop, handed to `write` in one piece: on the next turn, when
 * `maxChars` is reached, or on {@link flush}. One write per row costs more than the row itself on large files.
 */
export class TextBatch {
  private pending = '';
  private scheduled = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly maxChars = Number.POSITIVE_INFINITY,
  ) {}

  add(text: string): void {
    this.pending += text;
    if (this.pending.length >= this.maxChars) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Takes what is waiting (for a caller that writes it together with more). */
  take(): string {
    const text = this.pending;
    this.pending = '';
    return text;
  }

  flush(): void {
    const text = this.take();
    if (text !== '') this.write(text);
  }
}
