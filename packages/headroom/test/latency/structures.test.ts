import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SlidingPercentile } from '../../src/latency/index.js';
import { PriorityLifoQueue, type QueueEntry } from '../../src/latency/queue.js';

test('SlidingPercentile equals nearest-rank over the last n samples after every add (property, against a sort)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 300 }),
      fc.integer({ min: 0, max: 100 }),
      (size, values, p) => {
        const w = new SlidingPercentile(size);
        values.forEach((v, i) => {
          w.add(v);
          const window = values.slice(Math.max(0, i + 1 - size), i + 1).sort((a, b) => a - b);
          const rank = Math.max(1, Math.ceil((p / 100) * window.length));
          assert.equal(w.percentile(p), window[rank - 1]);
        });
        const last = values.slice(-size).sort((a, b) => a - b);
        if (last.length === 0) return assert.ok(Number.isNaN(w.percentile(p)));
        // every rank of the final window, so the whole sorted copy is checked
        last.forEach((v, k) => assert.equal(w.percentile((100 * (k + 0.5)) / last.length), v));
        assert.equal(w.count, last.length);
      },
    ),
    { seed: 5, numRuns: 500 },
  );
});

interface Item extends QueueEntry {
  readonly id: number;
}

test('PriorityLifoQueue matches a reference model under push/pop/remove/evict (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('push', 'pop', 'remove', 'evict'), fc.integer({ min: 0, max: 3 }), fc.nat(50)), { maxLength: 300 }),
      (ops) => {
        const q = new PriorityLifoQueue<Item>();
        let model: Item[] = []; // in arrival order
        let next = 0;
        for (const [op, priority, pick] of ops) {
          if (op === 'push') {
            const item: Item = { id: next++, priority, queued: false };
            q.push(item);
            model.push(item);
          } else if (op === 'pop') {
            const top = Math.max(...model.map((m) => m.priority));
            const expected = [...model].reverse().find((m) => m.priority === top);
            assert.equal(q.pop(), expected);
            model = model.filter((m) => m !== expected);
          } else if (op === 'evict') {
            const low = Math.min(...model.map((m) => m.priority));
            const expected = model.find((m) => m.priority === low);
            assert.equal(q.evict(), expected);
            model = model.filter((m) => m !== expected);
          } else if (model.length > 0) {
            const victim = model[pick % model.length]!;
            q.remove(victim);
            assert.equal(victim.queued, false);
            model = model.filter((m) => m !== victim);
          }
          assert.equal(q.size, model.length);
        }
      },
    ),
    { seed: 9, numRuns: 300 },
  );
});
