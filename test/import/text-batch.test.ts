import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TextBatch } from '../../src/import/text-batch.js';

describe('TextBatch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('with a delay, writes what was added within it as one piece when the delay is over', () => {
    const writes: string[] = [];
    const batch = new TextBatch((t) => writes.push(t), Number.POSITIVE_INFINITY, 200);
    batch.add('a\n');
    vi.advanceTimersByTime(150);
    batch.add('b\n');
    vi.advanceTimersByTime(49);
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual(['a\nb\n']);
    batch.add('c\n');
    vi.advanceTimersByTime(200);
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('writes at once when maxChars is reached, and flush() cancels the pending write', () => {
    const writes: string[] = [];
    const batch = new TextBatch((t) => writes.push(t), 4, 200);
    batch.add('ab');
    batch.add('cd');
    expect(writes).toEqual(['abcd']);
    batch.add('e');
    batch.flush();
    expect(writes).toEqual(['abcd', 'e']);
    vi.advanceTimersByTime(500);
    expect(writes).toEqual(['abcd', 'e']);
  });

  it('without a delay, writes on the next turn of the event loop', () => {
    const writes: string[] = [];
    const batch = new TextBatch((t) => writes.push(t));
    batch.add('x');
    batch.add('y');
    expect(writes).toEqual([]);
    vi.runAllTimers();
    expect(writes).toEqual(['xy']);
  });
});
