import { test } from 'node:test';
import assert from 'node:assert/strict';
import hdr from 'hdr-histogram-js';
import { LatencyHistogram } from '../../src/core/histogram.js';
import { SeededRandom } from '../../src/core/random.js';

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

test("snapshot's mean is HdrHistogram's mean to the bit (every shape: merged, corrected, resized past an hour, decoded)", () => {
  const rnd = new SeededRandom(15);
  const hdrMean = (h: LatencyHistogram): number => hdr.decodeFromCompressedBase64(h.encode(), 32, false).mean / 1000;
  const cases: LatencyHistogram[] = [];
  // Finagle-like: ≈ 167 ms pings, one backend 10× slower — thousands of sub-buckets between the values.
  const finagle = new LatencyHistogram();
  for (let i = 0; i < 56_250; i++) finagle.record((164.1 + 36 * rnd.next() ** 3) * (i % 11 === 10 ? 10 : 1));
  cases.push(finagle);
  // From 1 µs to 10 hours (the histogram grows past its initial hour), heavy-tailed.
  const wide = new LatencyHistogram();
  for (let i = 0; i < 20_000; i++) wide.record(Math.exp(rnd.next() * Math.log(36_000_000)) / 1000);
  cases.push(wide);
  for (let k = 0; k < 30; k++) {
    const scale = 10 ** (rnd.next() * 6 - 2);
    const h = new LatencyHistogram();
    const other = new LatencyHistogram();
    for (let i = 0, n = 1 + Math.floor(rnd.next() * 5000); i < n; i++) {
      h.record(scale * -Math.log(1 - rnd.next()));
      other.record(scale * rnd.next() * 3);
    }
    if (k % 3 === 0) h.recordCorrected(scale * 40, scale);
    if (k % 2 === 0) h.merge(other);
    cases.push(h, LatencyHistogram.decode(h.encode()));
  }
  // Zeros (never recorded here, but an encoded histogram from elsewhere may hold them), alone or not.
  for (const values of [
    [0, 0, 0],
    [0, 0, 1, 1, 7, 1500, 250_000],
  ]) {
    const withZeros = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
    for (const v of values) withZeros.recordValue(v);
    cases.push(LatencyHistogram.decode(hdr.encodeIntoCompressedBase64(withZeros)));
  }
  for (const h of cases) assert.equal(h.snapshot().mean, hdrMean(h), `count ${h.count}`);
  assert.equal(new LatencyHistogram().snapshot().mean, 0);
});

test('recording through the pending counts leaves the HdrHistogram exactly as recording each value would', () => {
  const rnd = new SeededRandom(7);
  const build = (): hdr.Histogram =>
    hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 3_600_000_000,
      numberOfSignificantValueDigits: 3,
      autoResize: true,
      useWebAssembly: false,
    });
  const same = (h: LatencyHistogram, ref: hdr.Histogram, what: string): void => {
    assert.equal(h.count, ref.totalCount, `${what}: count`);
    const s = h.snapshot();
    if (ref.totalCount > 0) {
      assert.equal(s.min, ref.minNonZeroValue / 1000, `${what}: min`);
      assert.equal(s.max, ref.maxValue / 1000, `${what}: max`);
      assert.equal(s.mean, ref.mean / 1000, `${what}: mean`);
      for (const p of [0, 1, 50, 90, 99, 99.9, 99.99, 100])
        assert.equal(h.percentile(p), ref.getValueAtPercentile(p) / 1000, `${what}: p${p}`);
    }
    assert.equal(h.encode(), hdr.encodeIntoCompressedBase64(ref), `${what}: encoding`);
    assert.equal(h.percentileDistribution(), ref.outputPercentileDistribution(5, 1000), `${what}: distribution`);
  };
  // Integer microseconds from 1 µs to 10 hours: every bucket of the shift's range (bucket 0's unit
  // steps, 2^11 and 2^31 − 1 at the edges), and past it (direct, and growing the histogram).
  const draw = (): number => {
    const u = rnd.next();
    if (u < 0.05) return [1, 2047, 2048, 2049, 4095, 4096, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1][rnd.int(9)]!;
    return Math.max(1, Math.round(Math.exp(rnd.next() * Math.log(36_000_000_000))));
  };
  for (let k = 0; k < 40; k++) {
    const h = new LatencyHistogram();
    const ref = build();
    const other = new LatencyHistogram();
    const otherRef = build();
    for (let i = 0, n = rnd.int(3000); i < n; i++) {
      const us = k % 4 === 0 ? 164_100 + rnd.int(40_000) : draw();
      h.record(us / 1000);
      ref.recordValue(us);
      if (rnd.chance(0.01)) assert.equal(h.count, ref.totalCount); // a read mid-stream
      if (rnd.chance(0.002)) same(h, ref, `case ${k} mid-stream`);
      if (rnd.chance(0.3)) {
        const v = draw();
        other.record(v / 1000);
        otherRef.recordValue(v);
      }
    }
    same(h, ref, `case ${k}`);
    if (k % 3 === 0) {
      h.recordCorrected(40, 1);
      ref.recordValueWithExpectedInterval(40_000, 1000);
    }
    h.merge(other);
    ref.add(otherRef);
    same(h, ref, `case ${k} merged`);
    const cloneRef = build(); // a copy grows to the original's largest value, not step by step
    cloneRef.add(ref);
    same(h.clone(), cloneRef, `case ${k} clone`);
    // An encoding keeps counts, not the exact extremes: compare with the reference's own round trip.
    const decodedRef = build();
    decodedRef.add(hdr.decodeFromCompressedBase64(hdr.encodeIntoCompressedBase64(ref), 32, false));
    same(LatencyHistogram.decode(h.encode()), decodedRef, `case ${k} decoded`);
    h.record(0.5);
    h.reset();
    ref.reset();
    same(h, ref, `case ${k} reset`);
  }
});
