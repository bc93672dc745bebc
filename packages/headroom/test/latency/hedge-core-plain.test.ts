// HedgeCore's plain-number form (start / checkAfterMs / decide / observe + won), which the
// simulator drives without a HedgeRun per call, decides exactly as HedgeRun does over the same core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { HedgeCore } from '../../src/latency/index.js';

test('HedgeCore plain-number calls and HedgeRun make the same decisions, budget refusals and re-asks included', () => {
  const options = { percentile: 50, windowSize: 50, minSamples: 10, maxExtra: 2, budget: { ratio: 0.1, maxTokens: 4 } } as const;
  const a = new HedgeCore({ clock: new VirtualClock(), ...options });
  const b = new HedgeCore({ clock: new VirtualClock(), ...options });
  const random = new SeededRandom(7);
  let now = 0;
  let reasks = 0;
  for (let call = 0; call < 400; call++) {
    now += random.next() * 3;
    const run = a.begin(now);
    const start = now;
    const delay = b.start(now);
    assert.equal(delay < 0 ? undefined : delay, run.delayMs, `call ${call}: delay`);
    const sent = [now];
    run.launch(now);
    let launched = 1;
    let reask = false;
    let t = now;
    // decisions until the answer, which comes after a drawn latency
    const answerAt = now + random.next() * 20;
    for (;;) {
      const waitA = run.nextCheckMs(t);
      const waitB = b.checkAfterMs(t, start, delay, launched, reask);
      assert.equal(waitB < 0 ? undefined : waitB, waitA, `call ${call}: next check at ${t}`);
      if (waitA === undefined || t + waitA >= answerAt) break;
      t += waitA;
      const allowedA = run.due(t);
      const allowedB = b.decide(t, start, launched, reask, delay);
      assert.equal(allowedB, allowedA, `call ${call}: decision at ${t}`);
      reask = !allowedB;
      if (reask) reasks++;
      if (allowedA) {
        run.launch(t);
        sent.push(t);
        launched++;
      }
    }
    const winner = Math.floor(random.next() * launched);
    run.succeeded(winner, answerAt);
    b.observe(answerAt - sent[winner]!);
    for (let j = 0; j < launched; j++) if (j !== winner) b.observe(answerAt - sent[j]!);
    b.won(winner, answerAt - start, launched);
    now = Math.max(now, t);
  }
  assert.deepEqual(b.stats(), a.stats());
  assert.ok(
    a.stats().hedges > 10 && a.stats().refused > 10 && reasks > 10,
    `a run that hedges and is refused: ${JSON.stringify(a.stats())}`,
  );
});
