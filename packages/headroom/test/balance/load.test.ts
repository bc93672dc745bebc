import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/core/errors.js';
import { peakEwma } from '../../src/balance/load/peak-ewma.js';
import { outstanding } from '../../src/balance/load/outstanding.js';

const T0 = 1_000_000;
const TAU = 10_000;
const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) < 1e-9 * Math.max(1, expected), `${what}: ${actual} ≠ ${expected}`);

test('outstanding: load = pending + 1, never below 1', () => {
  const m = outstanding().create();
  assert.equal(m.load(T0), 1);
  m.start(T0);
  m.start(T0);
  assert.equal(m.load(T0), 3);
  m.end(T0, 5, 'success');
  m.end(T0, 5, 'failure');
  m.end(T0, 5, 'ignored');
  assert.equal(m.load(T0), 1);
});

test('peak-EWMA (Finagle): unknown idle node costs 0, a pending probe costs the penalty, the first RTT sets the cost', () => {
  const m = peakEwma({ decay: TAU }).create();
  assert.equal(m.load(T0), 0);
  m.start(T0);
  assert.ok(m.load(T0) > 1e12, 'no history + a request in flight → penalty');
  m.end(T0 + 10, 10, 'success');
  close(m.load(T0 + 10), 10, 'cost after one 10 ms answer');
  m.start(T0 + 10);
  m.start(T0 + 10);
  close(m.load(T0 + 10), 30, 'cost × (pending + 1)');
});

test('peak-EWMA: a higher RTT replaces the estimate at once; a lower one blends in with weight 1 − e^(−Δt/τ)', () => {
  const m = peakEwma({ decay: TAU }).create();
  m.start(T0);
  m.end(T0, 10, 'success');
  m.start(T0);
  m.end(T0, 50, 'success');
  close(m.load(T0), 50, 'peak');
  m.start(T0);
  m.end(T0 + TAU, 10, 'success');
  close(m.load(T0 + TAU), 50 * Math.exp(-1) + 10 * (1 - Math.exp(-1)), 'blend after one τ');
});

test('peak-EWMA: reading decays the estimate toward 0 (idle nodes get probed again)', () => {
  const m = peakEwma({ decay: TAU }).create();
  m.start(T0);
  m.end(T0, 100, 'success');
  close(m.load(T0 + TAU), 100 * Math.exp(-1), 'one τ idle');
  close(m.load(T0 + 3 * TAU), 100 * Math.exp(-3), 'three τ idle (two more, from the last read)');
});

test('peak-EWMA (Linkerd): defaultRttMs seeds unknown nodes', () => {
  const m = peakEwma({ decay: TAU, defaultRtt: 30 }).create();
  close(m.load(T0), 30, 'idle');
  m.start(T0);
  close(m.load(T0), 60, 'one pending');
});

test('peak-EWMA: a cancelled request may raise the estimate (a lower bound on RTT) but never lowers it', () => {
  const m = peakEwma({ decay: TAU }).create();
  m.start(T0);
  m.end(T0, 20, 'success');
  m.start(T0);
  m.end(T0, 5, 'ignored');
  close(m.load(T0), 20, 'short cancel ignored');
  m.start(T0);
  m.end(T0, 80, 'ignored');
  close(m.load(T0), 80, 'long cancel raises');
});

test('peak-EWMA: metrics of one factory keep their own numbers, across the chunks they share', () => {
  const factory = peakEwma({ decay: TAU, defaultRtt: 5 });
  const metrics = Array.from({ length: 200 }, () => factory.create());
  metrics.forEach((m, i) => {
    m.start(T0 + i);
    m.end(T0 + i, 10 + i, 'success');
  });
  metrics.forEach((m, i) => close(m.load(T0 + i), 10 + i, `metric ${i}`));
  close(factory.create().load(T0), 5, 'a new metric after them starts from defaultRtt');
});

test('peak-EWMA validates its options', () => {
  for (const bad of [{ decay: 0 }, { decay: Number.NaN }, { decay: 'soon' }, { defaultRtt: -1 }]) {
    assert.throws(
      () => peakEwma(bad),
      (e) => isHeadroomError(e, 'HR_CORE_INVALID_DURATION') && /peakEwma\./.test((e as Error).message),
      JSON.stringify(bad),
    );
  }
});
