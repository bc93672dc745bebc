import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../src/core/events.js';
import { assert as invariant } from '../../src/core/assert.js';
import { isHeadroomError } from '../../src/core/errors.js';

test('on returns a disposable; dispose is idempotent; a throwing listener does not stop others', () => {
  const errors: unknown[] = [];
  const events = new Emitter<number>((e) => errors.push(e));
  const seen: number[] = [];
  assert.equal(events.active, false);
  const a = events.on(() => {
    throw new Error('bad listener');
  });
  const b = events.on((n) => seen.push(n));
  assert.equal(events.active, true);
  events.emit(1);
  a.dispose();
  a.dispose();
  events.emit(2);
  b.dispose();
  events.emit(3);
  assert.deepEqual(seen, [1, 2]);
  assert.equal(errors.length, 1);
  assert.equal(events.active, false);
});

test('assert throws HR_CORE_ASSERTION with details', () => {
  assert.throws(
    () => invariant(false, 'heap order', { index: 3 }),
    (e) => isHeadroomError(e, 'HR_CORE_ASSERTION'),
  );
  invariant(true, 'never thrown');
});
