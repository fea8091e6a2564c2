import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../../src/import/results-writer.js';
import { EARLY_FAILURES, StopEarly } from '../../src/import/stop-early.js';

function row(status: ResultRow['status'], code?: ResultRow['code'], error?: string): ResultRow {
  return { line: 2, cells: [], status, id: status === 'created' ? 1 : undefined, error, code };
}
const rejected = (message = "Coupa refused the row (HTTP 400): Name can't be blank"): ResultRow =>
  row('failed', 'rejected', message);

describe('StopEarly', () => {
  it('stops when the first 10 rows sent all fail on the server, naming the most common message', () => {
    const stop = new StopEarly(undefined);
    for (let i = 1; i < EARLY_FAILURES; i++) {
      expect(stop.note(i % 3 === 0 ? rejected('other') : rejected())).toBeUndefined();
      expect(stop.allowance()).toBe(EARLY_FAILURES - i);
    }
    const stopped = stop.note(rejected());
    expect(stopped).toMatchObject({ code: 'TOO_MANY_FAILURES', exitCode: 1 });
    expect(stopped?.message).toContain('the first 10 rows sent all failed on the server');
    expect(stop.top()).toEqual({ message: "Coupa refused the row (HTTP 400): Name can't be blank", rows: 7 });
    expect(stop.serverFailed).toBe(10);
  });

  it('one success among the first rows disarms the early stop; without --max-failures nothing stops it then', () => {
    const stop = new StopEarly(undefined);
    for (let i = 0; i < 9; i++) stop.note(rejected());
    expect(stop.note(row('created'))).toBeUndefined();
    for (let i = 0; i < 100; i++) expect(stop.note(rejected())).toBeUndefined();
    expect(stop.allowance()).toBe(Number.POSITIVE_INFINITY);
  });

  it('--max-failures stops once that many rows failed, successes or not', () => {
    const stop = new StopEarly(3);
    expect(stop.note(row('created'))).toBeUndefined();
    expect(stop.note(rejected())).toBeUndefined();
    expect(
      stop.note(row('failed', 'server-error', 'Coupa refused the row (HTTP 503): HTTP 503')),
    ).toBeUndefined();
    expect(stop.allowance()).toBe(1);
    expect(stop.note(row('failed', 'not-found', 'no record'))?.message).toContain(
      '3 rows failed on the server (--max-failures 3)',
    );
  });

  it('--max-failures above 10 keeps the early stop of the first rows', () => {
    const stop = new StopEarly(50);
    for (let i = 0; i < 9; i++) stop.note(rejected());
    expect(stop.note(rejected())?.message).toContain('the first 10 rows sent all failed');
  });

  it('only server failures count: conversion errors, not-sent rows and unknown outcomes do not', () => {
    const stop = new StopEarly(1);
    for (const code of [
      'invalid-value',
      'bad-row',
      'missing-key',
      'not-sent',
      'outcome-unknown',
      'unknown-field',
    ] as const)
      expect(stop.note(row('failed', code, 'x'))).toBeUndefined();
    expect(stop.serverFailed).toBe(0);
    expect(stop.top()).toBeUndefined();
  });
});
