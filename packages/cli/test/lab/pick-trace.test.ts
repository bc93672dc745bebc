/**
 * `headroom lab --trace-picks`: the traced picker and load metric make the same decisions as the
 * bare ones and write what they read (candidates, loads, pending, the choice; every round trip fed
 * to the metric); the summary sorts the slow replica's wins by reason, inside the measured window only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom, VirtualClock, isHeadroomError } from 'headroom';
import { Balancer, p2c, peakEwma } from 'headroom/balance';
import { PickTrace } from '../../src/lab/client/pick-trace.js';
import { summarisePicks } from '../../src/lab/client/pick-trace-summary.js';

/** 3 replicas (0: 40 ms, 1 and 2: 4 ms with a 60 ms round trip every 50th), one request per ms for `n` ms; the replicas chosen, in order. */
async function drive(
  n: number,
  trace: PickTrace | null,
): Promise<{ chosen: number[]; pendingBefore: number[][]; rtts: [number, number][] }> {
  const clock = new VirtualClock();
  const endpoints = [0, 1, 2].map((i) => ({ id: `r${i}`, target: i }));
  const picker = p2c();
  const load = peakEwma();
  const balancer = new Balancer<number>({
    endpoints,
    picker: trace === null ? picker : trace.picker(picker, (id) => Number(id.slice(1))),
    load: trace === null ? load : trace.load(load),
    outlier: false,
    clock,
    random: new SeededRandom(7),
  });
  const inflight: { endAt: number; endpoint: ReturnType<Balancer<number>['pick']> & object; startedAt: number; ms: number }[] = [];
  const pending = [0, 0, 0];
  const chosen: number[] = [];
  const pendingBefore: number[][] = [];
  const rtts: [number, number][] = [];
  for (let t = 0; t < n; t++) {
    await clock.advanceBy(1);
    for (const f of inflight.filter((x) => x.endAt <= clock.now())) {
      balancer.end(f.endpoint, f.startedAt, 'success');
      pending[f.endpoint.target]!--;
      rtts.push([f.endpoint.target, clock.now() - f.startedAt]);
      inflight.splice(inflight.indexOf(f), 1);
    }
    pendingBefore.push([...pending]);
    const endpoint = balancer.pick()!;
    const startedAt = balancer.begin(endpoint);
    const ms = endpoint.target === 0 ? 40 : t % 50 === 0 ? 60 : 4;
    inflight.push({ endAt: clock.now() + ms, endpoint, startedAt, ms });
    pending[endpoint.target]!++;
    chosen.push(endpoint.target);
  }
  balancer.close();
  trace?.flush();
  return { chosen, pendingBefore, rtts };
}

test('the traced picker and load metric decide as the bare ones, and the trace holds every pick and round trip', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-picks-'));
  try {
    const path = join(dir, 'picks.ndjson');
    const trace = new PickTrace(path);
    trace.write({ ev: 'phase', t: 0, scenario: 'slow-replica', phase: 'p2c + peak-ewma' });
    trace.write({ ev: 'window', t: 0, edge: 'start' });
    const traced = await drive(2000, trace);
    trace.write({ ev: 'window', t: 2000, edge: 'end' });
    trace.flush();
    const bare = await drive(2000, null);
    assert.deepEqual(traced.chosen, bare.chosen, 'the same picks with and without the trace');
    const events = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { ev: string; t: number; c?: [number, number, number][]; chosen?: number; replica?: number; ms?: number },
      );
    const picks = events.filter((e) => e.ev === 'pick');
    assert.equal(picks.length, 2000);
    picks.forEach((p, k) => {
      assert.equal(p.chosen, traced.chosen[k], `pick ${k}`);
      assert.equal(p.c!.length, 2, 'P2C reads two loads');
      assert.notEqual(p.c![0]![0], p.c![1]![0], 'two different replicas');
      assert.ok(
        p.c!.some(([r]) => r === p.chosen),
        `pick ${k}: the choice is a candidate`,
      );
      for (const [r, cost, pending] of p.c!) {
        assert.equal(pending, traced.pendingBefore[k]![r], `pick ${k}: replica ${r}'s requests in flight`);
        assert.ok(cost >= 0);
      }
      // P2C chooses the lower load of its two.
      const [a, b] = p.c!;
      assert.equal(p.chosen, b![1] < a![1] ? b![0] : a![0], `pick ${k}`);
    });
    assert.deepEqual(
      events.filter((e) => e.ev === 'rtt').map((e) => [e.replica, e.ms]),
      traced.rtts,
      'every round trip fed to the metric, at its replica',
    );
    // The slow replica wins a few picks, each sorted into exactly one reason.
    const [summary] = summarisePicks(readFileSync(path, 'utf8'), path);
    assert.equal(summary!.picks, 2000);
    assert.equal(summary!.slowChosen, traced.chosen.filter((r) => r === 0).length);
    assert.ok(
      summary!.slowChosen > 0 && summary!.slowChosen < 2000 / 3,
      `less than round-robin's third: slow replica chosen ${summary!.slowChosen} times`,
    );
    assert.equal(summary!.spiked + summary!.pending + summary!.other, summary!.slowChosen);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the summary counts the window's picks only and sorts the slow replica's wins: spiked estimate, queued fast replica, other", () => {
  const lines = [
    { ev: 'phase', t: 0, scenario: 'slow-replica', phase: 'round-robin' },
    { ev: 'window', t: 1, edge: 'start' },
    { ev: 'pick', t: 2, c: [], chosen: 0 },
    { ev: 'window', t: 3, edge: 'end' },
    { ev: 'phase', t: 10, scenario: 'slow-replica', phase: 'p2c + peak-ewma' },
    // before the window: not counted
    {
      ev: 'pick',
      t: 11,
      c: [
        [0, 41, 0],
        [1, 90, 0],
      ],
      chosen: 0,
    },
    { ev: 'window', t: 12, edge: 'start' },
    // spiked: the fast replica's estimate 45 ≥ the slow one's 41
    {
      ev: 'pick',
      t: 13,
      c: [
        [0, 41, 0],
        [1, 90, 1],
      ],
      chosen: 0,
    },
    // queued: estimate 12 < 41, but 3 in flight (48 > 41)
    {
      ev: 'pick',
      t: 14,
      c: [
        [1, 48, 3],
        [0, 41, 0],
      ],
      chosen: 0,
    },
    // other: estimate 25 < 41 and 1 in flight (50 > 41)
    {
      ev: 'pick',
      t: 15,
      c: [
        [0, 41, 0],
        [2, 50, 1],
      ],
      chosen: 0,
    },
    // the slow replica drawn and not chosen; then one without it
    {
      ev: 'pick',
      t: 16,
      c: [
        [0, 41, 0],
        [2, 5, 0],
      ],
      chosen: 2,
    },
    {
      ev: 'pick',
      t: 17,
      c: [
        [1, 5, 0],
        [2, 5, 0],
      ],
      chosen: 1,
    },
    { ev: 'rtt', t: 18, replica: 1, ms: 4.5, outcome: 'success' },
    { ev: 'window', t: 19, edge: 'end' },
    // after the window (a hedge): not counted
    {
      ev: 'pick',
      t: 20,
      c: [
        [0, 41, 0],
        [1, 90, 0],
      ],
      chosen: 0,
    },
  ];
  assert.deepEqual(summarisePicks(lines.map((l) => JSON.stringify(l)).join('\n'), 'fixture'), [
    {
      scenario: 'slow-replica',
      phase: 'p2c + peak-ewma',
      picks: 5,
      slowDrawn: 4,
      slowChosen: 3,
      spiked: 1,
      pending: 1,
      other: 1,
      windowEpochMs: null,
      slowWinsEpochMs: [],
    },
  ]);
  assert.throws(
    () => summarisePicks('{"ev":"pick"}\nnot json', 'bad.ndjson'),
    (e: unknown) =>
      isHeadroomError(e, 'HR_SIM_INVALID_HISTOGRAM') && /bad\.ndjson: line 2 of the pick trace is not JSON/.test((e as Error).message),
  );
});
