import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from '../../src/core/clock.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { SlotPartitioner, VnodeRing, groupByOwner, groupBySlot, keySlot, scatterGather } from '../../src/partition/index.js';

const ring = new VnodeRing(['a', 'b', 'c', 'd']);
const KEYS = Array.from({ length: 40 }, (_, i) => `key:${i}`);

test('groupByOwner / groupBySlot keep key order and cover every key once', () => {
  const groups = groupByOwner(ring, KEYS);
  assert.deepEqual([...groups.values()].flat().sort(), [...KEYS].sort());
  for (const [node, keys] of groups) for (const k of keys) assert.equal(ring.locate(k), node);
  const slots = groupBySlot(['{u1}:a', '{u1}:b', 'x', '{u1}:c']);
  assert.deepEqual(slots.get(keySlot('u1')), ['{u1}:a', '{u1}:b', '{u1}:c']);
  assert.deepEqual(slots.get(keySlot('x')), ['x']);
});

test('scatter-gather: one call per node, values merged, every shard ok', async () => {
  const calls: string[] = [];
  const result = await scatterGather({
    partitioner: ring,
    keys: KEYS,
    fetch: async (node, keys) => {
      calls.push(node);
      return keys.map((k) => `${k}@${node}`);
    },
  });
  assert.deepEqual(calls.sort(), [...groupByOwner(ring, KEYS).keys()].sort());
  assert.ok(result.complete);
  assert.equal(result.values.size, KEYS.length);
  for (const k of KEYS) assert.equal(result.values.get(k), `${k}@${ring.locate(k)}`);
  assert.deepEqual(result.missing, []);
});

test('scatter-gather: at the deadline, slow shards are aborted and reported as timeout; the rest are returned', async () => {
  const clock = new VirtualClock();
  const aborted: string[] = [];
  const slow = ring.locate('key:0');
  const pending = scatterGather({
    partitioner: ring,
    keys: KEYS,
    clock,
    timeout: 50,
    fetch: async (node, keys, signal) => {
      signal.addEventListener('abort', () => aborted.push(node));
      await sleep(clock, node === slow ? 500 : 10, signal);
      return keys.map((k) => k.toUpperCase());
    },
  });
  await clock.advanceBy(50);
  const result = await pending;
  assert.equal(result.complete, false);
  const shard = result.shards.find((s) => s.node === slow)!;
  assert.equal(shard.status, 'timeout');
  assert.equal(shard.elapsedMs, 50);
  assert.deepEqual(aborted, [slow]);
  assert.deepEqual(result.missing.sort(), groupByOwner(ring, KEYS).get(slow)!.slice().sort());
  for (const s of result.shards.filter((x) => x.node !== slow)) {
    assert.equal(s.status, 'ok');
    assert.equal(s.elapsedMs, 10);
    for (const k of s.keys) assert.equal(result.values.get(k), k.toUpperCase());
  }
  await clock.runUntilIdle(); // nothing is left scheduled after the abort
});

test('scatter-gather: a failing shard is reported with its error; undefined values are absent', async () => {
  const bad = ring.locate('key:1');
  const result = await scatterGather({
    partitioner: ring,
    keys: KEYS,
    fetch: async (node, keys) => {
      if (node === bad) throw new Error('connection reset');
      return keys.map((k) => (k === 'key:2' ? undefined : 1));
    },
  });
  const shard = result.shards.find((s) => s.node === bad)!;
  assert.equal(shard.status, 'error');
  assert.equal(shard.error?.message, 'connection reset');
  assert.equal(result.values.has('key:2'), false);
  assert.ok(result.missing.includes('key:1'));
  const wrong = await scatterGather({ partitioner: ring, keys: ['key:0'], fetch: async () => [1, 2] });
  assert.ok(isHeadroomError(wrong.shards[0]!.error, 'HR_PARTITION_SHARD_RESULT'));
  const thrown = await scatterGather({
    partitioner: ring,
    keys: ['key:0'],
    fetch: () => {
      throw 'not an error';
    },
  });
  assert.ok(isHeadroomError(thrown.shards[0]!.error, 'HR_CORE_NON_ERROR_THROWN'));
});

test('scatter-gather: a deadline AbortSignal (e.g. from the latency module) resolves with partial results', async () => {
  const clock = new VirtualClock();
  const deadline = new AbortController();
  const fast = ring.locate('key:0');
  const pending = scatterGather({
    partitioner: ring,
    keys: KEYS,
    clock,
    deadline: deadline.signal,
    fetch: async (node, keys, signal) => {
      await sleep(clock, node === fast ? 5 : 1000, signal);
      return keys;
    },
  });
  await clock.advanceBy(20);
  deadline.abort();
  const result = await pending;
  assert.deepEqual(
    result.shards.filter((s) => s.status === 'ok').map((s) => s.node),
    [fast],
  );
  assert.ok(result.shards.filter((s) => s.node !== fast).every((s) => s.status === 'timeout' && s.elapsedMs === 20));
  const late = new AbortController();
  late.abort();
  const none = await scatterGather({ partitioner: ring, keys: KEYS, deadline: late.signal, fetch: async (_n, k) => k });
  assert.ok(none.shards.every((s) => s.status === 'timeout'));
});

test('scatter-gather: cancelling rejects with signal.reason and aborts the calls', async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  let abortedCalls = 0;
  const pending = scatterGather({
    partitioner: ring,
    keys: KEYS,
    clock,
    signal: controller.signal,
    fetch: async (_node, keys, signal) => {
      signal.addEventListener('abort', () => abortedCalls++);
      await sleep(clock, 100, signal);
      return keys;
    },
  });
  const reason = new Error('client went away');
  controller.abort(reason);
  await assert.rejects(pending, (e) => e === reason);
  assert.equal(abortedCalls, groupByOwner(ring, KEYS).size);
  const already = new AbortController();
  already.abort(reason);
  await assert.rejects(
    scatterGather({ partitioner: ring, keys: KEYS, signal: already.signal, fetch: async (_n, k) => k }),
    (e) => e === reason,
  );
  assert.throws(
    () => scatterGather({ partitioner: ring, keys: KEYS, timeout: -1, fetch: async (_n, k) => k }),
    (e) => isHeadroomError(e, 'HR_CORE_INVALID_DURATION') && /timeout/.test((e as Error).message),
  );
});

test('scatter-gather over Redis Cluster slots: keys sharing a hash tag go to one node in one call', async () => {
  const slots = new SlotPartitioner(['r1', 'r2', 'r3']);
  const keys = ['{cart:9}:items', '{cart:9}:total', '{cart:9}:owner'];
  const calls: (readonly string[])[] = [];
  const result = await scatterGather({
    partitioner: slots,
    keys,
    fetch: async (_n, k) => {
      calls.push(k);
      return k.map(() => 'v');
    },
  });
  assert.equal(calls.length, 1);
  assert.equal(result.values.size, 3);
});
