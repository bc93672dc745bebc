/**
 * A phase whose service could not keep up with the offered load while its modelled store had room
 * measured this machine, not the technique: its comparisons are replaced by a flag.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from 'headroom';
import { type LabReport, type Progress, parseLabOptions, runLab, scenarioCatalog } from '../../src/lab/index.js';
import { machineLimit } from '../../src/lab/report/keep-up.js';
import type { PhaseResult } from '../../src/lab/report/types.js';
import { verdict } from '../../src/lab/report/verdict.js';

/** A phase with the figures the verdict reads; `over` overrides them. */
function phase(label: string, over: Partial<PhaseResult>): PhaseResult {
  const base = {
    label,
    role: 'treatment',
    summary: '',
    durationMs: 1000,
    sent: 600,
    ok: 600,
    okPerSec: 600,
    errors: { timeout: 0, shed: 0, http: 0, network: 0 },
    errorRate: 0,
    latencyMs: { count: 600, min: 1, mean: 10, p50: 9, p90: 12, p99: 20, p999: 25, max: 30 },
    cdf: [],
    timeline: [],
    storeQueries: 600,
    storeQps: 600,
    hotKeyQueries: 0,
    hitRatio: null,
    replicaRequests: [200, 200, 200],
    slowShare: 1 / 3,
    extraRequestRatio: 0,
    shedByReplicas: 0,
    generatorLagMs: { p50: 0.1, p99: 1, max: 2 },
    offeredPerSec: 600,
    answeredPerSec: 600,
    storeUtilization: 0.8,
  };
  const p = { ...base, ...over } as PhaseResult;
  return { ...p, machineLimit: machineLimit(p) };
}

test("the criterion: answered < 95% of offered while no replica's store ran at 90% of its capacity", () => {
  // The reported case: a 1 s run at load average 4–6, the no-cache baseline at 62% of the offered rate.
  assert.match(
    machineLimit(phase('no cache', { answeredPerSec: 372, storeQps: 372, storeUtilization: 0.5 }))!,
    /^no cache answered 62% of the 600 req\/s offered within the window while its store ran at 50% of capacity$/,
  );
  // Kept up: comparable, however slow.
  assert.equal(machineLimit(phase('no cache', { answeredPerSec: 590, storeUtilization: 0.8 })), null);
  // Overload without a limiter: the store, the resource the scenario models, was the limit — that is the finding.
  assert.equal(machineLimit(phase('no limiter', { answeredPerSec: 40, storeUtilization: 0.98 })), null);
  // The load generator's own stall is named when it was long.
  assert.match(
    machineLimit(phase('no cache', { answeredPerSec: 91, storeUtilization: 0.5, generatorLagMs: { p50: 448, p99: 705, max: 705 } }))!,
    /answered 15% .* store ran at 50% of capacity; the load generator itself ran up to 705 ms late$/,
  );
});

test('the verdict flags a machine-limited phase instead of comparing it', () => {
  const noCache = phase('no cache', { role: 'baseline', answeredPerSec: 372, storeQueries: 372, storeQps: 372, storeUtilization: 0.5 });
  const cache = phase('cache', { storeQueries: 460, storeQps: 460, storeUtilization: 0.61, hitRatio: 0.35 });
  const line = verdict(['storeQps', 'hitRatio', 'p99'], [noCache, cache]);
  assert.doesNotMatch(line, /372 → 460/);
  assert.match(
    line,
    /^not compared: no cache answered 62% of the 600 req\/s offered within the window while its store ran at 50% of capacity — this machine, not the technique, was the limit; rerun on a quieter machine or with a longer --duration$/,
  );
  // Each treatment is judged with the baseline: a limited treatment loses its own clause only.
  const healthy = phase('no cache', { role: 'baseline' });
  const good = phase('cache', { storeQps: 350, hitRatio: 0.43 });
  const slow = phase('cache + affinity', { answeredPerSec: 500, storeUtilization: 0.4 });
  const two = verdict(['storeQps'], [healthy, good, slow]);
  assert.match(two, /^cache: store q\/s 600 → 350 \(−42%\) \| cache \+ affinity: not compared: cache \+ affinity answered 83% /);
});

test('a real run: replicas frozen (SIGSTOP) for the second half of the baseline window get that phase flagged', async () => {
  const pids: number[] = [];
  let thaw: (() => void) | null = null;
  const progress: Progress = {
    line: (text) => {
      if (/replicas listening on/.test(text)) for (const m of text.matchAll(/\(pid (\d+)\)/g)) pids.push(Number(m[1]));
    },
    status: (text) => {
      // The baseline's timeline points, e.g. "[1/2] stalls · no hedging  0.6/1.2 s …": freeze the
      // replicas (a machine too busy to run them) from the middle of the window until after it.
      const t = /^\[1\/2\] stalls · no hedging {2}(\d+\.\d)\/1\.2 s/.exec(text);
      if (t === null || thaw !== null || Number(t[1]) < 0.6) return;
      for (const pid of pids) process.kill(pid, 'SIGSTOP');
      let thawed = false;
      const timer = setTimeout(() => thaw!(), 1_500);
      thaw = () => {
        clearTimeout(timer);
        if (!thawed) for (const pid of pids) process.kill(pid, 'SIGCONT');
        thawed = true;
      };
    },
  };
  const names = scenarioCatalog({ replicas: 3 }).map((s) => s.name);
  const options = parseLabOptions(
    { scenario: 'stalls', duration: '1200ms', warmup: '200ms', interval: '200ms', products: '2000', report: false },
    names,
    7,
  );
  let report: LabReport;
  try {
    report = await runLab(options, { clock: systemClock, progress, signal: new AbortController().signal, command: 'test' });
  } finally {
    (thaw as (() => void) | null)?.();
  }
  assert.equal(pids.length, 3);
  assert.notEqual(thaw, null, 'the replicas were frozen during the baseline window');
  const [frozen] = report.scenarios[0]!.phases;
  assert.ok(frozen!.answeredPerSec < 0.8 * frozen!.offeredPerSec, JSON.stringify(frozen));
  assert.match(
    frozen!.machineLimit ?? '',
    /^no hedging answered \d+% of the \d+ req\/s offered within the window while its store ran at \d+% of capacity/,
  );
  assert.match(report.scenarios[0]!.verdict, /^not compared: no hedging answered/);
});
