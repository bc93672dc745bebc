// The chaos scenario's reading of its timeline, on hand-made points: recovery times, the kill's
// failures and ejection, the fallback figures and the verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseChaos, chaosStages, chaosVerdict, recoveryAfter } from '../../src/lab/chaos/analysis.js';
import type { ChaosPoint } from '../../src/lab/chaos/types.js';

const point = (tSec: number, over: Partial<ChaosPoint> = {}): ChaosPoint => ({
  tSec,
  okPerSec: 100,
  errorsPerSec: 0,
  p50: 2,
  p99: 10,
  storeQps: 40,
  hitRatio: 0.6,
  ...over,
});

test('recoveryAfter: time to the end of the last bad interval; null when the window ends bad or is empty', () => {
  const points = [point(1), point(2, { p99: 300 }), point(3, { p99: 200 }), point(4), point(5)];
  const ok = (p: ChaosPoint): boolean => p.p99 !== null && p.p99 <= 25;
  assert.equal(recoveryAfter(points, 1, 5, 1, ok), 2); // bad until t = 3
  assert.equal(recoveryAfter(points, 3, 5, 1, ok), 0);
  assert.equal(recoveryAfter(points, 0, 3, 1, ok), null);
  assert.equal(recoveryAfter(points, 10, 12, 1, ok), null);
});

test('analyseChaos and chaosStages: kill, stall and heal figures from the timeline and the failures', () => {
  const events = { killSec: 4, stallSec: 8, healSec: 12, endSec: 16 };
  const timeline: ChaosPoint[] = [];
  for (let t = 1; t <= 16; t++) {
    if (t > 8 && t <= 9) timeline.push(point(t, { p99: 260, storeQps: 120, hitRatio: 0 }));
    else if (t > 9 && t <= 12) timeline.push(point(t, { p99: 15, storeQps: 120, hitRatio: 0 }));
    else if (t > 12 && t <= 14) timeline.push(point(t, { hitRatio: 0.2 }));
    else timeline.push(point(t));
  }
  const failures = [
    { atSec: 4.1, write: false },
    { atSec: 4.3, write: true },
    { atSec: 8.5, write: true },
  ];
  const o = { events, intervalSec: 1, timeline, failures, ejectedSec: 4.25, stallP99: 250 };
  const a = analyseChaos(o);
  assert.equal(a.kill.failures, 2);
  assert.ok(Math.abs(a.kill.ejectedAfterSec! - 0.25) < 1e-9);
  assert.ok(Math.abs(a.kill.recoverySec - 0.3) < 1e-9);
  assert.deepEqual(a.stall.steady, { p99: 10, storeQps: 40, hitRatio: 0.6 });
  assert.deepEqual(a.stall.during, { p99: 250, storeQps: 120, hitRatio: 0 });
  assert.equal(a.stall.readFailures, 0);
  assert.equal(a.stall.writeFailures, 1);
  assert.equal(a.stall.latencyRecoverySec, 1); // p99 260 ms in (8, 9], within 2 × 10 + 5 after
  assert.equal(a.stall.tierBackAfterSec, 2); // hit ratio 20% until t = 14
  const stages = chaosStages(o, a);
  assert.deepEqual(
    stages.map((s) => [s.label, s.errors]),
    [
      ['steady', 0],
      ['replica 0 killed', 2],
      ['Redis stalled', 1],
      ['healed', 0],
    ],
  );
  const writes = { sent: 10, acknowledged: 7, answeredError: 1, unanswered: 2, present: 8, lost: 0 };
  assert.match(chaosVerdict({ ...a, writes }), /ejected 0\.25 s after the kill.*×3\.0.*no acknowledged write lost/);
  assert.match(chaosVerdict({ ...a, writes: { ...writes, present: 5, lost: 2 } }), /2 ACKNOWLEDGED WRITES LOST/);
});
