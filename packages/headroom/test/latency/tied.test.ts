import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { sleep, systemClock } from '../../src/core/clock.js';
import { isHeadroomError } from '../../src/core/errors.js';
import {
  TiedPolicy,
  TiedRegistry,
  TieCancelledError,
  tieHeaders,
  isTieCancelled,
  TIE_CANCEL_PATH,
  TIE_ID_HEADER,
} from '../../src/latency/index.js';
import { startHttpBackend } from '../support/http-backend.js';

test('TiedPolicy: copy 1 follows after delayMs with the same tie id; first success wins; the loser is aborted', async () => {
  const clock = new VirtualClock();
  const tied = new TiedPolicy({ clock, random: new SeededRandom(4), delay: 2 });
  const starts: Array<[number, string, number]> = [];
  const reasons: unknown[] = [];
  const call = tied.execute(async ({ attempt, tieId, signal }) => {
    starts.push([attempt, tieId, clock.now()]);
    signal.addEventListener('abort', () => reasons.push(signal.reason));
    await sleep(clock, attempt === 0 ? 50 : 10, signal);
    return attempt;
  });
  await clock.runUntilIdle();
  assert.equal(await call, 1);
  assert.equal(starts[1]![2] - starts[0]![2], 2);
  assert.equal(starts[0]![1], starts[1]![1]);
  assert.match(starts[0]![1], /^[0-9a-f]{16}$/);
  assert.equal(reasons.length, 1);
  assert.ok(isHeadroomError(reasons[0], 'HR_LATENCY_CANCELLED'));
  assert.deepEqual(tied.stats(), { calls: 1, secondCopies: 1, wins: [0, 1], cancelledByServer: 0 });
  assert.equal(new TiedPolicy({ random: new SeededRandom(4) }).newTieId(), new TiedPolicy({ random: new SeededRandom(4) }).newTieId());
});

test('TiedPolicy: a copy the server dropped is not a failure; both failing rejects with the real error', async () => {
  const clock = new VirtualClock();
  const tied = new TiedPolicy({ clock, random: new SeededRandom(5) });
  const call = tied.execute(async ({ attempt, tieId, signal }) => {
    if (attempt === 0) throw new TieCancelledError(tieId);
    await sleep(clock, 20, signal);
    return 'twin';
  });
  await clock.runUntilIdle();
  assert.equal(await call, 'twin');
  assert.equal(tied.stats().cancelledByServer, 1);
  const failing = tied.execute(async ({ attempt, tieId }) => {
    if (attempt === 0) throw new TieCancelledError(tieId);
    throw new Error('backend down');
  });
  const checked = assert.rejects(failing, /backend down/);
  await clock.runUntilIdle();
  await checked;
});

test('TiedRegistry: waiting → started | cancelled; early cancels are remembered for a while', async () => {
  const clock = new VirtualClock();
  const registry = new TiedRegistry({ clock, tombstoneTtl: 1000, maxTombstones: 2 });
  const a = registry.arrive('aa', 'http://peer');
  assert.equal(a.start(), true);
  assert.equal(registry.cancel('aa'), 'started');
  a.finish();
  const b = registry.arrive('bb', 'http://peer');
  assert.equal(registry.cancel('bb'), 'cancelled');
  assert.ok(isHeadroomError(b.signal.reason, 'HR_LATENCY_TIE_CANCELLED'));
  assert.equal(b.start(), false);
  b.finish();
  assert.equal(registry.cancel('cc'), 'unknown'); // the cancel overtook the copy
  assert.equal(registry.arrive('cc', 'http://peer').state, 'cancelled');
  assert.equal(registry.cancel('dd'), 'unknown');
  await clock.advanceBy(1001);
  assert.equal(registry.arrive('dd', 'http://peer').state, 'waiting', 'tombstone expired');
  registry.cancel('e1');
  registry.cancel('e2');
  registry.cancel('e3');
  assert.equal(registry.arrive('e1', 'http://peer').state, 'waiting', 'oldest tombstone dropped at maxTombstones');
  assert.equal(registry.arrive('e3', 'http://peer').state, 'cancelled');
});

test('tied requests between two real HTTP servers: the idle server starts, the busy one drops its queued copy', async () => {
  // A has one worker, kept busy by an untied 400 ms request; B has one idle worker and takes
  // 150 ms. The tied copy queued at A must be dropped when B starts, and answered 409.
  const a = await startHttpBackend({ workers: 1, serviceMs: () => 400, tied: true });
  const b = await startHttpBackend({ workers: 1, serviceMs: () => 150, tied: true });
  a.setPeers([b.origin]);
  b.setPeers([a.origin]);
  try {
    const blocker = request(a.origin + '/work').then((r) => r.body.text());
    await sleep(systemClock, 20);
    const tied = new TiedPolicy({ random: new SeededRandom(9), delay: 1 });
    const statuses: number[] = [];
    const answer = await tied.execute(async ({ attempt, tieId, signal }) => {
      const [self, twin] = attempt === 0 ? [a.origin, b.origin] : [b.origin, a.origin];
      const res = await request(self + '/work', { signal, headers: tieHeaders(tieId, twin) });
      statuses.push(res.statusCode);
      if (isTieCancelled(res.statusCode, res.headers)) {
        await res.body.dump();
        throw new TieCancelledError(tieId);
      }
      return `${attempt}:${await res.body.text()}`;
    });
    assert.equal(answer, '1:ok GET /work');
    assert.deepEqual(statuses, [409, 200], 'A answered "dropped" first, then B answered');
    assert.deepEqual(tied.stats(), { calls: 1, secondCopies: 1, wins: [0, 1], cancelledByServer: 1 });
    assert.equal(b.tied!.stats().sent.cancelled, 1);
    assert.equal(a.tied!.stats().received.cancelled, 1);
    await blocker;
    assert.equal(a.fifo.executed, 1, 'A executed only the blocker, never the tied copy');
    assert.equal(b.fifo.executed, 1);
  } finally {
    await a.close();
    await b.close();
  }
});

test('the cancel endpoint: malformed ids are refused; peers outside the allow-list run untied', async () => {
  const a = await startHttpBackend({ workers: 4, serviceMs: () => 1, tied: true });
  a.setPeers(['http://127.0.0.1:1']);
  try {
    const bad = await request(a.origin + TIE_CANCEL_PATH, { method: 'POST', headers: { [TIE_ID_HEADER]: 'not hex!' } });
    assert.equal(bad.statusCode, 400);
    await bad.body.dump();
    const unknown = await request(a.origin + TIE_CANCEL_PATH, { method: 'POST', headers: { [TIE_ID_HEADER]: 'abc123' } });
    assert.deepEqual(await unknown.body.json(), { result: 'unknown' });
    const stranger = await request(a.origin + '/work', { headers: tieHeaders('abc124', 'http://evil.example:80') });
    assert.equal(stranger.statusCode, 200);
    await stranger.body.dump();
    assert.equal(a.tied!.stats().peerRejected, 1);
    assert.equal(a.tied!.stats().sent.cancelled + a.tied!.stats().sent.failed, 0, 'no cancel sent to a stranger');
  } finally {
    await a.close();
  }
});
