/**
 * `headroom sim-vs-lab`, run from the sources as a user runs it, on a small lab run written here:
 * with `--picks`, the replicas' own stall files rescale each treatment's replica pauses by their
 * stall time there over the baseline's (the line under the table says by how much); without it,
 * every phase keeps the baseline's pauses and the line says why; a file that is no pick trace is refused.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandArgs } from '../command.js';
import { clientTracePath, replicaTracePath } from '../../src/lab/service/stall-recorder.js';
import { cdf } from './lab-cdf.js';

let work = '';

// fast replicas answer in 4–5 ms with a tail to 20 ms above their p95 (fitted as pauses); the slow one in 39–41 ms
const fast = cdf((q) => (q < 0.95 ? 4 + q : 5 + 300 * (q - 0.95)));
const slow = cdf((q) => 39 + 2 * q);
const origin = 1_700_000_000_000;

function phase(label: string, role: 'baseline' | 'treatment') {
  return {
    label,
    role,
    offeredPerSec: 200,
    slowShare: role === 'baseline' ? 1 / 3 : 0.02,
    latencyMs: { p50: 5.5, p99: role === 'baseline' ? 41 : 6 },
    cdf: cdf((q) => (q < 2 / 3 ? 4 + 1.5 * q : 39 + 6 * (q - 2 / 3))),
    replicaCdf: [slow, fast, fast],
    clientLoopDelay: { resolutionMs: 1, samples: 2000, spanMs: 2000, cdf: cdf((q) => (q < 0.998 ? 0.2 : 2)) },
  };
}

before(() => {
  work = mkdtempSync(join(tmpdir(), 'headroom-sim-vs-lab-'));
  const lab = {
    tool: 'headroom lab',
    settings: { phaseDurationMs: 2000, warmupMs: 500 },
    environment: { loadAverage: { start: 1, end: 1 } },
    scenarios: [{ name: 'slow-replica', phases: [phase('round-robin', 'baseline'), phase('p2c + peak-ewma', 'treatment')] }],
  };
  writeFileSync(join(work, 'lab.json'), JSON.stringify(lab));
  const overshot = {
    ...lab,
    scenarios: lab.scenarios.map((sc) => ({ ...sc, phases: sc.phases.map((ph) => ({ ...ph, latencyMs: { ...ph.latencyMs, p50: 2 } })) })),
  };
  writeFileSync(join(work, 'overshot.json'), JSON.stringify(overshot));
  const hostProbe = { start: { cpuMs: 20.8, wallMs: 21.2 }, end: { cpuMs: 27.1, wallMs: 55.4 } };
  writeFileSync(join(work, 'probed.json'), JSON.stringify({ ...lab, environment: { ...lab.environment, hostProbe } }));
  // the two measured windows: the baseline at 1–3 s, P2C at 4–6 s
  const picks = join(work, 'picks.ndjson');
  const events = [
    { ev: 'phase', t: 0, epochMs: origin, scenario: 'slow-replica', phase: 'round-robin' },
    { ev: 'window', t: 1000, epochMs: origin + 1000, edge: 'start' },
    { ev: 'window', t: 3000, epochMs: origin + 3000, edge: 'end' },
    { ev: 'phase', t: 3500, epochMs: origin + 3500, scenario: 'slow-replica', phase: 'p2c + peak-ewma' },
    { ev: 'window', t: 4000, epochMs: origin + 4000, edge: 'start' },
    { ev: 'window', t: 6000, epochMs: origin + 6000, edge: 'end' },
  ];
  writeFileSync(picks, events.map((e) => JSON.stringify(e)).join('\n'));
  // the stalls scenario: replicas of 3–4 ms that stall 250 ms on 1% of requests; a trace of its hedging window
  const stalling = cdf((q) => (q < 0.99 ? 3 + q : 250));
  const stallsPhase = (label: string, role: 'baseline' | 'treatment') => ({
    ...phase(label, role),
    slowShare: 1 / 3,
    latencyMs: { p50: 3.5, p99: role === 'baseline' ? 250 : 12 },
    cdf: stalling,
    replicaCdf: [stalling, stalling, stalling],
  });
  writeFileSync(
    join(work, 'hedged.json'),
    JSON.stringify({
      ...lab,
      scenarios: [{ name: 'stalls', phases: [stallsPhase('no hedging', 'baseline'), stallsPhase('hedging', 'treatment')] }],
    }),
  );
  const hedgeEvents = [
    { ev: 'phase', t: 0, epochMs: origin, scenario: 'stalls', phase: 'hedging' },
    { ev: 'window', t: 100, epochMs: origin + 100, edge: 'start' },
    { ev: 'hedge', t: 110, afterMs: 8, delayMs: 7.5 },
    { ev: 'win', t: 113, attempt: 1, attempts: 2, ms: 11 },
    { ev: 'win', t: 114, attempt: 0, attempts: 1, ms: 3.5 },
    // an answer every 0.5 ms in turn, all three replicas slow (9 ms) in the first 8 ms of every 200
    ...Array.from({ length: 4000 }, (_, i) => ({
      ev: 'rtt',
      t: 100 + i * 0.5,
      replica: i % 3,
      ms: (i * 0.5) % 200 < 8 ? 9 : 3 + (i % 7) / 10,
      outcome: 'success',
    })),
    { ev: 'window', t: 2100, epochMs: origin + 2100, edge: 'end' },
  ];
  writeFileSync(join(work, 'hedges.ndjson'), hedgeEvents.map((e) => JSON.stringify(e)).join('\n'));
  // each replica stalls 40 ms in all in the baseline window; in P2C's, replica 0 as much, 1 half, 2 not at all
  const p2cLags = [[10, 10, 20], [20], []];
  p2cLags.forEach((p2c, r) => {
    const lag = (ms: number, k: number, at: number) => ({ ev: 'replica-lag', replica: r, epochMs: origin + at + 200 * k, ms });
    const lines = [...[10, 10, 20].map((ms, k) => lag(ms, k, 1500)), ...p2c.map((ms, k) => lag(ms, k, 4500))];
    writeFileSync(replicaTracePath(picks, r), lines.map((e) => JSON.stringify(e)).join('\n'));
  });
});

after(() => rmSync(work, { recursive: true, force: true }));

function headroom(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, commandArgs(...args), { cwd: work, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("with --picks each treatment's replica pauses follow its replicas' recorded stall time; without, the baseline's", () => {
  const traced = headroom('sim-vs-lab', 'lab.json', '--picks', 'picks.ndjson');
  assert.equal(traced.status, 0, traced.stderr);
  // replica 0 stalled 40 ms in both windows, replica 1 20 of 40, replica 2 none
  assert.match(traced.stdout, /replicas' pauses, rescaled in each treatment .*slow-replica · p2c \+ peak-ewma 1\.00× 0\.50× 0\.00×/);
  // the drawn-speed prediction's column (this trace has no round trips, so no speed to draw: '–';
  // lab-compare.test.ts checks its figures)
  assert.match(traced.stdout, /the baseline window's speed drawn \(blocks of 0\.5 s\), a prediction/);
  const plain = headroom('sim-vs-lab', 'lab.json');
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /replicas' pauses: the baseline's in every phase \(no --picks\)/);
  // the hedges each side sent (none in these phases; '–' where the lab run did not record them)
  assert.match(plain.stdout, /extra requests: lab, sim/);
  assert.match(plain.stdout, /slow-replica {2}p2c \+ peak-ewma .* –, 0\.00%\n/);
  // a run from before the lab timed its host has no probe sentence; a newer one names both timings
  assert.match(plain.stdout, /lab run: load average 1\.0 → 1\.0\n/);
  const probed = headroom('sim-vs-lab', 'probed.json');
  assert.equal(probed.status, 0, probed.stderr);
  assert.match(
    probed.stdout,
    /lab run: load average 1\.0 → 1\.0; A fixed piece of CPU work took 20\.8 → 27\.1 ms of CPU .* in 21\.2 → 55\.4 ms of wall time/,
  );
});

test("with the client's own stall file beside the trace, the replay stalls the model's client where the lab's stalled (marked c)", () => {
  const without = headroom('sim-vs-lab', 'lab.json', '--picks', 'picks.ndjson');
  assert.equal(without.status, 0, without.stderr);
  const cell = /slow-replica {2}p2c \+ peak-ewma .*?\d+\.\d\d, \d+\.\d, \d+\.\d+%( c)? /;
  const drawn = cell.exec(without.stdout);
  assert.ok(drawn !== null && drawn[1] === undefined, without.stdout);
  // the same trace and replicas' files, and the client's: 30 ms stalls through P2C's window
  for (const suffix of ['', ...[0, 1, 2].map((r) => `.replica-${r}.ndjson`)])
    copyFileSync(join(work, `picks.ndjson${suffix}`), join(work, `client-picks.ndjson${suffix}`));
  const lags = Array.from({ length: 10 }, (_, k) => ({ ev: 'client-lag', epochMs: origin + 4000 + 200 * k, ms: 30, thresholdMs: 3 }));
  writeFileSync(clientTracePath(join(work, 'client-picks.ndjson')), lags.map((e) => JSON.stringify(e)).join('\n'));
  const traced = headroom('sim-vs-lab', 'lab.json', '--picks', 'client-picks.ndjson');
  assert.equal(traced.status, 0, traced.stderr);
  assert.equal(cell.exec(traced.stdout)?.[1], ' c', traced.stdout);
});

test("with a hedging phase's trace, its hedges are set beside the model's: backups, delay, lateness, the hedged calls' time", () => {
  const r = headroom('sim-vs-lab', 'hedged.json', '--picks', 'hedges.ndjson');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /the hedges inside each measured window/);
  assert.match(
    r.stdout,
    /stalls · hedging: lab {2}1 \(50\.00%\) +7\.5 \/ 7\.5 \/ 7\.5 +0\.5 \/ 0\.5 \/ 0\.5 \/ 0\.5 +11\.0 \/ 11\.0 \/ 11\.0 \/ 11\.0 +0%\n/,
  );
  // the model's own hedges: its real HedgeCore hedged about the 1% of stalled requests, each on time
  const model = /\n {2}model +(\d+) \(([\d.]+)%\) +[\d.]+ \/ [\d.]+ \/ [\d.]+ +0\.0 \/ /.exec(r.stdout);
  assert.ok(model !== null, r.stdout);
  assert.ok(Number(model[1]) > 0 && Number(model[2]) > 0.5 && Number(model[2]) < 5, `model backups ${model[1]} (${model[2]}%)`);
  // the lab's slow answers came together at every replica; the model's replicas are slow on their own
  assert.match(r.stdout, /slow answers bunched in time/);
  // and the machine's slow-down per bin, read from the lab's answers (the model's has none)
  const bunched =
    /stalls · hedging: lab +(\d+) of (\d+) +([\d.]+) +([\d.-]+) +([\d.]+) \/ ([\d.]+) \/ ([\d.]+)\n {2}model +\d+ of \d+ +([\d.]+) +([\d.-]+) +–\n/.exec(
      r.stdout,
    );
  assert.ok(bunched !== null, r.stdout);
  assert.equal(Number(bunched[2]), 4000);
  assert.ok(Number(bunched[3]) > 5 && Number(bunched[4]) > 0.9, `lab dispersion ${bunched[3]}, correlation ${bunched[4]}`);
  assert.ok(Number(bunched[9]) < 0.3, `model correlation ${bunched[9]}`);
  // the slow stretches are 8 ms of a 20 ms bin: most of its answers are fast, so no bin's median is slow
  assert.ok(Number(bunched[5]) < 1.1 && Number(bunched[7]) < 1.5, `slow-down ${bunched[5]} / ${bunched[6]} / ${bunched[7]}`);
});

test('a baseline the model comes out slower than is named under the table, and no negative time is added', () => {
  const r = headroom('sim-vs-lab', 'overshot.json');
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /! slow-replica: the model's baseline p50 came out [\d.]+ ms above the lab's \(2\.00 ms\) before any client time was added/,
  );
  assert.doesNotMatch(r.stdout, / -\d/, 'no negative latency or ratio');
});

test('--picks with a file that is not a pick trace fails with one error naming it, instead of empty tables', () => {
  writeFileSync(join(work, 'not-a-trace.ndjson'), `${JSON.stringify({ name: 'a scenario', model: {} })}\n`);
  const r = headroom('sim-vs-lab', 'lab.json', '--picks', 'not-a-trace.ndjson');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /not-a-trace\.ndjson: holds no measured phase of a pick trace; record one with `headroom lab/);
  assert.equal(r.stdout, '');
});
