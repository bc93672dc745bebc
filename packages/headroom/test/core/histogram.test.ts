import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram } from '../../src/core/histogram.js';

test('percentiles within 0.1% on 1..1000 ms', () => {
  const h = new LatencyHistogram();
  for (let i = 1; i <= 1000; i++) h.record(i);
  const s = h.snapshot();
  assert.equal(s.count, 1000);
  assert.ok(Math.abs(s.p50 - 500) <= 0.5, `p50=${s.p50}`);
  assert.ok(Math.abs(s.p99 - 990) <= 1, `p99=${s.p99}`);
  assert.ok(Math.abs(s.max - 1000) <= 1);
  assert.equal(s.min, 1);
});

test('coordinated-omission correction back-fills the hidden samples', () => {
  // A closed-loop generator meant to send every 10 ms; 99 requests take 1 ms, one stalls 1 s.
  const naive = new LatencyHistogram();
  const corrected = new LatencyHistogram();
  for (let i = 0; i < 99; i++) {
    naive.record(1);
    corrected.recordCorrected(1, 10);
  }
  naive.record(1000);
  corrected.recordCorrected(1000, 10);
  assert.equal(naive.count, 100);
  // 1000 ms stall at a 10 ms interval hides 99 requests: 990, 980, ..., 10 ms.
  assert.equal(corrected.count, 199);
  assert.ok(naive.percentile(90) < 2);
  assert.ok(corrected.percentile(90) > 700, `corrected p90=${corrected.percentile(90)}`);
});

test('merge, clone, reset; bad values rejected', () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  a.record(1);
  b.record(100);
  const c = a.clone();
  a.merge(b);
  assert.equal(a.count, 2);
  assert.equal(c.count, 1);
  a.reset();
  assert.equal(a.count, 0);
  assert.equal(a.snapshot().p99, 0);
  assert.throws(() => a.record(-1), /finite, non-negative/);
  assert.throws(() => a.recordCorrected(1, 0), /expectedIntervalMs/);
  assert.throws(() => a.percentile(101), /0 to 100/);
});
