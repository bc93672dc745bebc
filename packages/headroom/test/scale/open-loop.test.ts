import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FifoBackend } from '@headroom/testkit/fifo-backend';
import { sleep, type Clock } from '../../src/core/clock.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { constantRate, poissonRate, runOpenLoop, type LoadProgress } from '../../src/scale/index.js';

test('constant rate on a virtual clock: every request goes out exactly at its intended time, latency is the service time', async () => {
  const clock = new VirtualClock();
  const start = clock.now();
  const sends: number[] = [];
  const done = runOpenLoop(
    async (a) => {
      sends.push(clock.now());
      assert.equal(a.intendedMs, clock.now());
      await sleep(clock, 3);
    },
    { schedule: constantRate(100, '1s'), clock },
  );
  await clock.advanceBy(2_000);
  const r = await done;
  assert.deepEqual(
    sends,
    Array.from({ length: 100 }, (_, k) => start + 10 * k),
  );
  assert.equal(r.sent, 100);
  assert.equal(r.ok, 100);
  assert.deepEqual(r.failures, {});
  assert.ok(r.sendLag.max <= 0.001, `lag ${r.sendLag.max} ms`); // 0, at the histogram's 1 µs floor
  assert.equal(r.driverBehind, false);
  const total = r.recorder.total();
  assert.equal(total.min, 3);
  assert.equal(total.max, 3);
  assert.equal(r.sentEndMs, start + 990, 'sending ends with the last arrival');
  assert.equal(r.endMs, start + 993, 'the run ends when the last request settles');
  assert.equal(r.aborted, false);
});

test('stepped rate: each step keeps its own spacing; a rate-0 step is a pause', async () => {
  const clock = new VirtualClock();
  const start = clock.now();
  const sends: number[] = [];
  const done = runOpenLoop(async () => void sends.push(clock.now() - start), {
    schedule: {
      arrivals: 'constant',
      steps: [
        { ratePerSec: 10, duration: '500ms' },
        { ratePerSec: 0, duration: 300 },
        { ratePerSec: 20, duration: '0.2s' },
      ],
    },
    clock,
  });
  await clock.advanceBy(2_000);
  assert.equal((await done).sent, 9);
  assert.deepEqual(sends, [0, 100, 200, 300, 400, 800, 850, 900, 950]);
});

test('Poisson rate: N ≈ rate × duration (4σ), exponential gaps, same seed → same schedule', async () => {
  const schedule = async (seed: number): Promise<number[]> => {
    const clock = new VirtualClock();
    const start = clock.now();
    const times: number[] = [];
    const done = runOpenLoop(async (a) => void times.push(a.intendedMs - start), {
      schedule: poissonRate(1_000, '10s'),
      clock,
      random: new SeededRandom(seed),
    });
    await clock.advanceBy(10_000);
    assert.equal((await done).sent, times.length);
    return times;
  };
  const times = await schedule(11);
  // N ~ Poisson(10,000): σ = 100, allow 4σ.
  assert.ok(Math.abs(times.length - 10_000) <= 400, `sent ${times.length}`);
  assert.equal(times[0], 0);
  assert.ok(times.at(-1)! < 10_000);
  // Exponential gaps: the share shorter than the mean (1 ms) is 1 − 1/e ≈ 0.632 (σ ≈ 0.005 at N = 10k; allow 4σ).
  let short = 0;
  for (let i = 1; i < times.length; i++) {
    assert.ok(times[i]! >= times[i - 1]!);
    if (times[i]! - times[i - 1]! < 1) short++;
  }
  assert.ok(Math.abs(short / (times.length - 1) - (1 - Math.exp(-1))) < 0.02, `short share ${short / times.length}`);
  assert.deepEqual(await schedule(11), times);
  assert.notDeepEqual(await schedule(12), times);
});

/** Latencies of a closed loop of one client (send, wait, send) against `server` for `durationMs`. */
async function closedLoop(clock: VirtualClock, server: FifoBackend, durationMs: number): Promise<number[]> {
  const end = clock.now() + durationMs;
  const latencies: number[] = [];
  const run = (async () => {
    while (clock.now() < end) {
      const t = clock.now();
      await server.serve();
      latencies.push(clock.now() - t);
      await sleep(clock, 10 - Math.min(10, clock.now() - t)); // paces itself to 100/s when it can
    }
  })();
  await clock.advanceBy(durationMs + 2_000);
  await run;
  return latencies;
}

test('coordinated omission: a 1 s stall shows in every request intended during it (open loop), not in one (closed loop)', async () => {
  // One worker, 1 ms per request, 100 requests/s for 10 s; the whole server pauses for 1 s at t = 5 s.
  const clock = new VirtualClock();
  const server = new FifoBackend({ workers: 1, serviceMs: () => 1, clock });
  const start = clock.now();
  clock.setTimer(5_000, () => server.pause(1_000));
  const latencyOf = new Map<number, number>();
  const done = runOpenLoop(
    async (a) => {
      await server.serve();
      latencyOf.set(a.intendedMs - start, clock.now() - a.intendedMs);
    },
    { schedule: constantRate(100, '10s'), clock },
  );
  await clock.advanceBy(12_000);
  const r = await done;
  assert.equal(r.sent, 1_000);
  // A request intended at t in [5000, 6000) cannot finish before the pause ends at 6000.
  for (let t = 5_000; t < 6_000; t += 10) {
    const latency = latencyOf.get(t)!;
    assert.ok(latency >= 6_000 - t && latency <= 6_000 - t + 110, `t = ${t}: ${latency} ms`);
  }
  const sorted = [...latencyOf.values()].sort((a, b) => a - b);
  const p99 = sorted[Math.ceil(0.99 * sorted.length) - 1]!;
  const total = r.recorder.total();
  // The driver's histogram holds the same latencies (HDR: within 0.1%).
  assert.ok(Math.abs(total.p99 - p99) <= p99 * 0.001 + 0.001, `${total.p99} vs ${p99}`);
  assert.ok(total.p99 >= 900 && total.max >= 1_000 && total.max <= 1_002, JSON.stringify(total));
  assert.ok(sorted.filter((l) => l > 500).length >= 50, 'half the stall’s requests waited over 500 ms');

  // The same server and stall, measured closed loop: one slow sample, and a p99 that hides the stall.
  const clock2 = new VirtualClock();
  const server2 = new FifoBackend({ workers: 1, serviceMs: () => 1, clock: clock2 });
  clock2.setTimer(5_000, () => server2.pause(1_000));
  const closed = (await closedLoop(clock2, server2, 10_000)).sort((a, b) => a - b);
  assert.equal(closed.filter((l) => l > 500).length, 1);
  assert.ok(closed[Math.ceil(0.99 * closed.length) - 1]! <= 2, `closed-loop p99 ${closed[Math.ceil(0.99 * closed.length) - 1]}`);
});

test('send lag: a driver whose timers fire 50 ms late still sends every request, reports the lag and says it fell behind', async () => {
  const clock = new VirtualClock();
  const sluggish: Clock = {
    now: () => clock.now(),
    wallNow: () => clock.wallNow(),
    setTimer: (ms, fn) => clock.setTimer(ms + 50, fn),
  };
  const lateness: number[] = [];
  const done = runOpenLoop(async (a) => void lateness.push(clock.now() - a.intendedMs), {
    schedule: constantRate(1_000, '2s'),
    clock: sluggish,
  });
  await clock.advanceBy(3_000);
  const r = await done;
  assert.equal(r.sent, 2_000, 'the schedule is not thinned by late timers');
  assert.ok(r.sendLag.max >= 49 && r.sendLag.max <= 51, `max lag ${r.sendLag.max}`);
  assert.ok(r.sendLag.p99 > 10);
  assert.equal(r.driverBehind, true);
  assert.ok(r.recorder.total().p50 > 10, 'the lateness is charged to the latency, not hidden');
  // The same run on a punctual clock is not behind.
  const clock2 = new VirtualClock();
  const on = runOpenLoop(async () => undefined, { schedule: constantRate(1_000, '2s'), clock: clock2 });
  await clock2.advanceBy(3_000);
  assert.equal((await on).driverBehind, false);
});

test('progress each interval and a final one; onSent before the last requests settle; failures by kind', async () => {
  const clock = new VirtualClock();
  const progress: LoadProgress[] = [];
  let sentAt = -1;
  const done = runOpenLoop(
    async (a) => {
      await sleep(clock, 500);
      if (a.index % 10 === 0) throw new Error('boom');
      return a.index % 10 === 1 ? 'shed' : 'fine';
    },
    {
      schedule: constantRate(100, '3s'),
      clock,
      classify: (s) => (s.status === 'rejected' ? 'error' : s.value === 'shed' ? 'shed' : 'ok'),
      onProgress: (p) => progress.push(p),
      onSent: (n) => {
        sentAt = clock.now();
        assert.equal(n, 300);
      },
    },
  );
  await clock.advanceBy(5_000);
  const r = await done;
  assert.equal(sentAt, r.sentEndMs);
  assert.deepEqual(r.failures, { error: 30, shed: 30 });
  assert.equal(r.ok, 240);
  assert.deepEqual(
    progress.map((p) => [p.elapsedMs, p.final]),
    [
      [1_000, false],
      [2_000, false],
      [3_000, false],
      [3_490, true],
    ],
  );
  assert.equal(progress[0]!.sent, 100);
  assert.equal(progress[0]!.inFlight, 50);
  assert.equal(progress[0]!.interval.latency.count + progress[0]!.interval.failures, 50);
  assert.equal(
    progress.reduce((n, p) => n + p.interval.latency.count, 0),
    240,
  );
  assert.equal(progress.at(-1)!.inFlight, 0);
});

test('abort stops sending, passes the signal to requests in flight, and resolves with aborted', async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  let cancelled = 0;
  const done = runOpenLoop(
    (a) =>
      sleep(clock, 1_000, a.signal).catch((e: unknown) => {
        cancelled++;
        throw e;
      }),
    { schedule: constantRate(100, '1s'), clock, signal: controller.signal },
  );
  await clock.advanceBy(295);
  controller.abort();
  await clock.advanceBy(10);
  const r = await done;
  assert.equal(r.aborted, true);
  assert.equal(r.sent, 30);
  assert.equal(cancelled, 30);
  assert.deepEqual(r.failures, { error: 30 });
});

test('bad input: a schedule without arrivals, a negative rate, an unknown process, a bad duration, no target', () => {
  const clock = new VirtualClock();
  const bad: unknown[] = [
    { arrivals: 'constant', steps: [] },
    { arrivals: 'constant', steps: [{ ratePerSec: 0, duration: '1s' }] },
    { arrivals: 'constant', steps: [{ ratePerSec: -1, duration: '1s' }] },
    { arrivals: 'bursty', steps: [{ ratePerSec: 1, duration: '1s' }] },
  ];
  for (const schedule of bad) {
    assert.throws(
      () => runOpenLoop(async () => undefined, { schedule: schedule as never, clock }),
      (e) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION'),
      JSON.stringify(schedule),
    );
  }
  assert.throws(
    () => runOpenLoop(async () => undefined, { schedule: constantRate(1, '5 parsecs'), clock }),
    (e) => isHeadroomError(e, 'HR_CORE_INVALID_DURATION'),
  );
  assert.throws(
    () => runOpenLoop(async () => undefined, { schedule: poissonRate(1, 0), clock }),
    (e) => isHeadroomError(e, 'HR_CORE_INVALID_DURATION') && /schedule\.steps\[0\]\.duration/.test(e.message),
  );
  assert.throws(
    () => runOpenLoop(async () => undefined, { schedule: constantRate(1, '1s'), clock, progressInterval: 0 }),
    (e) => isHeadroomError(e, 'HR_CORE_INVALID_DURATION'),
  );
  assert.throws(
    () => runOpenLoop(undefined as never, { schedule: constantRate(1, '1s'), clock }),
    (e) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION'),
  );
  assert.equal(clock.pendingTimers, 0, 'nothing was scheduled');
});
