// A stalled client's timers (docs/sim.md, "Client event-loop stalls and peak-EWMA's decay τ"): in
// a Node process a blocked event loop runs every timer that came due late, when the stall ends; the
// model runs them before the answers that arrived meanwhile (Node's order after a stall in an I/O
// callback: node-loop-order.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runModel, type ClientSpec, type ModelSpec } from '../../src/sim/index.js';

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
