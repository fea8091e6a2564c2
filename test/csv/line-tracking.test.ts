import type { Parser } from 'csv-parse';
import { describe, expect, it } from 'vitest';
import { attachLineTracking, readParsePosition } from '../../src/csv/line-tracking.js';
import { createCsvParser, MAX_RECORD_CHARS } from '../../src/csv/parser-settings.js';

// src/csv/line-tracking.ts reads csv-parse's private `info` and `state` and replaces its `push`. These tests pin
// each assumption it makes, so that a csv-parse upgrade that breaks one fails here, by name, and not as wrong line
// numbers somewhere in an import.

interface Internals {
  info: { lines: unknown; empty_lines: unknown };
  state: { quoting: unknown; field: unknown; record: unknown };
}

async function drain(parser: Parser, text: string): Promise<unknown[]> {
  parser.end(Buffer.from(text));
  const out: unknown[] = [];
  for await (const item of parser as AsyncIterable<unknown>) out.push(item);
  return out;
}

async function failure(parser: Parser, text: string): Promise<{ code?: unknown }> {
  try {
    await drain(parser, text);
  } catch (error) {
    return error as { code?: unknown };
  }
  throw new Error('the parser did not fail');
}

describe('what line-tracking.ts assumes of csv-parse', () => {
  it('a parser has info.lines, info.empty_lines (numbers) and state.quoting, state.field, state.record', () => {
    const parser = createCsvParser(',') as unknown as Internals;
    expect(typeof parser.info.lines).toBe('number');
    expect(typeof parser.info.empty_lines).toBe('number');
    expect(typeof parser.state.quoting).toBe('boolean');
    expect(typeof (parser.state.field as { toString?: unknown }).toString).toBe('function');
    expect(Array.isArray(parser.state.record)).toBe(true);
  });

  it('each record leaves through push(array) while info.lines (CRLF in quotes counted twice) and info.empty_lines describe it', async () => {
    const parser = createCsvParser(',');
    const internals = parser as unknown as { info: { lines: number; empty_lines: number } };
    const pushed: Array<{ cells: unknown; lines: number; empty: number }> = [];
    const original = parser.push.bind(parser);
    parser.push = ((chunk: unknown, encoding?: BufferEncoding) => {
      if (Array.isArray(chunk))
        pushed.push({ cells: chunk, lines: internals.info.lines, empty: internals.info.empty_lines });
      return original(chunk, encoding);
    }) as Parser['push'];
    // Lines: 1 a,b / 2 blank / 3-4 "x CRLF y",z / 5-6 "q LF r",s
    const records = await drain(parser, 'a,b\r\n\r\n"x\r\ny",z\n"q\nr",s\n');
    expect(records).toEqual([
      ['a', 'b'],
      ['x\r\ny', 'z'],
      ['q\nr', 's'],
    ]);
    expect(pushed).toEqual([
      { cells: ['a', 'b'], lines: 1, empty: 0 },
      { cells: ['x\r\ny', 'z'], lines: 5, empty: 1 },
      { cells: ['q\nr', 's'], lines: 7, empty: 1 },
    ]);
  });

  it('an unclosed quote fails with CSV_QUOTE_NOT_CLOSED, the open cell in state.field and the cells before it in state.record', async () => {
    const parser = createCsvParser(',');
    const error = await failure(parser, 'a,b\nc,"open\nmore');
    expect(error.code).toBe('CSV_QUOTE_NOT_CLOSED');
    const internals = parser as unknown as {
      state: { quoting: boolean; field: { toString(e?: string): string }; record: unknown[] };
    };
    expect(internals.state.field.toString('utf8')).toBe('open\nmore');
    expect(internals.state.record).toEqual(['c']);
  });

  it('a record over the limit fails with CSV_MAX_RECORD_SIZE while state.quoting says whether a quote is open', async () => {
    const quoted = createCsvParser(',');
    const error = await failure(quoted, `a\n"${'x'.repeat(MAX_RECORD_CHARS + 10)}`);
    expect(error.code).toBe('CSV_MAX_RECORD_SIZE');
    expect((quoted as unknown as { state: { quoting: boolean } }).state.quoting).toBe(true);
    const plain = createCsvParser(',');
    expect((await failure(plain, `a\n${'x'.repeat(MAX_RECORD_CHARS + 10)}`)).code).toBe(
      'CSV_MAX_RECORD_SIZE',
    );
    expect((plain as unknown as { state: { quoting: boolean } }).state.quoting).toBe(false);
  });
});

describe('attachLineTracking', () => {
  it('gives each record the file line it starts on: blank lines, CRLF, LF and lone CR, multi-line cells', async () => {
    const parser = createCsvParser(',');
    attachLineTracking(parser, 1, (cells, line) => ({ line, first: cells[0] }));
    // File line 1 is the header (not given to the parser): the parser's input starts on line 2.
    const text = 'r2\r\n\r\nr4,"multi\r\nline\r\ncell"\nr7\rr8,"a\nb"\n\n\nr12\n';
    expect(await drain(parser, text)).toEqual([
      { line: 2, first: 'r2' },
      { line: 4, first: 'r4' },
      { line: 7, first: 'r7' },
      { line: 8, first: 'r8' },
      { line: 12, first: 'r12' },
    ]);
  });

  it('emits nothing for a record its function drops, and still counts its lines', async () => {
    const parser = createCsvParser(',');
    attachLineTracking(parser, 0, (cells, line) => (cells[0] === 'skip' ? undefined : line));
    expect(await drain(parser, 'a\nskip,"x\ny"\nb\n')).toEqual([1, 4]);
  });
});

describe('readParsePosition', () => {
  it('at an unclosed quote: the record, the cell and the line the quote opened on', async () => {
    const parser = createCsvParser(',');
    const tracker = attachLineTracking(parser, 1, (cells) => cells);
    // File: 1 header / 2 a,b / 3 blank / 4 c,"open / 5 more
    expect((await failure(parser, 'a,b\n\nc,"open\nmore\n')).code).toBe('CSV_QUOTE_NOT_CLOSED');
    const at = readParsePosition(parser, tracker, 1);
    expect(at.recordStart).toBe(4);
    expect(at.cellIndex).toBe(1);
    expect(at.quoting).toBe(true);
    expect(at.fieldStartAtEnd).toBe(4);
  });

  it('after CRLFs inside earlier quoted cells, lines are still file lines', async () => {
    const parser = createCsvParser(',');
    const tracker = attachLineTracking(parser, 0, (cells) => cells);
    // 1-3 "x CRLF y CRLF z" / 4 ok / 5 "open CRLF 6 more
    const error = await failure(parser, '"x\r\ny\r\nz"\r\nok\r\n"open\r\nmore');
    expect(error.code).toBe('CSV_QUOTE_NOT_CLOSED');
    const at = readParsePosition(parser, tracker, 0);
    expect(at.recordStart).toBe(5);
    expect(at.fieldStartAtEnd).toBe(5);
  });

  it('at a record over the limit inside quotes: the line the quote opened on', async () => {
    const parser = createCsvParser(',');
    const tracker = attachLineTracking(parser, 1, (cells) => cells);
    // File: 1 header / 2 a / 3 b,"x / 4 and the rest
    const error = await failure(parser, `a\nb,"x\n${'y'.repeat(MAX_RECORD_CHARS + 10)}`);
    expect(error.code).toBe('CSV_MAX_RECORD_SIZE');
    const at = readParsePosition(parser, tracker, 1);
    expect(at.recordStart).toBe(3);
    expect(at.quoting).toBe(true);
    expect(at.fieldStart).toBe(3);
    expect(at.cellIndex).toBe(1);
  });
});
