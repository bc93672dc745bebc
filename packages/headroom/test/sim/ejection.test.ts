import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { runModel, type ClientSpec, type ModelSpec } from '../../src/sim/index.js';

// Ten servers of 4 workers (exponential 4 ms service) at 800 calls/s — 8% busy, so a pick is a
// pick and not a queueing artefact. Server 3 crashes at 5 s (it then fails every call at once, as
// a refused connection does) and restarts at 15 s. The clients pick through the real
// BalancerCore of headroom/balance; the test counts the picks to server 3 per second of the run.
const CRASHED = 3;
const model = (clients: ClientSpec): ModelSpec => ({
  duration: '30s',
  warmup: '1s',
  arrivals: { type: 'poisson', ratePerSec: 800 },
  clients,
  servers: [{ count: 10, workers: 4, service: { type: 'exponential', mean: '4ms' } }],
  faults: [
    { atMs: 5000, action: 'crash', servers: [CRASHED] },
    { atMs: 15_000, action: 'restart', servers: [CRASHED] },
  ],
});

function picksToCrashed(clients: ClientSpec, seed: number): { perSecond: number[]; failed: number } {
  const perSecond = new Array<number>(31).fill(0);
  const r = runModel(model(clients), seed, {
    onDispatch: (atMs, _client, server) => {
      if (server === CRASHED) perSecond[Math.floor(atMs / 1000)]!++;
    },
  });
  return { perSecond, failed: r.failed };
}

/**
 * The failed calls are those sent to the crashed server plus those it held when it crashed (at
 * most a few: 8% busy, 4 workers).
 */
function assertFailedAreThoseSent(failed: number, sent: number, replay: string): void {
  assert.ok(failed >= sent && failed <= sent + 10, `${failed} calls failed, ${sent} were sent to the crashed server. ${replay}`);
}

const sum = (a: readonly number[], from: number, to: number): number => a.slice(from, to).reduce((x, y) => x + y, 0);
// A fair share is 80 picks a second; 4 s of it is 320 (Poisson sd ≈ 18), so half of it is > 8 sd away.
const FAIR_4S = 320;

test('outlier ejection: a crashed server that fails fast is ejected after 5 failures, and readmitted after its restart', () => {
  const seed = seedFromEnv(11);
  const replay = `HEADROOM_SEED=${seed}`;
  // Ejections of 2 s, then 4 s, 8 s (the backoff doubles): while down, the server gets 5 picks per
  // readmission (consecutiveErrors), at most 4 readmissions in 10 s.
  const ejecting = picksToCrashed({ picker: 'p2c', outlier: { consecutiveErrors: 5, ejectionBackoff: { initial: '2s' } } }, seed);
  const p = ejecting.perSecond;
  assert.ok(sum(p, 1, 5) > FAIR_4S / 2, `before the crash: ${sum(p, 1, 5)} picks in 4 s, a fair share is ${FAIR_4S}. ${replay}`);
  const whileDown = sum(p, 5, 15);
  assert.ok(whileDown <= 5 * 4, `while down: ${whileDown} picks (${p.slice(5, 15).join(' ')}), expected ≤ 20. ${replay}`);
  assertFailedAreThoseSent(ejecting.failed, whileDown, replay);
  // Back by the end of its last ejection (≤ 8 s after the restart); the last 4 s see a fair share.
  assert.ok(sum(p, 26, 30) > FAIR_4S / 2, `after the restart: ${sum(p, 26, 30)} picks in 4 s (${p.slice(15).join(' ')}). ${replay}`);

  // The same run without ejection: the crashed server keeps (more than) its share, and fails it.
  const plain = picksToCrashed({ picker: 'p2c' }, seed);
  const plainDown = sum(plain.perSecond, 5, 15);
  assert.ok(plainDown > (10 * FAIR_4S) / 4 / 2, `without ejection: ${plainDown} picks while down. ${replay}`);
  assertFailedAreThoseSent(plain.failed, plainDown, replay);
});

test('active health checks: a crashed server is marked unhealthy after 2 failed probes and healthy again after 2 passes', () => {
  const seed = seedFromEnv(12);
  const replay = `HEADROOM_SEED=${seed}`;
  // Probes every 500 ms (±10%): unhealthy within ~1.1 s of the crash, healthy ~1.1 s after the restart.
  const { perSecond: p, failed } = picksToCrashed(
    { picker: 'p2c', outlier: false, health: { interval: '500ms', unhealthyThreshold: 2, healthyThreshold: 2 } },
    seed,
  );
  assert.ok(sum(p, 7, 15) === 0, `from 2 s after the crash: ${sum(p, 7, 15)} picks (${p.slice(5, 15).join(' ')}). ${replay}`);
  assertFailedAreThoseSent(failed, sum(p, 5, 7), replay);
  assert.ok(sum(p, 17, 21) > FAIR_4S / 2, `from 2 s after the restart: ${sum(p, 17, 21)} picks in 4 s. ${replay}`);
});

test('active health checks: a server partitioned away from the client times its probes out and is left alone', () => {
  const seed = seedFromEnv(13);
  const perSecond = new Array<number>(31).fill(0);
  const r = runModel(
    {
      ...model({
        picker: 'round-robin',
        outlier: false,
        health: { interval: '500ms', timeout: '100ms', unhealthyThreshold: 2 },
        timeout: '50ms',
      }),
      faults: [{ atMs: 5000, action: 'partition', servers: [CRASHED], clients: [0] }],
    },
    seed,
    { onDispatch: (atMs, _c, server) => (server === CRASHED ? perSecond[Math.floor(atMs / 1000)]!++ : 0) },
  );
  assert.ok(sum(perSecond, 7, 30) === 0, `picks after the verdict: ${perSecond.join(' ')}. HEADROOM_SEED=${seed}`);
  assert.equal(r.timedOut, r.failed, 'the calls lost in the partition end by the client timeout');
  assert.ok(r.lost > 0);
});

test('client balancer options are validated with the path of the field', () => {
  const base = model({});
  assert.throws(
    () => runModel({ ...base, clients: { outlier: { consecutiveErrors: 0 } } }, 1),
    (e: Error) => /clients\.outlier\.consecutiveErrors/.test(e.message),
  );
  assert.throws(
    () => runModel({ ...base, clients: { health: { interval: 'soon' } } }, 1),
    (e: Error) => /clients\.health\.interval/.test(e.message),
  );
  assert.throws(
    () => runModel({ ...base, clients: { panicThreshold: 0 } }, 1),
    (e: Error) => /clients\.panicThreshold/.test(e.message),
  );
});
