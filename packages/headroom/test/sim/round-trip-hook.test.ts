// runModel's onRoundTrip hook: each attempt's round trip as its client's load metric is told of it —
// the time from the send to the answer read, and how it ended — changing nothing in the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runModel, type ModelSpec, type RoundTripOutcome } from '../../src/sim/index.js';
import { ONE_SERVER } from './one-server.js';

type Trip = { atMs: number; server: number; rttMs: number; outcome: RoundTripOutcome };

const trips = (model: ModelSpec, seed = 1): { trips: Trip[]; hash: string; calls: number } => {
  const out: Trip[] = [];
  const r = runModel(model, seed, { onRoundTrip: (atMs, _client, server, rttMs, outcome) => out.push({ atMs, server, rttMs, outcome }) });
  return { trips: out, hash: r.traceHash, calls: r.calls };
};

const base = ONE_SERVER;

test('each answered attempt is one round trip of its service time, at the time it is read', () => {
  const { trips: got, calls } = trips(base);
  assert.equal(got.length, calls);
  for (const t of got) {
    assert.equal(t.outcome, 'success');
    assert.ok(Math.abs(t.rttMs - 1) < 1e-9, `${t.rttMs}`);
    assert.ok(Math.abs(((t.atMs - 1) / 10) % 1) < 1e-9, `read 1 ms after its send: ${t.atMs}`);
  }
});

test("a stalled client's answer is read when the stall ends, and its round trip holds the stall", () => {
  const { trips: got } = trips({ ...base, clients: { stallsAt: { at: [[100.5, 30]] } } });
  const late = got.find((t) => t.rttMs > 1.5)!;
  assert.ok(Math.abs(late.atMs - 130.5) < 1e-9 && Math.abs(late.rttMs - 30.5) < 1e-9, JSON.stringify(late));
});

test("a hedged call's losing attempt is a round trip given up ('ignored') when the winner answers, and the run is the same with the hook", () => {
  const hedged: ModelSpec = {
    duration: '20s',
    warmup: 0,
    arrivals: { type: 'poisson', ratePerSec: 200 },
    clients: { picker: 'round-robin', hedge: { delay: '5ms' } },
    servers: [
      {
        count: 3,
        workers: 'unbounded',
        service: {
          type: 'bimodal',
          fast: { type: 'constant', value: '1ms' },
          slow: { type: 'constant', value: '50ms' },
          slowProbability: 0.05,
        },
      },
    ],
  };
  const { trips: got, hash } = trips(hedged);
  const r = runModel(hedged, 1);
  assert.equal(hash, r.traceHash, 'the hook changes nothing');
  const ignored = got.filter((t) => t.outcome === 'ignored');
  assert.ok(ignored.length > 100, `${ignored.length} given up`);
  // every attempt beyond a call's first lost its race or outlived it: one success per call, the
  // rest given up before the slowest service (50 ms) was over
  const succeeded = got.filter((t) => t.outcome === 'success');
  assert.equal(succeeded.length, r.calls);
  assert.equal(ignored.length, Math.round(r.extraPerOriginal * r.calls));
  assert.ok(ignored.every((t) => t.rttMs > 0 && t.rttMs < 50));
  assert.ok(got.filter((t) => t.outcome === 'success').every((t) => Math.abs(t.rttMs - 1) < 1e-9 || Math.abs(t.rttMs - 50) < 1e-9));
});
