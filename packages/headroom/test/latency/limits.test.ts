import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.js';
import { isHeadroomError } from '../../src/core/errors.js';
import {
  AimdLimit,
  FixedLimit,
  Gradient2Limit,
  VegasLimit,
  WindowedLimit,
  log10Root,
  type LimitAlgorithm,
} from '../../src/latency/index.js';

test('log10Root matches Netflix Log10RootFunction', () => {
  assert.deepEqual([0, 1, 9, 10, 99, 100, 999, 1000, 4096].map(log10Root), [1, 1, 1, 1, 1, 2, 2, 31, 64]);
});

test('AIMD: Netflix defaults and rules (×0.9 on drop or timeout, +1 when half used, clamped)', () => {
  const aimd = new AimdLimit();
  assert.equal(aimd.limit, 20);
  assert.equal(aimd.update(0, 10, 20, true), 20, 'minLimit 20 holds the default at 20');
  const a = new AimdLimit({ minLimit: 1, maxLimit: 22, timeout: 100 });
  assert.equal(a.update(0, 10, 10, false), 21, 'inflight 10 ≥ 20/2 → +1');
  assert.equal(a.update(0, 10, 5, false), 21, 'app-limited: no growth');
  assert.equal(a.update(0, 10, 21, false), 22);
  assert.equal(a.update(0, 10, 22, false), 22, 'maxLimit');
  assert.equal(a.update(0, 150, 22, false), 19, 'rtt > timeout is a drop: trunc(22 × 0.9)');
  assert.equal(a.update(0, 10, 19, true), 17);
  assert.throws(
    () => new AimdLimit({ backoffRatio: 0.3 }),
    (e) => isHeadroomError(e, 'HR_LATENCY_INVALID_OPTION'),
  );
  assert.throws(
    () => new AimdLimit({ minLimit: 50, maxLimit: 10 }),
    (e) => isHeadroomError(e, 'HR_LATENCY_INVALID_OPTION'),
  );
});

test('Vegas: queue estimate limit × (1 − rttNoLoad/rtt) drives +beta / +log / −log / hold', () => {
  const v = new VegasLimit({ random: new SeededRandom(1), probeMultiplier: 1000 });
  assert.equal(v.limit, 20);
  assert.equal(v.update(0, 10, 20, false), 20, 'first sample only sets rttNoLoad');
  assert.equal(v.rttNoLoadMs, 10);
  assert.equal(v.update(0, 10, 20, false), 26, 'queue 0 ≤ threshold 1 → +beta (6)');
  assert.equal(v.update(0, 20, 26, false), 25, 'queue ceil(26 × 0.5) = 13 > beta 6 → −1');
  assert.equal(v.update(0, 20, 5, false), 25, 'app-limited (5 < 25/2): hold');
  assert.equal(v.update(0, 11.5, 25, false), 25, 'queue ceil(25 × 0.13) = 4 within [alpha 3, beta 6]: hold');
  assert.equal(v.update(0, 10.5, 25, false), 26, 'queue ceil(25 × 0.048) = 2: above threshold 1, below alpha 3 → +1');
  assert.equal(v.update(0, 10, 26, true), 25, 'drop → −log10');
  assert.equal(v.update(0, 5, 25, false), 25, 'a faster sample becomes rttNoLoad');
  assert.equal(v.rttNoLoadMs, 5);
});

test('Vegas re-probes rttNoLoad every probeMultiplier × limit × U[0.5, 1) samples (jitter from the injected Random)', () => {
  const probeAt = (seed: number): number => {
    const v = new VegasLimit({ random: new SeededRandom(seed), probeMultiplier: 2, initialLimit: 10 });
    v.update(0, 5, 1, false);
    for (let i = 1; i <= 40; i++) {
      v.update(0, 50, 1, false); // app-limited samples: the limit stays 10
      if (v.rttNoLoadMs === 50) return i;
    }
    return -1;
  };
  const first = probeAt(3);
  assert.ok(first >= 10 && first <= 20, `probe after ${first} samples, expected in [2 × 10 × 0.5, 2 × 10]`);
  assert.equal(probeAt(3), first, 'same seed, same probe');
});

test('Gradient2: warm-up mean, gradient clamp, smoothing, queueSize, app-limited hold, long-RTT decay', () => {
  const g = new Gradient2Limit({ minLimit: 1 });
  assert.equal(g.limit, 20);
  g.update(0, 10, 20, false); // long 10, gradient 1 → 20·0.8 + 24·0.2 = 20.8
  assert.equal(g.limit, 20);
  g.update(0, 30, 20, false); // long 20, 1.5·20/30 = 1 → 20.8·0.8 + 24.8·0.2 = 21.6
  assert.equal(g.limit, 21);
  g.update(0, 100, 21, false); // long 46.67, 1.5·46.67/100 = 0.7 → 21.104
  assert.equal(g.limit, 21);
  assert.ok(Math.abs(g.longRttMs - 140 / 3) < 1e-9);
  g.update(0, 10, 5, false); // app-limited: limit held, long RTT still learns
  assert.equal(g.limit, 21);
  assert.equal(g.longRttMs, (150 / 4) * 0.95, 'long/short > 2 decays the long RTT by 5%');
  const drop = new Gradient2Limit({ minLimit: 1 });
  drop.update(0, 10, 20, true);
  assert.equal(drop.limit, 20, 'drops are ignored, as in Netflix Gradient2');
  const floor = new Gradient2Limit();
  for (let i = 0; i < 50; i++) floor.update(0, i < 10 ? 10 : 1000, 20, false);
  assert.equal(floor.limit, 20, 'minLimit 20 by default');
});

test('WindowedLimit hands its delegate one sample per window: mean RTT, max inflight, any drop', () => {
  const seen: Array<[number, number, boolean]> = [];
  const delegate: LimitAlgorithm = {
    limit: 7,
    update: (_s, rtt, inflight, dropped) => {
      seen.push([rtt, inflight, dropped]);
      return 7;
    },
  };
  const w = new WindowedLimit(delegate, { minWindow: 100, maxWindow: 100, windowSize: 3 });
  w.update(0, 0.01, 50, false); // below minRttThresholdMs: ignored entirely
  for (let i = 0; i < 4; i++) w.update(i, 10 + i, i + 1, i === 2);
  // 3 non-dropped samples (10, 11, 13) is not > windowSize 3 yet.
  assert.equal(seen.length, 0);
  w.update(5, 16, 2, false); // 4 samples, end 21 > next update (−∞): close
  assert.deepEqual(seen, [[(10 + 11 + 13 + 16) / 4, 4, true]]);
  for (let i = 0; i < 5; i++) w.update(30 + i, 10, 1, false);
  assert.equal(seen.length, 1, 'the next window closes only 100 ms after the last');
  w.update(200, 10, 1, false);
  assert.equal(seen.length, 2);
  assert.equal(w.limit, 7);
  assert.equal(new FixedLimit(5).update(), 5);
});
