/**
 * Slow answers bunched in time (lab/client/slow-bunching.ts): answers slow on their own chance give
 * a dispersion near 1 and no correlation between replicas; answers slow together give far more of
 * both; the trace reader takes a window's answered round trips only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from 'headroom';
import { bunching, summariseBunching, BUNCH_BIN_MS } from '../../src/lab/client/slow-bunching.js';
import { windowRoundTrips, type RoundTrip } from '../../src/lab/client/round-trips.js';

/** 3 replicas answering every 0.5 ms in turn for 40 s, 4 ms each; `slow(t, replica, random)` says which take 20 ms. */
function trips(slow: (t: number, replica: number, random: SeededRandom) => boolean): RoundTrip[] {
  const random = new SeededRandom(7);
  const out: RoundTrip[] = [];
  for (let i = 0; i < 80_000; i++) {
    const t = i * 0.5;
    const replica = i % 3;
    out.push({ t, replica, ms: slow(t, replica, random) ? 20 : 4 + random.next() });
  }
  return out;
}

test('answers slow on their own chance: dispersion near 1, no correlation between the replicas', () => {
  const b = bunching(
    trips((_t, _r, random) => random.chance(0.04)),
    3,
    0,
    40_000,
    250,
  )!;
  assert.ok(Math.abs(b.slow / b.answers - 0.05) < 0.005, `slow share ${b.slow / b.answers}`);
  assert.ok(b.dispersion > 0.8 && b.dispersion < 1.2, `dispersion ${b.dispersion}`);
  assert.ok(Math.abs(b.correlation) < 0.05, `correlation ${b.correlation}`);
});

test('answers slow together, in one 20 ms stretch of every 400 ms at every replica: dispersion far above 1, the replicas correlated', () => {
  const b = bunching(
    trips((t) => t % 400 < BUNCH_BIN_MS),
    3,
    0,
    40_000,
    250,
  )!;
  assert.ok(b.correlation > 0.9, `correlation ${b.correlation}`);
  assert.ok(b.dispersion > 10, `dispersion ${b.dispersion}`);
  // one replica slow in those stretches, the others on their own chance: bunched, but not together
  const one = bunching(
    trips((t, replica, random) => (replica === 0 ? t % 400 < BUNCH_BIN_MS : random.chance(0.04))),
    3,
    0,
    40_000,
    250,
  )!;
  assert.ok(one.dispersion > 3, `dispersion ${one.dispersion}`);
  assert.ok(Math.abs(one.correlation) < 0.05, `correlation ${one.correlation}`);
});

test('round trips at or over the injected stall are left out, and a window without a slow answer has no figure', () => {
  const all = trips(() => false).map((r, i) => (i % 100 === 0 ? { ...r, ms: 250 } : r));
  const b = bunching(all, 3, 0, 40_000, 250)!;
  assert.equal(b.answers, 80_000 - 800);
  assert.equal(bunching([{ t: 1, replica: 0, ms: 3 }], 1, 0, 100, 250), null);
});

test("the trace reader sums up each phase's window from its answered round trips, and no others", () => {
  const lines = [
    { ev: 'phase', t: 0, scenario: 'stalls', phase: 'hedging' },
    { ev: 'rtt', t: 5, replica: 0, ms: 90, outcome: 'success' }, // before the window
    { ev: 'window', t: 10, edge: 'start' },
    ...trips((t) => t % 400 < BUNCH_BIN_MS)
      .slice(0, 8000)
      .map((r) => ({ ev: 'rtt', t: 10 + r.t, replica: r.replica, ms: r.ms, outcome: 'success' })),
    { ev: 'rtt', t: 20, replica: 1, ms: 50, outcome: 'ignored' }, // a given-up attempt
    { ev: 'window', t: 4010, edge: 'end' },
  ];
  const [phase, ...rest] = summariseBunching(windowRoundTrips(lines.map((l) => JSON.stringify(l)).join('\n'), 'picks.ndjson'), 250);
  assert.equal(rest.length, 0);
  assert.equal(phase!.scenario, 'stalls');
  assert.equal(phase!.answers, 8000);
  assert.ok(phase!.correlation > 0.9, `correlation ${phase!.correlation}`);
});
