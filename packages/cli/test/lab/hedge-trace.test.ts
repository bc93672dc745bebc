/**
 * `headroom lab --trace-picks` in a hedging phase: every backup the real HedgePolicy sends is a
 * `hedge` line (when after its call's start, and the delay that call used) and every call it wins
 * a `win` line, nothing after the trace is disposed; the summary counts the measured window's
 * lines only and reports how late each backup went out and what the hedged calls took.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom, VirtualClock, sleep } from 'headroom';
import { HedgePolicy } from 'headroom/latency';
import { PickTrace } from '../../src/lab/client/pick-trace.js';
import { hedgeFigures, summariseHedges } from '../../src/lab/client/hedge-trace-summary.js';

/** Runs `n` hedged calls, one every 20 ms: every third call's first attempt takes 50 ms, the rest 4 ms. */
async function drive(clock: VirtualClock, hedge: HedgePolicy, n: number): Promise<void> {
  const calls: Promise<unknown>[] = [];
  for (let k = 0; k < n; k++) {
    calls.push(hedge.execute(({ attempt, signal }) => sleep(clock, attempt === 0 && k % 3 === 0 ? 50 : 4, signal).catch(() => undefined)));
    await clock.advanceBy(20);
  }
  await clock.advanceBy(100);
  await Promise.all(calls);
}

test('every backup the hedge policy sends and every call it wins is a trace line: when, the delay its call used, the winner', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hr-hedges-'));
  try {
    const path = join(dir, 'picks.ndjson');
    const trace = new PickTrace(path);
    const clock = new VirtualClock();
    const hedge = new HedgePolicy({
      delay: 10,
      budget: { ratio: 1, minPerSec: 0, maxTokens: 100, initialTokens: 100 },
      clock,
      random: new SeededRandom(3),
    });
    trace.write({ ev: 'phase', t: 0, scenario: 'stalls', phase: 'hedging' });
    trace.write({ ev: 'window', t: 0, edge: 'start' });
    const traced = trace.hedges(hedge, clock);
    await drive(clock, hedge, 30);
    traced.dispose();
    await drive(clock, hedge, 30);
    trace.write({ ev: 'window', t: clock.now(), edge: 'end' });
    trace.flush();
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { ev: string; t: number; afterMs?: number; delayMs?: number; attempt?: number; attempts?: number; ms?: number },
      );
    const hedges = lines.filter((l) => l.ev === 'hedge');
    assert.equal(hedge.stats().hedges, 20, 'every third call of 60 sent a backup');
    assert.equal(hedges.length, 10, 'the 10 backups of the traced calls, none after dispose');
    for (const h of hedges) {
      assert.equal(h.afterMs, 10, 'a virtual clock fires the hedge timer on time');
      assert.equal(h.delayMs, 10);
    }
    const wins = lines.filter((l) => l.ev === 'win');
    assert.equal(wins.length, 30, 'each traced call won once');
    assert.deepEqual(
      wins.filter((w) => w.attempts === 2).map((w) => [w.attempt, w.ms]),
      Array.from({ length: 10 }, () => [1, 14]),
      'a hedged call: its backup, sent at 10 ms, answered 4 ms later',
    );
    const [summary] = summariseHedges(readFileSync(path, 'utf8'), path);
    assert.deepEqual(summary, {
      scenario: 'stalls',
      phase: 'hedging',
      hedges: 10,
      calls: 30,
      delayMs: { p50: 10, p90: 10, p99: 10, max: 10 },
      lateMs: { p50: 0, p90: 0, p99: 0, max: 0 },
      hedgedCalls: 10,
      originalWon: 0,
      hedgedMs: { p50: 14, p90: 14, p99: 14, max: 14 },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the summary counts each phase's backups inside its window only, and their lateness by percentile", () => {
  const lines = [
    { ev: 'phase', t: 0, scenario: 'stalls', phase: 'no hedging' },
    { ev: 'window', t: 1, edge: 'start' },
    { ev: 'window', t: 5, edge: 'end' },
    { ev: 'phase', t: 10, scenario: 'stalls', phase: 'hedging' },
    { ev: 'hedge', t: 11, afterMs: 9, delayMs: 6 }, // the warm-up: not counted
    { ev: 'window', t: 12, edge: 'start' },
    ...Array.from({ length: 9 }, (_, k) => ({ ev: 'hedge', t: 13 + k, afterMs: 6 + k / 8, delayMs: 6 })),
    { ev: 'rtt', t: 30, replica: 1, ms: 4, outcome: 'success' },
    { ev: 'hedge', t: 31, afterMs: 13, delayMs: 6.5 }, // a re-ask: late by a whole delay
    { ev: 'win', t: 32, attempt: 0, attempts: 1, ms: 4 },
    { ev: 'win', t: 33, attempt: 1, attempts: 2, ms: 11 },
    { ev: 'win', t: 34, attempt: 0, attempts: 2, ms: 9 },
    { ev: 'window', t: 40, edge: 'end' },
    { ev: 'hedge', t: 41, afterMs: 20, delayMs: 6 }, // after the window's last send: not counted
  ];
  const rows = summariseHedges(lines.map((l) => JSON.stringify(l)).join('\n'), 'trace.ndjson');
  assert.equal(rows.length, 1, 'only the phase that sent backups in its window');
  const [r] = rows;
  assert.equal(r!.phase, 'hedging');
  assert.equal(r!.hedges, 10);
  // linear between the sorted values: rank q·(n − 1) of 0, 1/8, …, 1 and the re-ask's 6.5
  const near = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual}`);
  near(r!.delayMs.p50, 6, 'delay p50');
  near(r!.delayMs.p90, 6.05, 'delay p90');
  near(r!.delayMs.max, 6.5, 'delay max');
  near(r!.lateMs.p50, 0.5625, 'between the 5th and 6th of 10: 4/8 and 5/8 ms late');
  near(r!.lateMs.p90, 1.55, 'a tenth of the way from 1 ms to the re-ask');
  near(r!.lateMs.max, 6.5, 'the re-ask');
  assert.equal(r!.calls, 3);
  assert.equal(r!.hedgedCalls, 2, 'the calls that sent a backup, whichever attempt won');
  assert.equal(r!.originalWon, 1, 'one of them won by its original');
  near(r!.hedgedMs!.p50, 10, 'hedged calls p50');
  near(r!.hedgedMs!.max, 11, 'hedged calls max');
});

test('the figures of no backup are null, of backups without a hedged win have no hedged time', () => {
  assert.equal(hedgeFigures([], [{ attempt: 0, attempts: 1, latencyMs: 3 }]), null);
  assert.equal(hedgeFigures([{ afterMs: 7, delayMs: 6 }], [{ attempt: 0, attempts: 1, latencyMs: 3 }])!.hedgedMs, null);
});

test('a hedge line that is not JSON is named by its line number', () => {
  assert.throws(() => summariseHedges('{"ev":"phase","t":0}\n{"ev":"hedge",', 'trace.ndjson'), /line 2 of the pick trace is not JSON/);
});
