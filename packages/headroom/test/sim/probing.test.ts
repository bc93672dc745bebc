/**
 * Issue #18's reproductions at test size (the built-ins `prequal-skew`, `prequal-antagonists`,
 * `prequal-probe-rates`, `c3-antagonists`, `c3-variable-sizes` run them at full size). Each
 * comparison runs every picker on the same seed and arrival stream; the margins asserted are far
 * inside what the runs show (the table prints with PRINT_SIM=1), and a failure names the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { runModel, type ModelSpec, type RunResult } from '../../src/sim/index.js';
import type { PickerSpec } from '../../src/sim/model-spec.js';
import { antagonistModel, meanCapacityPerSec, provisionedPerSec } from '../../src/sim/scenarios/antagonists.js';
import { skewModel, variableSizeModel } from '../../src/sim/scenarios/probing.js';

const seed = seedFromEnv(1);
const replay = `HEADROOM_SEED=${seed}`;

function run(model: ModelSpec, picker: PickerSpec, load: 'outstanding' | 'peak-ewma' = 'outstanding'): RunResult {
  return runModel({ ...model, clients: { ...model.clients, picker, load } }, seed);
}

function table(title: string, rows: Record<string, RunResult>): string {
  const lines = Object.entries(rows).map(
    ([name, r]) =>
      `${name.padEnd(22)} p50 ${r.latency.p50.toFixed(1).padStart(8)}  p99 ${r.latency.p99.toFixed(1).padStart(8)}  p99.9 ${r.latency.p999.toFixed(1).padStart(8)}  util ${r.utilization.toFixed(3)}${r.probes === undefined ? '' : `  probes/call ${r.probes.perCall.toFixed(2)}`}`,
  );
  const text = `${title} (${replay})\n${lines.join('\n')}`;
  if (process.env['PRINT_SIM'] === '1') console.log(text);
  return text;
}

test('skew: 16 I/O-bound backends, 2 16× slower, 500 req/s — Prequal p99 at least 5× below round-robin', () => {
  const model = skewModel(20_000);
  const rows = {
    'round-robin': run(model, 'round-robin'),
    'p2c+peak-ewma': run(model, 'p2c', 'peak-ewma'),
    prequal: run(model, 'prequal'),
  };
  const text = table('skew', rows);
  assert.ok(rows.prequal.latency.p99 * 5 <= rows['round-robin'].latency.p99, text);
  assert.equal(rows.prequal.probes?.perCall, 3, 'three probes per query, exactly');
  // Round-robin gives the slow pair 1/8 of the requests; Prequal far less.
  const slowShare = (r: RunResult): number => (r.served[14]! + r.served[15]!) / r.served.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(slowShare(rows['round-robin']) - 1 / 8) < 0.01, text);
  assert.ok(slowShare(rows.prequal) < 0.01, `${(slowShare(rows.prequal) * 100).toFixed(2)}% to the slow pair\n${text}`);
});

// 20 clients × 20 servers under antagonists, held at the top of the ramp: 1.74 × provisioned
// capacity = 0.9 of the fleet's real mean capacity.
const atNinety = antagonistModel({ servers: 20, clients: 20, steps: [1.74], stepMs: 6000 }, 'round-robin');

test('antagonists at 0.9 utilization: Prequal p99 at least 2× below round-robin (P2C + peak-EWMA beside)', () => {
  const fleet = { servers: 20, clients: 20, steps: [1.74], stepMs: 6000 };
  assert.ok(Math.abs((1.74 * provisionedPerSec(fleet)) / meanCapacityPerSec(fleet) - 0.9) < 1e-12);
  const rows = {
    'round-robin': run(atNinety, 'round-robin'),
    'p2c+peak-ewma': run(atNinety, 'p2c', 'peak-ewma'),
    prequal: run(atNinety, 'prequal'),
  };
  const text = table('antagonists at 0.9', rows);
  assert.ok(rows.prequal.latency.p99 * 2 <= rows['round-robin'].latency.p99, text);
});

test('probe-rate sweep at 0.9 utilization: a cliff near one probe per query', () => {
  const rates = [0.5, 1, 2, 3];
  const rows = Object.fromEntries(rates.map((r) => [`${r} probes/query`, run(atNinety, { type: 'prequal', probesPerQuery: r })]));
  const text = table('probe rates', rows);
  const p99 = rates.map((r) => rows[`${r} probes/query`]!.latency.p99);
  // One reply is removed per query: at ≤ 1 probe per query the pool never holds more than the last
  // reply, and Prequal is random; at 2 it has a choice again.
  assert.ok(p99[0]! >= 2 * p99[2]! && p99[1]! >= 2 * p99[2]!, text);
  assert.ok(p99[3]! <= 1.5 * p99[2]!, `past the cliff more probes change little\n${text}`);
  for (const r of rates) assert.ok(Math.abs(rows[`${r} probes/query`]!.probes!.perCall - r) < 0.01, text);
});

test('C3 vs P2C + peak-EWMA: C3 wins at p99.9 when servers change speed, not when requests vary in size', () => {
  const antagonists = antagonistModel({ servers: 20, clients: 20, steps: [1.5], stepMs: 6000 }, 'c3');
  const sizes = variableSizeModel(20, 20, 8000);
  const a = { 'p2c+peak-ewma': run(antagonists, 'p2c', 'peak-ewma'), c3: run(antagonists, 'c3') };
  const s = { 'p2c+peak-ewma': run(sizes, 'p2c', 'peak-ewma'), c3: run(sizes, 'c3') };
  const text = `${table('time-varying service (antagonists, 0.78 utilization)', a)}\n${table('variable request sizes (0.8 utilization)', s)}`;
  assert.ok(a.c3.latency.p999 < a['p2c+peak-ewma'].latency.p999, text);
  assert.ok(s.c3.latency.p999 > s['p2c+peak-ewma'].latency.p999, text);
});
