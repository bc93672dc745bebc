/**
 * `headroom lab --trace-picks`: replicas record their own loop stalls and GC pauses (only when
 * traced), and `sim-vs-lab --picks` finds the fleet-wide ones and whether the slow replica's wins
 * cluster after them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, type TimerHandle, SeededRandom, VirtualClock, systemClock } from 'headroom';
import { Resources, prepareStore } from '../../src/lab/resources.js';
import { ReplicaFleet } from '../../src/lab/service/fleet.js';
import { StallRecorder, clientTracePath, recordStalls, replicaTracePath } from '../../src/lab/service/stall-recorder.js';
import { summarisePicks } from '../../src/lab/client/pick-trace-summary.js';
import { fleetStalls, parseStallTrace, summariseStalls } from '../../src/lab/client/fleet-stalls.js';

/** A virtual clock whose time can jump past due timers without firing them, as a blocked event loop's does. */
class StallingClock implements Clock {
  readonly v = new VirtualClock();
  skew = 0;
  now(): number {
    return this.v.now() + this.skew;
  }
  wallNow(): number {
    return this.v.wallNow() + this.skew;
  }
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.v.setTimer(delayMs, fn);
  }
}

type Line = { ev: string; replica: number; epochMs: number; ms: number; kind?: string };
const lines = (path: string): Line[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);

test('the recorder writes a stall of the loop (a timer 3 ms late or more) and GC pauses, as epoch ms; a punctual loop writes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-stalls-'));
  try {
    const path = join(dir, 'r1.ndjson');
    const clock = new StallingClock();
    const t0 = clock.now();
    const recorder = new StallRecorder(path, 1, clock, 1_000_000);
    await clock.v.advanceBy(100);
    recorder.flush();
    assert.deepEqual(lines(path), [], 'timers on time: no stall');
    clock.skew += 7; // the loop stood still 7 ms
    await clock.v.advanceBy(10);
    clock.skew += 2; // below the threshold
    await clock.v.advanceBy(10);
    recorder.gc(50, 9.5, 4);
    recorder.stop();
    const got = lines(path);
    assert.equal(got.length, 2);
    assert.equal(got[0]!.ev, 'replica-lag');
    assert.equal(got[0]!.replica, 1);
    assert.equal(got[0]!.ms, 7);
    assert.equal(got[0]!.epochMs, 1_000_000 + t0 + 102, 'when the late tick was due, on the epoch');
    assert.deepEqual(got[1], { ev: 'replica-gc', replica: 1, epochMs: 1_000_050, ms: 9.5, kind: 'major' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with a lower threshold the recorder also writes the short lags, each line naming its threshold, and the parser reads it back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-stalls-'));
  try {
    const path = join(dir, 'r2.ndjson');
    const clock = new StallingClock();
    const recorder = new StallRecorder(path, 2, clock, 0, 1);
    await clock.v.advanceBy(20);
    clock.skew += 2; // a 2 ms lag: below the default 3 ms, above this recorder's 1 ms
    await clock.v.advanceBy(10);
    recorder.stop();
    const got = lines(path) as (Line & { thresholdMs?: number })[];
    assert.equal(got.length, 1, JSON.stringify(got));
    assert.equal(got[0]!.ms, 2);
    assert.equal(got[0]!.thresholdMs, 1);
    assert.equal(parseStallTrace(readFileSync(path, 'utf8'), path).thresholdMs, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('in a real process, a blocked loop and a forced GC are written to the file by the time it exits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-stalls-'));
  try {
    const path = join(dir, 'r0.ndjson');
    const recorder = new URL('../../src/lab/service/stall-recorder.ts', import.meta.url).pathname;
    const script = `
      import { recordReplicaStalls } from ${JSON.stringify(recorder)};
      import { systemClock } from 'headroom';
      recordReplicaStalls(${JSON.stringify(path)}, 0, systemClock);
      setTimeout(() => { const until = performance.now() + 30; while (performance.now() < until); globalThis.gc(); }, 20);
      setTimeout(() => process.exit(0), 80);`;
    execFileSync(
      process.execPath,
      ['--expose-gc', '--conditions=headroom-source', '--import', 'tsx', '--input-type=module', '-e', script],
      {
        cwd: new URL('../..', import.meta.url).pathname,
      },
    );
    const got = lines(path);
    assert.ok(
      got.some((l) => l.ev === 'replica-lag' && l.ms >= 25),
      `a 30 ms blocked loop: ${JSON.stringify(got)}`,
    );
    assert.ok(
      got.some((l) => l.ev === 'replica-gc' && l.kind === 'major'),
      `the forced GC: ${JSON.stringify(got)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the client's recording, in this process: a blocked loop is written as client-lag lines with no replica, until stopped, and parsed back", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-stalls-'));
  try {
    const path = clientTracePath(join(dir, 'picks.ndjson'));
    const stop = recordStalls(path, 'client', systemClock, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const until = performance.now() + 30;
    while (performance.now() < until); // the loop stands still 30 ms
    await new Promise((resolve) => setTimeout(resolve, 20));
    stop();
    const got = lines(path);
    const lag = got.find((l) => l.ev === 'client-lag' && l.ms >= 25);
    assert.ok(lag !== undefined, `a 30 ms blocked loop: ${JSON.stringify(got)}`);
    assert.ok(
      got.every((l) => l.ev.startsWith('client-') && !('replica' in l)),
      JSON.stringify(got),
    );
    const parsed = parseStallTrace(readFileSync(path, 'utf8'), path);
    assert.equal(parsed.thresholdMs, 1);
    assert.ok(parsed.lags.some((l) => l.epochMs === lag.epochMs && l.ms === lag.ms));
    // stopped: the loop's next stall is not recorded
    const before = readFileSync(path, 'utf8');
    const again = performance.now() + 10;
    while (performance.now() < again);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(readFileSync(path, 'utf8'), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a fleet writes a file per replica when traced, and none when not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-stalls-'));
  const resources = new Resources();
  try {
    const store = await prepareStore(null, 100, new SeededRandom(1).fork('catalog'), systemClock, 'stalls', resources);
    for (const traced of [true, false]) {
      const trace = join(dir, `${traced ? 'on' : 'off'}.ndjson`);
      const inits = [0, 1].map((index) => ({
        index,
        port: 0,
        store: store.spec,
        redisUrl: null,
        keyPrefix: 'stalls',
        ...(traced ? { tracePath: trace } : {}),
      }));
      const fleet = await ReplicaFleet.start({ replicas: inits, clock: systemClock, onDeath: () => undefined });
      await fleet.stop();
      for (const i of [0, 1]) assert.equal(existsSync(replicaTracePath(trace, i)), traced, `replica ${i}, traced: ${traced}`);
    }
  } finally {
    await resources.release();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a traced replica process records its loop stalls from the threshold its init names (frozen with SIGSTOP)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-stalls-'));
  const resources = new Resources();
  try {
    const store = await prepareStore(null, 100, new SeededRandom(1).fork('catalog'), systemClock, 'stalls', resources);
    for (const thresholdMs of [1, undefined]) {
      const trace = join(dir, `threshold-${thresholdMs ?? 'default'}.ndjson`);
      const init = {
        index: 0,
        port: 0,
        store: store.spec,
        redisUrl: null,
        keyPrefix: 'stalls',
        tracePath: trace,
        ...(thresholdMs === undefined ? {} : { stallThresholdMs: thresholdMs }),
      };
      const fleet = await ReplicaFleet.start({ replicas: [init], clock: systemClock, onDeath: () => undefined });
      try {
        // the whole process stands still for 40 ms: its loop, and so its recorder's next tick, are late
        const pid = fleet.endpoints[0]!.pid;
        process.kill(pid, 'SIGSTOP');
        try {
          await new Promise<void>((resolve) => setTimeout(resolve, 40));
        } finally {
          process.kill(pid, 'SIGCONT'); // a stopped replica would ignore the SIGTERM that stops the fleet
        }
        await new Promise<void>((resolve) => setTimeout(resolve, 100));
      } finally {
        await fleet.stop();
      }
      const got = lines(replicaTracePath(trace, 0)).filter((l) => l.ev === 'replica-lag') as (Line & { thresholdMs?: number })[];
      assert.ok(
        got.some((l) => l.ms >= 25),
        `threshold ${thresholdMs ?? 'default'}: the 40 ms freeze is a lag: ${JSON.stringify(got)}`,
      );
      for (const l of got)
        assert.equal(l.thresholdMs, thresholdMs ?? 3, `each lag line names the replica's threshold: ${JSON.stringify(l)}`);
      assert.equal(parseStallTrace(readFileSync(replicaTracePath(trace, 0), 'utf8'), trace).thresholdMs, thresholdMs ?? 3);
    }
  } finally {
    await resources.release();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A P2C window from epoch 10,000 to 20,000 ms with the slow replica's wins at `wins` (epoch ms), and 3 replicas whose lags are `lags`. */
function scene(wins: number[], lags: [number, number, number][]) {
  const origin = 9_000;
  const trace = [
    { ev: 'phase', t: 0, epochMs: origin, scenario: 'slow-replica', phase: 'p2c + peak-ewma' },
    { ev: 'window', t: 1_000, epochMs: origin + 1_000, edge: 'start' },
    ...Array.from({ length: 100 }, (_, k) => ({
      ev: 'pick',
      t: 1_000 + k * 100,
      c: [
        [1, 5, 0],
        [2, 5, 0],
      ],
      chosen: 1,
    })),
    ...wins.map((w) => ({
      ev: 'pick',
      t: w - origin,
      c: [
        [0, 10, 0],
        [1, 20, 0],
      ],
      chosen: 0,
    })),
    { ev: 'window', t: 11_000, epochMs: origin + 11_000, edge: 'end' },
  ]
    .sort((a, b) => a.t - b.t)
    .map((e) => JSON.stringify(e))
    .join('\n');
  const replicas = [0, 1, 2].map((r) =>
    parseStallTrace(
      lags
        .map(([at, ms, who]) => (who === r || who === -1 ? JSON.stringify({ ev: 'replica-lag', replica: r, epochMs: at + r, ms }) : ''))
        .join('\n'),
      `r${r}`,
    ),
  );
  const [phase] = summarisePicks(trace, 'picks');
  return summariseStalls(phase!, replicas)!;
}

test('fleet-wide stalls: every replica lagging within 5 ms of each other; wins after them counted against the time after them', () => {
  // -1: all three replicas lag (starts 0, 1, 2 ms apart); 0: replica 0 alone.
  const lags: [number, number, number][] = [
    [12_000, 6, -1],
    [15_000, 4, 0],
    [17_500, 8, -1],
    [30_000, 9, -1], // after the window
  ];
  const clustered = scene([12_100, 12_300, 12_800, 17_600, 17_900, 19_000], lags);
  const spread = scene([10_500, 13_000, 14_000, 15_500, 16_000, 19_000], lags);
  for (const s of [clustered, spread]) {
    assert.equal(s.stalls.length, 2, 'the two fleet-wide stalls in the window; not replica 0 alone');
    assert.deepEqual(
      s.stalls.map((x) => [x.epochMs, x.shortestMs, x.longestMs]),
      [
        [12_000, 6, 6],
        [17_500, 8, 8],
      ],
    );
    assert.equal(s.timeAfterShare, 0.2, '2 s of the 10 s window lie within 1 s after one');
    assert.equal(s.wins, 6);
  }
  assert.equal(clustered.winsAfter, 5);
  assert.equal(spread.winsAfter, 0);
  assert.deepEqual(
    fleetStalls([
      { lags: [{ epochMs: 0, ms: 4 }], gcs: [{ epochMs: -2, ms: 9, kind: 'major' }] },
      { lags: [{ epochMs: 6, ms: 4 }], gcs: [] },
    ]),
    [],
    'lags 6 ms apart are not one stall',
  );
});
