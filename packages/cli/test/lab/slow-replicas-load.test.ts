/**
 * The lab's opt-in `slow-replicas-load` scenario on real replica processes: round-robin, P2C +
 * peak-EWMA and Prequal interleaved through the undici BalancedDispatcher. Short rounds; it checks
 * only what holds on a busy machine — who sends how much where, and who probes — never a latency.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { LAB_DEFAULTS, parseLabOptions, scenarioCatalog, SLOW_REPLICAS_SCENARIO, type LabReport } from '../../src/lab/index.js';
import { commandArgs } from '../command.js';

test('the slow-replicas-load scenario is opt-in and can be named', () => {
  const names = scenarioCatalog({ replicas: LAB_DEFAULTS.replicas }).map((s) => s.name);
  assert.ok(!names.includes(SLOW_REPLICAS_SCENARIO));
  assert.deepEqual(
    parseLabOptions({ scenario: SLOW_REPLICAS_SCENARIO }, names, null, { json: false }, [SLOW_REPLICAS_SCENARIO]).scenarios,
    [SLOW_REPLICAS_SCENARIO],
  );
});

test('lab --scenario slow-replicas-load: four interleaved cases; the balancers send less to the slow replica, only Prequal probes', async () => {
  const child = spawn(
    process.execPath,
    commandArgs(
      'lab',
      '--scenario',
      SLOW_REPLICAS_SCENARIO,
      '--duration',
      '1500ms',
      '--warmup',
      '300ms',
      '--replicas',
      '3',
      '--products',
      '1000',
      '--json',
      '--no-report',
    ),
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(status, 0, stderr);
  const result = (JSON.parse(stdout) as LabReport).slowReplicas;
  assert.ok(result !== undefined, 'the report carries the scenario');
  assert.deepEqual(
    result.cases.map((c) => c.label),
    ['round-robin', 'p2c + peak-ewma', 'prequal', 'prequal q0.95'],
  );
  // Interleaved: every round ran every case, in a rotated order.
  for (const label of ['round-robin', 'p2c + peak-ewma', 'prequal', 'prequal q0.95']) {
    assert.equal(stderr.match(new RegExp(`round \\d/3 · ${label.replace('+', '\\+')}:`, 'g'))?.length, 3, `${label} ran in each round`);
  }
  type Case = (typeof result.cases)[0];
  const [rr, p2c, prequal, prequalHighQ] = result.cases as [Case, Case, Case, Case];
  for (const c of result.cases) assert.ok(c.sent > 0 && c.ok > 0, `${c.label} sent and got answers`);
  // Round-robin gives the slow replica exactly its turn, whatever the machine's load.
  assert.ok(Math.abs(rr.slowShare - 1 / 3) < 0.02, `round-robin: ${rr.slowShare}`);
  // P2C + peak-EWMA sees the slow replica's latency and sends it clearly less.
  assert.ok(p2c.slowShare < rr.slowShare - 0.05, `p2c ${p2c.slowShare} vs round-robin ${rr.slowShare}`);
  // Only Prequal probes, at most probesPerQuery (3) per query.
  assert.equal(rr.probesPerSec, 0);
  assert.equal(p2c.probesPerSec, 0);
  for (const c of [prequal, prequalHighQ]) assert.ok(c.probesPerSec > 0 && c.probesPerQuery <= 3, JSON.stringify(c));
  assert.equal(result.probeOverhead.extraRequestsPerSec, prequal.probesPerSec);
  // Every segment started after a drain wait (at least its 200 ms quiet period), none gave up.
  assert.ok(result.drain.maxWaitMs >= 200, `drain ${JSON.stringify(result.drain)}`);
  assert.equal(result.drain.notIdle, 0);
});
