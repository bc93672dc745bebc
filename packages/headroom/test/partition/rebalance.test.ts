import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHeadroomError } from '../../src/core/errors.js';
import { JumpPartitioner, VnodeRing, diffPartitionTables, planKeyMoves, planPartitionRebalance } from '../../src/partition/index.js';

test('planKeyMoves lists exactly the keys whose owner changes, with from/to', () => {
  const before = new VnodeRing(['a', 'b', 'c']);
  const after = before.withNode('d');
  const keys = Array.from({ length: 5000 }, (_, i) => `k${i}`);
  const plan = planKeyMoves(before, after, keys);
  assert.equal(plan.sampled, 5000);
  assert.equal(plan.movedFraction, plan.moves.length / 5000);
  for (const m of plan.moves) {
    assert.equal(m.from, before.locate(m.key));
    assert.equal(m.to, after.locate(m.key));
    assert.equal(m.to, 'd');
  }
  assert.equal(plan.moves.length, keys.filter((k) => before.locate(k) !== after.locate(k)).length);
  assert.equal(planKeyMoves(new JumpPartitioner(['a']), new JumpPartitioner(['a']), []).movedFraction, 0);
});

test('property: by count, the plan is balanced (floor/ceil of weighted shares) and moves the minimum', () => {
  const arb = fc.record({
    partitions: fc.integer({ min: 1, max: 400 }),
    before: fc.integer({ min: 1, max: 8 }),
    weights: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 8 }),
    seed: fc.nat(),
  });
  fc.assert(
    fc.property(arb, ({ partitions, before, weights, seed }) => {
      // A random current table over `before` old nodes, some of which survive as the new nodes.
      let x = seed;
      const owners = Array.from({ length: partitions }, () => `n${(x = (x * 1103515245 + 12345) >>> 0) % before}`);
      const nodes = weights.map((weight, i) => ({ id: `n${i}`, weight }));
      const plan = planPartitionRebalance({ owners, nodes });
      const W = weights.reduce((a, b) => a + b, 0);
      const counts = new Map(nodes.map((n) => [n.id, 0]));
      for (const o of plan.owners) counts.set(o, counts.get(o)! + 1);
      nodes.forEach((n) => {
        const exact = (partitions * n.weight) / W;
        assert.ok(
          counts.get(n.id)! >= Math.floor(exact) && counts.get(n.id)! <= Math.ceil(exact),
          `${n.id}: ${counts.get(n.id)} vs ${exact}`,
        );
      });
      // The minimum over all floor/ceil-balanced outcomes: orphans, plus each node's excess over its
      // floor, minus one for every leftover ceiling that can go to a node holding more than its floor.
      const held = new Map<string, number>();
      let orphans = 0;
      for (const o of owners) {
        if (counts.has(o)) held.set(o, (held.get(o) ?? 0) + 1);
        else orphans++;
      }
      const floors = nodes.map((n) => Math.floor((partitions * n.weight) / W));
      const extra = partitions - floors.reduce((a, b) => a + b, 0);
      let overFloor = 0;
      let canKeep = 0;
      nodes.forEach((n, i) => {
        const h = held.get(n.id) ?? 0;
        overFloor += Math.max(0, h - floors[i]!);
        if (h > floors[i]! && (partitions * n.weight) / W > floors[i]!) canKeep++;
      });
      assert.equal(plan.moves.length, orphans + overFloor - Math.min(extra, canKeep));
      assert.equal(plan.moves.length, owners.filter((o, p) => o !== plan.owners[p]).length);
      assert.ok(plan.moves.every((m) => m.from !== m.to));
    }),
    { numRuns: 400, seed: 92 },
  );
});

test('by count: a node with more than its floor keeps the extra partition instead of shedding it', () => {
  // 3 nodes, 16384 slots: targets are 5462/5461/5461; whoever already holds 5462 keeps it — zero moves.
  const owners = [...Array<string>(5461).fill('a'), ...Array<string>(5462).fill('b'), ...Array<string>(5461).fill('c')];
  assert.equal(planPartitionRebalance({ owners, nodes: ['a', 'b', 'c'] }).moves.length, 0);
});

test('by load: evens measured load over weighted nodes, moving hot partitions off the busiest node', () => {
  const loads = [100, 90, 80, 5, 5, 5, 5, 5, 5, 5, 5, 5];
  const owners = ['a', 'a', 'a', 'b', 'b', 'b', 'b', 'c', 'c', 'c', 'c', 'c'];
  const plan = planPartitionRebalance({ owners, nodes: ['a', 'b', 'c'], loads });
  const load = (id: string): number => plan.owners.reduce((s, o, p) => s + (o === id ? loads[p]! : 0), 0);
  const before = Math.max(270, 20, 25) / (315 / 3);
  const after = Math.max(load('a'), load('b'), load('c')) / (315 / 3);
  assert.ok(after < before, `max/avg load ${before.toFixed(2)} → ${after.toFixed(2)}`);
  assert.ok(after <= 1.1, `max/avg ${after}`);
  assert.ok(plan.moves.length <= 4, `${plan.moves.length} moves`);
  assert.equal(plan.movedFraction, plan.moves.reduce((s, m) => s + loads[m.partition]!, 0) / 315);
  assert.equal(plan.totals.get('a'), load('a'));
});

test('rebalance input errors are typed', () => {
  const code = (c: string) => (e: unknown) => isHeadroomError(e, c);
  assert.throws(() => planPartitionRebalance({ owners: ['a'], nodes: [] }), code('HR_PARTITION_NO_NODES'));
  assert.throws(() => planPartitionRebalance({ owners: ['a'], nodes: ['a'], loads: [1, 2] }), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => planPartitionRebalance({ owners: ['a'], nodes: ['a'], loads: [-1] }), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => planPartitionRebalance({ owners: ['a'], nodes: ['a'], tolerance: -1 }), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => diffPartitionTables(['a'], ['a', 'b']), code('HR_PARTITION_INVALID_OPTION'));
});
