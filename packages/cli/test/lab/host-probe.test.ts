/** The lab's host probe: a fixed piece of CPU work timed in CPU and in wall time (the wall on the injected clock). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from 'headroom';
import { probeHost } from '../../src/lab/host-probe.js';

test('the probe reports the least CPU time of its repetitions, and wall time on the clock it is given', () => {
  // a clock that moves 7 ms between two readings: each repetition takes 7 ms of wall time
  let t = 0;
  const clock: Clock = { now: () => (t += 7), wallNow: () => t, setTimer: () => ({ cancel: () => undefined }) };
  const p = probeHost(clock);
  assert.equal(p.wallMs, 7);
  // the work is real: it takes CPU time, and well under a second even on a busy machine
  assert.ok(p.cpuMs > 0 && p.cpuMs < 1000, `cpu ${p.cpuMs} ms`);
});
