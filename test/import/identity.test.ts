import { describe, expect, it } from 'vitest';
import { parseMappingText } from '../../src/mapping/index.js';
import { KeyIdentity, type Converted } from '../../src/import/identity.js';
import type { ResumeState } from '../../src/import/resume.js';
import type { ImportMode } from '../../src/import/types.js';

function identity(mode: ImportMode, keyType = 'string', done: ResumeState['done'] = new Map()): KeyIdentity {
  const mapping = parseMappingText(
    `key: code\nid: Id\nfields:\n  Code: { field: code, type: ${keyType} }\n`,
    'm.yaml',
  );
  return new KeyIdentity({ mode, mapping, resumeState: { done } });
}

function conv(key: unknown, id?: number): Converted {
  return { ok: true, fields: {}, key, ...(id === undefined ? {} : { id }) };
}

describe('KeyIdentity: which record a row stands for, without a client', () => {
  it('compares keys trimmed and case-folded; a decimal key without trailing zeros', () => {
    expect(identity('upsert').keyForm('  AbC ')).toBe('abc');
    const decimal = identity('upsert', 'decimal');
    expect(decimal.keyForm('777.50')).toBe(decimal.keyForm('777.5000'));
    expect(decimal.keyForm('12.00')).toBe('12');
  });

  it('locks rows by key (create, upsert) or by id (update); no key or id, no lock', () => {
    expect(identity('create').lockOf(conv(' C1'))).toBe(identity('create').lockOf(conv('c1 ')));
    expect(identity('upsert').lockOf(conv(null))).toBeUndefined();
    expect(identity('update').lockOf(conv('C1', 9))).toBe('id:9');
    expect(identity('update').lockOf(conv('C1'))).toBeUndefined();
  });

  it('runs rows of one lock one after another in the order they ask, others alongside', async () => {
    const ids = identity('upsert');
    const order: string[] = [];
    let releaseFirst: () => void = () => undefined;
    const first = ids.withLock('key:c1', async () => {
      order.push('first start');
      await new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      order.push('first end');
    });
    const second = ids.withLock('key:c1', () => {
      order.push('second');
      return Promise.resolve();
    });
    const other = ids.withLock('key:c2', () => {
      order.push('other');
      return Promise.resolve();
    });
    await other;
    expect(order).toEqual(['first start', 'other']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first start', 'other', 'first end', 'second']);
  });

  it('a claimed id, or one a carried-over row stands for, is taken; old claims are forgotten', () => {
    const ids = identity('create', 'string', new Map([[2, { status: 'created', id: 50 }]]));
    expect(ids.isTaken(50)).toBe(true);
    expect(ids.isTaken(7)).toBe(false);
    const start = 1_000_000_000;
    ids.claim(7, start);
    expect(ids.isTaken(7)).toBe(true);
    // 256 later claims, an hour on: the prune drops claims older than the window.
    for (let i = 0; i < 256; i++) ids.claim(1000 + i, start + 3_600_000);
    expect(ids.isTaken(7)).toBe(false);
    expect(ids.isTaken(1000)).toBe(true);
  });

  it('update/upsert resume: a carried row is sent again when an earlier row of its record is sent by this run', () => {
    const done: ResumeState['done'] = new Map([[5, { status: 'updated', id: 9 }]]);
    const ids = identity('upsert', 'string', done);
    expect(ids.nothingSentAgain).toBe(true);
    ids.noteSending(6, conv('C1')); // after the last carried row: nothing to re-apply
    expect(ids.nothingSentAgain).toBe(true);
    ids.noteSending(3, conv('C1'));
    expect(ids.isSentAgain(conv('c1'))).toBe(true);
    expect(ids.isSentAgain(conv('C2'))).toBe(false);
    // Create mode never re-applies carried rows.
    const create = identity('create', 'string', done);
    create.noteSending(3, conv('C1'));
    expect(create.nothingSentAgain).toBe(true);
  });
});
