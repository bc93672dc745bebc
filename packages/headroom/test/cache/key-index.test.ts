import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Cache } from '../../src/cache/index.js';
import { KeyIndex } from '../../src/cache/key-index.js';

/** Keys a plain object would treat specially: prototype names, array indices, the empty string. */
const SPECIAL = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '0',
  '1',
  '4294967294',
  '4294967295',
  '-1',
  '1e3',
  '',
  ' ',
  'NaN',
  'undefined',
  'null',
  '__defineGetter__',
  'prototype',
];

test('key index: prototype names, array-index-like keys and the empty string are plain keys', () => {
  const index = new KeyIndex();
  for (const [slot, key] of SPECIAL.entries()) {
    assert.equal(index.get(key), undefined, `${JSON.stringify(key)} absent before it is added`);
    assert.equal(index.has(key), false);
    index.add(key, slot);
  }
  assert.equal(index.size, SPECIAL.length);
  for (const [slot, key] of SPECIAL.entries()) assert.equal(index.get(key), slot, JSON.stringify(key));
  assert.deepEqual(new Map(index.entries()), new Map(SPECIAL.map((k, i) => [k, i])));
  // Nothing leaked onto shared prototypes.
  assert.equal(({} as Record<string, unknown>)['0'], undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
  for (const key of SPECIAL) index.delete(key);
  assert.equal(index.size, 0);
  assert.deepEqual([...index.entries()], []);
  for (const key of SPECIAL) assert.equal(index.get(key), undefined);
});

test('key index: agrees with a Map over random adds, deletes and clears', () => {
  const key = fc.oneof(fc.constantFrom(...SPECIAL), fc.string({ maxLength: 4 }), fc.nat(20).map(String));
  const op = fc.oneof(
    fc.record({ kind: fc.constant('add' as const), key, slot: fc.nat(1000) }),
    fc.record({ kind: fc.constant('delete' as const), key }),
    fc.record({ kind: fc.constant('clear' as const) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
      const index = new KeyIndex();
      const model = new Map<string, number>();
      for (const o of ops) {
        if (o.kind === 'add') {
          if (model.has(o.key)) continue; // add is for new keys only
          index.add(o.key, o.slot);
          model.set(o.key, o.slot);
        } else if (o.kind === 'delete') {
          if (!model.has(o.key)) continue; // delete is for present keys only
          index.delete(o.key);
          model.delete(o.key);
        } else {
          index.clear();
          model.clear();
        }
        assert.equal(index.size, model.size);
      }
      assert.deepEqual(new Map(index.entries()), model);
      for (const k of SPECIAL) assert.equal(index.get(k), model.get(k));
    }),
  );
});

test('cache: special keys are stored, read, evicted and deleted like any other', async () => {
  const cache = new Cache<string>({ maxEntries: 1000 });
  for (const key of SPECIAL) await cache.set(key, `v:${key}`);
  for (const key of SPECIAL) assert.equal(cache.getSync(key), `v:${key}`, JSON.stringify(key));
  assert.equal(cache.stats().size, SPECIAL.length);
  await cache.delete('__proto__');
  assert.equal(cache.getSync('__proto__'), undefined);
  assert.equal(cache.getSync('constructor'), 'v:constructor');
  assert.equal(await cache.getOrLoad('toString', () => 'loaded'), 'v:toString');
  await cache.clear();
  assert.equal(cache.getSync('0'), undefined);
  assert.equal(await cache.getOrLoad('0', () => 'fresh'), 'fresh');
});
