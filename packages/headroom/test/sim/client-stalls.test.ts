// A stalled client's timers (docs/sim.md, "Client event-loop stalls and peak-EWMA's decay τ"): in
// a Node process a blocked event loop runs every timer that came due late, when the stall ends; the
// model runs them before the answers that arrived meanwhile (Node's order after a stall in an I/O
// callback: node-loop-order.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadReport } from '../../src/balance/index.js';
import type { Attempt } from '../../src/sim/call.js';
import { Client, loadFactory, pickerFactory } from '../../src/sim/client.js';
import { SimEngine } from '../../src/sim/engine.js';
import { runModel, type ClientSpec, type ModelSpec } from '../../src/sim/index.js';
import { policyConfig } from '../../src/sim/policies.js';
import { SimProbes } from '../../src/sim/probes.js';

// Calls every 30 ms (at 30k), each followed by a stall from 5 ms to 30 ms after it (stalls of 25 ms
// every 30 ms from t = 5); server 0 takes 150 ms, servers 1 and 2 15 ms (round-robin sends each call
// first to each in turn); the backup is due after 10 ms, inside the stall (the call's timeout, in
// the second test). No random draw decides a latency: every run gives the same figures.
const stalledCalls = (policy: ClientSpec): ModelSpec => ({
  duration: 3_000,
  warmup: 1,
  arrivals: { type: 'constant', ratePerSec: 1000 / 30 },
  clients: {
    picker: 'round-robin',
    stalls: { interval: { type: 'constant', value: '5ms' }, duration: { type: 'constant', value: '25ms' } },
    ...policy,
  },
  servers: [{ count: 3, workers: 'unbounded', service: { type: 'constant', value: '15ms' } }],
  faults: [{ atMs: 0, action: 'slow', servers: [0], factor: 10 }],
});

test('a hedge due during a client stall is sent when the stall ends, not in the middle of it', () => {
  const r = runModel(stalledCalls({ hedge: { delay: '10ms', budget: false } }), 1);
  assert.ok(r.calls >= 90, `${r.calls} calls`);
  // A call sent first to the slow server: its backup leaves at the stall's end (c + 30), is
  // answered at c + 45, inside the next stall (c + 35 … c + 60), and seen at c + 60. Sent in the
  // stall (at c + 10) it would be answered at c + 25 and seen at c + 30.
  assert.equal(r.latency.max, 60, `max latency ${r.latency.max} ms: a backup sent mid-stall is answered by the stall's end (30 ms)`);
  // A call sent first to the fast server: its answer (c + 15) and its hedge timer (c + 10) both wait
  // for the stall's end; the timers phase runs first, so the backup is sent all the same, and the
  // answer is seen at c + 30.
  assert.ok(Math.abs(r.latency.p50 - 30) < 0.1, `p50 ${r.latency.p50} ms`);
  assert.equal(r.hedges, r.calls, `${r.hedges} hedges for ${r.calls} calls: every call's hedge timer runs before its answer is read`);
});

test('a call timeout due during a client stall fires at the stall’s end, before the answer that arrived in it is read', () => {
  // The answer (c + 15, fast server) and the timeout (c + 10) both fall in the stall: Node runs the
  // timer first, so the call times out — at c + 30, when the client can first see it.
  const r = runModel(stalledCalls({ timeout: '10ms' }), 1);
  assert.equal(r.timedOut, r.calls, `${r.timedOut} of ${r.calls} calls timed out`);
  // (A timed-out call has no latency sample; its time in the system, by Little's law, is 30 ms.)
  assert.ok(
    Math.abs(r.meanSojournMs - 30) < 0.1,
    `mean time in system ${r.meanSojournMs} ms: a timeout that fires mid-stall ends the call at 10 ms`,
  );
});

test('an ejecting balancer’s health round due during a client stall runs at the stall’s end, and its answer is read after it', () => {
  // Server 0 crashes at 50 ms. Health rounds every 100 ms (no jitter, answer after a 2 ms round
  // trip, one failure makes a server unhealthy): probe at 0, passed at 2, next due at 102 — inside
  // the client's first stall (90–110 ms). Calls every 5 ms, round-robin over the healthy servers.
  const dispatches: [number, number][] = [];
  runModel(
    {
      duration: 400,
      warmup: 1,
      arrivals: { type: 'constant', ratePerSec: 200 },
      clients: {
        picker: 'round-robin',
        outlier: false,
        health: { interval: '100ms', timeout: '50ms', jitterPercent: 0, unhealthyThreshold: 1 },
        stalls: { interval: { type: 'constant', value: '90ms' }, duration: { type: 'constant', value: '20ms' } },
      },
      servers: [{ count: 3, workers: 'unbounded', service: { type: 'constant', value: '1ms' } }],
      network: { delay: { type: 'constant', value: '1ms' } },
      faults: [{ atMs: 50, action: 'crash', servers: [0] }],
    },
    1,
    { onDispatch: (atMs, _client, server) => void dispatches.push([atMs, server]) },
  );
  const toCrashed = dispatches.filter(([, server]) => server === 0).map(([atMs]) => atMs);
  // The probe leaves at the stall's end (110 ms) and fails at 112: the calls held by the stall are
  // sent at 110 while server 0 still counts as healthy, so some go to it; none after the verdict.
  // Probed mid-stall (at 102, failed at 104), the balancer would have dropped it before 110.
  assert.ok(toCrashed.includes(110), `calls sent to the crashed server at ${toCrashed.join(', ')} ms: none at the stall's end`);
  assert.ok(
    toCrashed.every((atMs) => atMs <= 110),
    `calls sent to the crashed server at ${toCrashed.join(', ')} ms: after the probe's answer`,
  );
});

test('a load report landing exactly at a stall’s end is read after the timers that came due in the stall, as an answer is (call.ts: stalledUntil >= now)', () => {
  const engine = new SimEngine({ seed: 1 });
  const client = new Client(0, 2, pickerFactory('round-robin'), loadFactory(undefined), policyConfig({}), engine.random.fork('c'), engine);
  const probes = new SimProbes({ engine, servers: [], clients: [client], linkDelay: () => undefined });
  const feedback = probes.feedbackFor(0);
  const seen: number[] = [];
  // At 0 a response leaves server 1 with its report (only the attempt's client and server are
  // read), due at the client at 10 ms; at 5 the client stalls until 10 ms, as the fleet's
  // STALL_START does (its end event is set after the report's), and one of its timers comes due.
  const report: LoadReport = { rif: 3, latencyMs: 4, serviceMs: 2 };
  probes.piggyback({ client: 0, server: 1 } as Attempt, report, 10);
  const timer = { handle: () => void seen.push(feedback.replica('s1', engine.now).reports) };
  const stall = {
    handle: (): void => {
      client.stalledUntil = 10;
      engine.at(10, { handle: () => client.resume() }, 0, 0);
      client.defer(timer, 0, 0);
    },
  };
  engine.at(5, stall, 0, 0);
  engine.run(20);
  assert.deepEqual(seen, [0], 'the timer ran after the report was read');
  assert.equal(feedback.replica('s1', engine.now).reports, 1, 'the report is read once the stall ends');
});
