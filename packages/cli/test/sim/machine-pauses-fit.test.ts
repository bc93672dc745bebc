/**
 * `sim-vs-lab --picks`: a baseline window's fleet-wide stalls (every replica lagging at once) fitted
 * as the model's `machinePauses` — their rate and their lengths (each the replicas' shortest lag);
 * and each replica's own stall time per window, which rescales its pauses in a later phase.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { machinePausesOf, parseStallTrace, phaseWindows, stallShareOf } from '../../src/lab/client/fleet-stalls.js';

const origin = 1_700_000_000_000;
const trace = [
  { ev: 'phase', t: 0, epochMs: origin, scenario: 'slow-replica', phase: 'round-robin' },
  { ev: 'window', t: 1_000, epochMs: origin + 1_000, edge: 'start' },
  { ev: 'pick', t: 1_500, c: [[0, 10, 0]], chosen: 0 },
  { ev: 'window', t: 11_000, epochMs: origin + 11_000, edge: 'end' },
  { ev: 'phase', t: 12_000, epochMs: origin + 12_000, scenario: 'slow-replica', phase: 'p2c + peak-ewma' },
  { ev: 'window', t: 13_000, epochMs: origin + 13_000, edge: 'start' },
  { ev: 'window', t: 23_000, epochMs: origin + 23_000, edge: 'end' },
]
  .map((e) => JSON.stringify(e))
  .join('\n');

// [at ms after origin, lag of replica 0, 1, 2 (0: none)]
const lags: [number, number, number, number][] = [
  [2_000, 4, 5, 6], // fleet-wide: shortest 4
  [4_000, 9, 0, 0], // replica 0 alone
  [6_000, 8, 6, 7], // fleet-wide: shortest 6
  [15_000, 5, 5, 5], // fleet-wide, in the P2C window
];
const replicas = [0, 1, 2].map((r) =>
  parseStallTrace(
    lags
      .filter((l) => l[r + 1]! > 0)
      .map((l) => JSON.stringify({ ev: 'replica-lag', replica: r, epochMs: origin + l[0] + r, ms: l[r + 1] }))
      .join('\n'),
    `r${r}`,
  ),
);

test("every phase's window is read from the trace, a round-robin one too", () => {
  assert.deepEqual(phaseWindows(trace, 'picks'), [
    { scenario: 'slow-replica', phase: 'round-robin', start: origin + 1_000, end: origin + 11_000 },
    { scenario: 'slow-replica', phase: 'p2c + peak-ewma', start: origin + 13_000, end: origin + 23_000 },
  ]);
});

test("a window's fleet-wide stalls become machine pauses at their rate, each the replicas' shortest lag", () => {
  const [base, p2c] = phaseWindows(trace, 'picks');
  const fit = machinePausesOf(replicas, base!)!;
  assert.equal(fit.stalls, 2, 'the two fleet-wide stalls in the baseline window, not replica 0 alone nor the later one');
  assert.equal(fit.windowMs, 10_000);
  assert.equal(fit.meanMs, 5);
  assert.deepEqual(fit.pauses, {
    interval: { type: 'exponential', mean: 10_000 / 2 - 5 },
    duration: {
      type: 'empirical',
      buckets: [
        [4, 1],
        [6, 1],
      ],
    },
  });
  assert.equal(machinePausesOf(replicas, p2c!)!.stalls, 1);
  assert.equal(machinePausesOf(replicas, { start: origin + 7_000, end: origin + 11_000 }), undefined, 'no stall: no pauses');
});

test("a replica's stall time in a window is the sum of its lags that began there, over the window's length", () => {
  const [base, p2c] = phaseWindows(trace, 'picks');
  // replica 0: 4 + 9 + 8 ms in the 10 s baseline window, 5 ms in the P2C one; replica 1: 5 + 6, then 5
  assert.equal(stallShareOf(replicas[0]!, base!), 21 / 10_000);
  assert.equal(stallShareOf(replicas[0]!, p2c!), 5 / 10_000);
  assert.equal(stallShareOf(replicas[1]!, base!), 11 / 10_000);
  assert.equal(stallShareOf(replicas[1]!, { start: origin + 7_000, end: origin + 11_000 }), 0, 'no lag began there');
});
