import { describe, expect, it } from 'vitest';
import { bindMapping, parseMappingText } from '../../src/mapping/index.js';
import type { CsvRecord } from '../../src/csv/types.js';
import {
  decideRow,
  failRow,
  isFinalRow,
  notSentRow,
  type RowContext,
} from '../../src/import/row-decision.js';
import type { ResumeState } from '../../src/import/resume.js';
import { RESULT_CODES } from '../../src/import/result-codes.js';
import type { ImportMode } from '../../src/import/types.js';

const HEADER = ['Coupa ID', 'Code', 'Amount'];
const MAPPING = parseMappingText(
  'id: Coupa ID\nkey: code\nfields:\n  Code: code\n  Amount: { field: amount, type: decimal }\n',
  'm.yaml',
);

function context(mode: ImportMode, extra: Partial<RowContext> = {}): RowContext {
  return {
    mode,
    dryRun: false,
    bound: bindMapping(MAPPING, HEADER, 'in.csv'),
    mapping: MAPPING,
    timezone: 'UTC',
    resumeState: emptyResume(),
    ...extra,
  };
}

function emptyResume(): ResumeState {
  return { source: 'none', done: new Map(), uncertain: new Map() };
}

function record(line: number, cells: string[], error?: string): CsvRecord {
  return { line, cells, ...(error === undefined ? {} : { error }) };
}

describe('decideRow: the pure per-row decision', () => {
  it('a row that converts is to be sent, with its fields, id and key', () => {
    const decision = decideRow(context('create'), record(2, ['', 'C1', '1.50']));
    expect(isFinalRow(decision)).toBe(false);
    if (isFinalRow(decision)) return;
    expect(decision.fields).toMatchObject({ code: 'C1', amount: '1.50' });
    expect(decision.key).toBe('C1');
  });

  it('a conversion error is a failed row with invalid-value (invalid in a dry run), its cells kept', () => {
    const bad = record(3, ['', 'C1', '12x']);
    const real = decideRow(context('create'), bad);
    expect(real).toMatchObject({ line: 3, status: 'failed', code: 'invalid-value', cells: bad.cells });
    expect(isFinalRow(real) && real.error).toContain('Amount');
    expect(decideRow(context('create', { dryRun: true }), bad)).toMatchObject({
      status: 'invalid',
      code: 'invalid-value',
    });
  });

  it('a dry run marks a good row valid, with no code', () => {
    const row = decideRow(context('create', { dryRun: true }), record(2, ['', 'C1', '1']));
    expect(row).toMatchObject({ status: 'valid', code: undefined, error: undefined });
  });

  it('a broken CSV line fails with bad-row and the reader message', () => {
    const row = decideRow(context('create'), record(4, ['', 'C1', '1'], 'expected 3 cells, found 4'));
    expect(row).toMatchObject({ status: 'failed', code: 'bad-row', error: 'expected 3 cells, found 4' });
  });

  it('update mode: a blank id is missing-id, a bad one invalid-value', () => {
    const blank = decideRow(context('update'), record(2, ['  ', 'C1', '1']));
    expect(blank).toMatchObject({ code: 'missing-id' });
    expect(isFinalRow(blank) && blank.error).toBe(
      'column "Coupa ID" is blank: --mode update needs the Coupa instance id',
    );
    const bad = decideRow(context('update'), record(2, ['x7', 'C1', '1']));
    expect(bad).toMatchObject({ status: 'failed', code: 'invalid-value' });
  });

  it('upsert mode: a blank key is missing-key', () => {
    const row = decideRow(context('upsert'), record(2, ['', '', '1']));
    expect(row).toMatchObject({
      status: 'failed',
      code: 'missing-key',
      error: 'the key field "code" is blank: --mode upsert needs it to find the record',
    });
  });

  it('a row applied by the run being resumed is carried over with its status and id, unless sent again', () => {
    const resumeState = emptyResume();
    resumeState.done.set(2, { status: 'created', id: 41 });
    const ctx = context('upsert', { resumeState });
    expect(decideRow(ctx, record(2, ['', 'C1', '1']))).toMatchObject({
      status: 'created',
      id: 41,
      carried: true,
    });
    const again = decideRow(ctx, record(2, ['', 'C1', '1']), () => ({
      ok: true,
      fields: { code: 'C1' },
      key: 'C1',
    }));
    expect(isFinalRow(again)).toBe(false);
  });

  it('a row whose earlier create had an unknown outcome stays outcome-unknown when it fails otherwise, keeping a stored id', () => {
    const resumeState = emptyResume();
    resumeState.uncertain.set(2, 'unknown');
    resumeState.done.set(3, { status: 'failed', id: 77 });
    const ctx = context('create', { resumeState });
    const row = decideRow(ctx, record(2, ['', 'C1', 'bad']));
    expect(row).toMatchObject({ status: 'failed', code: 'outcome-unknown' });
    expect(isFinalRow(row) && row.error).toMatch(/^outcome unknown \(an earlier run may have created it\): /);
    expect(failRow(ctx, record(3, ['', 'C3', '1']), 'rejected', 'no')).toMatchObject({
      id: 77,
      code: 'rejected',
    });
  });

  it('a row not sent because the run stopped says why, with not-sent', () => {
    const ctx = context('create');
    expect(notSentRow(ctx, record(5, ['', 'C1', '1']), undefined)).toMatchObject({
      status: 'failed',
      code: 'not-sent',
      error: 'not sent: run interrupted; finish with --resume',
    });
    expect(
      notSentRow(ctx, record(5, ['', 'C1', '1']), { code: 'AUTH', message: 'token refused', exitCode: 3 }),
    ).toMatchObject({ error: 'not sent: token refused; finish with --resume' });
  });

  it('every code it writes is listed in RESULT_CODES, one lowercase word', () => {
    for (const code of Object.keys(RESULT_CODES)) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(Object.keys(RESULT_CODES)).toEqual(
      expect.arrayContaining([
        'invalid-value',
        'rejected',
        'ambiguous-key',
        'unknown-field',
        'not-sent',
        'outcome-unknown',
      ]),
    );
  });
});
