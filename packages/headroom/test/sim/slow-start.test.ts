import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { runModel, type ClientSpec, type ModelSpec } from '../../src/sim/index.js';

// Slow start through the client's real BalancerCore: 10 servers behind smooth weighted round-robin
// (exact shares, so the check can be tight), health checks every 100 ms; server 0 crashes at 5 s
// and restarts at 10 s. Once its probe passes again the core ramps its weight linearly from 10% to
// 100% over 10 s (Envoy's curve: max(10%, t / window)); the share of calls it gets is then
// f / (9 + f). About 2,000 calls per second: the check per second is exact up to WRR's rounding
// and the 100 ms before the probe notices the restart, so a 1-point band fails a missing ramp
// (10% at once) or a ramp of the wrong length.
const model = (slowStart: ClientSpec['slowStart']): ModelSpec => ({
  duration: '25s',
  warmup: '1s',
  arrivals: { type: 'constant', ratePerSec: 2000 },
  clients: {
    picker: 'smooth-wrr',
    health: { interval: '100ms', timeout: '50ms', healthyThreshold: 1, unhealthyThreshold: 1, jitterPercent: 0 },
    outlier: false,
    ...(slowStart === undefined ? {} : { slowStart }),
  },
  servers: [{ count: 10, workers: 4, service: { type: 'exponential', mean: '1ms' } }],
  faults: [
    { atMs: 5_000, action: 'crash', servers: [0] },
    { atMs: 10_000, action: 'restart', servers: [0] },
  ],
});

/** Share of the dispatches of each second that went to server 0. */
function sharePerSecond(spec: ModelSpec, seed: number): number[] {
  const total = new Array<number>(30).fill(0);
  const to0 = new Array<number>(30).fill(0);
  runModel(spec, seed, {
    onDispatch: (atMs, _client, server) => {
      const s = Math.floor(atMs / 1000);
      total[s]!++;
      if (server === 0) to0[s]!++;
    },
  });
  return total.map((n, i) => (n > 0 ? to0[i]! / n : 0));
}

test('slow start: a restarted server’s share ramps over the window (10% → 100% weight), without it the full share at once', () => {
  const seed = seedFromEnv(81);
  const replay = `HEADROOM_SEED=${seed}`;
  const ramp = sharePerSecond(model({ window: '10s' }), seed);
  const flat = sharePerSecond(model(undefined), seed);
  const expected = (second: number): number => {
    // mean over the second of f/(9+f), f = max(0.1, t/10), t from the restart (10 s); the core steps weights every 200 ms
    let sum = 0;
    for (let k = 0; k < 5; k++) {
      const t = second - 10 + k * 0.2;
      const f = t >= 10 ? 1 : Math.max(0.1, t / 10);
      sum += f / (9 + f);
    }
    return sum / 5;
  };
  for (let s = 6; s < 10; s++) assert.equal(ramp[s], 0, `second ${s}: server 0 is down. ${replay}`);
  for (let s = 11; s < 25; s++) {
    assert.ok(
      Math.abs(ramp[s]! - expected(s)) < 0.01,
      `second ${s}: share ${ramp[s]} vs ${expected(s).toFixed(4)} with slow start. ${replay}`,
    );
    assert.ok(Math.abs(flat[s]! - 0.1) < 0.01, `second ${s}: share ${flat[s]} without slow start. ${replay}`);
  }
  assert.ok(ramp[11]! < 0.03, `second 11: ${ramp[11]}`);
});

test('slow start is validated: its options by path, and a picker that ignores weights is refused', () => {
  assert.throws(() => runModel(model({ window: 0 }), 1), /clients\.slowStart\.window/);
  assert.throws(() => runModel(model({ window: '10s', minWeightPercent: 120 }), 1), /clients\.slowStart\.minWeightPercent/);
  const rr = model({ window: '10s' });
  assert.throws(() => runModel({ ...rr, clients: { ...rr.clients, picker: 'round-robin' } }, 1), /clients\.slowStart.*honours weights/);
});
