/**
 * Prequal's synchronous variant (probe d, wait for d − 1, hot-cold rule) over a real Balancer, and
 * the asynchronous picker's idle-time probing — both on a VirtualClock with seeded randomness and
 * a prober the test answers probe by probe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { Balancer, prequal, prequalSync, SyncProbeRound, type LoadReport, type Prober } from '../../src/balance/index.js';
import { FakeCandidates } from './fake-candidates.js';

const r = (rif: number, latencyMs: number): LoadReport => ({ rif, latencyMs, serviceMs: latencyMs });

/** Holds every probe until the test answers it by id. */
class HeldProber implements Prober {
  readonly sent: string[] = [];
  readonly #waiting = new Map<string, Array<(report: LoadReport | undefined) => void>>();
  probe(id: string, done: (report: LoadReport | undefined) => void): void {
    this.sent.push(id);
    const list = this.#waiting.get(id) ?? [];
    list.push(done);
    this.#waiting.set(id, list);
  }
  answer(id: string, report: LoadReport | undefined): void {
    const done = this.#waiting.get(id)?.shift();
    assert.ok(done !== undefined, `a probe to ${id} is waiting`);
    done(report);
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(ids = ['e0', 'e1', 'e2', 'e3'], options: Partial<Parameters<typeof prequalSync>[0]> = {}) {
  const clock = new VirtualClock();
  const prober = new HeldProber();
  const balancer = new Balancer({ endpoints: ids, outlier: false, clock, random: new SeededRandom(1) });
  const sync = prequalSync({ prober, clock, random: new SeededRandom(5), ...options });
  return { clock, prober, balancer, sync };
}

test('SyncProbeRound: ready after need replies or when every probe settled; hot-cold choice among the replies', () => {
  const round = new SyncProbeRound(['a', 'b', 'c'], 2);
  assert.equal(round.reply('a', r(9, 1), 0), false);
  assert.equal(round.reply('b', r(1, 30), 0), true);
  // hotAbove 4: a is hot, b is cold → b (latency decides only among cold ones).
  assert.equal(round.choose(4), 'b');
  // hotAbove 0: both hot → the lower RIF, b; hotAbove 10: both cold → the lower latency, a.
  assert.equal(round.choose(0), 'b');
  assert.equal(round.choose(10), 'a');
  const failing = new SyncProbeRound(['a', 'b'], 1);
  assert.equal(failing.reply('a', undefined, 0), false);
  assert.equal(failing.reply('b', undefined, 0), true, 'every probe settled: ready with no reply');
  assert.equal(failing.choose(Infinity), undefined);
});

test('sync: probes d distinct endpoints, waits for d − 1 replies, then picks the coldest', async () => {
  const { prober, balancer, sync } = setup();
  let chosen: string | undefined;
  const picking = sync.pick(balancer).then((e) => (chosen = e.id));
  assert.equal(prober.sent.length, 3);
  assert.equal(new Set(prober.sent).size, 3, `distinct: ${prober.sent.join(',')}`);
  const [a, b, c] = prober.sent as [string, string, string];
  prober.answer(a, r(0, 40));
  await settle();
  assert.equal(chosen, undefined, 'one reply of the two it waits for: still waiting');
  prober.answer(b, r(0, 5));
  await picking;
  assert.equal(chosen, b, 'both cold: the lower latency');
  prober.answer(c, r(0, 1)); // late reply: ignored by this query, counted
  assert.deepEqual({ ...sync.stats }, { queries: 1, probesSent: 3, probesAnswered: 3, probesFailed: 0, timeouts: 0, fallbacks: 0 });
});

test('sync: the timeout decides with the replies so far, or at random among the probed with none', async () => {
  const { clock, prober, balancer, sync } = setup(['e0', 'e1', 'e2', 'e3'], { timeout: '20ms' });
  const first = sync.pick(balancer);
  prober.answer(prober.sent[1]!, r(3, 7));
  await clock.advanceBy(20);
  assert.equal((await first).id, prober.sent[1]);
  assert.equal(sync.stats.timeouts, 1);
  const second = sync.pick(balancer);
  const probed = prober.sent.slice(3);
  await clock.advanceBy(20);
  assert.ok(probed.includes((await second).id));
  assert.equal(sync.stats.fallbacks, 1);
  assert.equal(clock.pendingTimers, 0, 'no timer left behind');
});

test('sync: only active, healthy, non-ejected endpoints are probed; d is capped at their number', async () => {
  const { prober, balancer, sync } = setup(['e0', 'e1', 'e2', 'e3'], { probes: 3 });
  void balancer.drain('e0');
  void balancer.drain('e3');
  const picking = sync.pick(balancer);
  assert.deepEqual([...prober.sent].sort(), ['e1', 'e2']);
  // Two probed, so it waits for both (d − 1 = 2).
  prober.answer('e1', r(0, 9));
  prober.answer('e2', r(0, 2));
  assert.equal((await picking).id, 'e2');
});

test('sync: an abort rejects with the reason and cancels the timer; call() keeps the balancer bookkeeping', async () => {
  const { clock, prober, balancer, sync } = setup();
  const controller = new AbortController();
  const picking = sync.pick(balancer, { signal: controller.signal });
  controller.abort(new Error('caller gave up'));
  await assert.rejects(picking, /caller gave up/);
  assert.equal(clock.pendingTimers, 0);
  for (const id of prober.sent.splice(0)) prober.answer(id, r(0, 1)); // late replies do nothing

  let during = -1;
  const calling = sync.call(balancer, (endpoint) => {
    during = endpoint.outstanding;
    return endpoint.id;
  });
  for (const id of prober.sent.slice(0, 2)) prober.answer(id, r(0, 1));
  const id = await calling;
  prober.answer(prober.sent[2]!, r(0, 1));
  assert.equal(during, 1, 'begun before fn runs');
  assert.equal(balancer.endpoints().find((e) => e.id === id)!.outstanding, 0, 'ended after');
  const failing = sync.call(balancer, () => Promise.reject(new Error('boom')));
  for (const probed of prober.sent.slice(3, 5)) prober.answer(probed, r(0, 1));
  await assert.rejects(failing, /boom/);
  assert.ok(
    balancer.endpoints().every((e) => e.outstanding === 0),
    'a failed call is ended too',
  );
});

test('sync: bad options are typed errors naming the option', () => {
  const prober = new HeldProber();
  assert.throws(
    () => prequalSync({ prober, probes: 1 }),
    (e: unknown) => isHeadroomError(e, 'HR_BALANCE_INVALID_OPTION') && /prequalSync\.probes/.test(e.message),
  );
  assert.throws(
    () => prequalSync({ prober, qRif: 1 }),
    (e: unknown) => isHeadroomError(e, 'HR_BALANCE_INVALID_OPTION'),
  );
  assert.throws(
    () => prequalSync({ prober, timeout: 0 }),
    (e: unknown) => isHeadroomError(e, 'HR_CORE_INVALID_DURATION'),
  );
});

test('idle probing: one probe per idleInterval once queries stop, none while they flow, at most maxIdleProbes in a row', async () => {
  const clock = new VirtualClock();
  const prober = new HeldProber();
  const factory = prequal({ prober, clock, probesPerQuery: 0, idleInterval: '100ms', maxIdleProbes: 3 });
  const picker = factory.create({ random: new SeededRandom(2) });
  const c = new FakeCandidates([1, 1, 1, 1]);
  // Queries every 50 ms for 1 s: never idle for 100 ms, so no idle probe.
  for (let t = 0; t < 20; t++) {
    picker.pick(c, clock.now(), undefined);
    await clock.advanceBy(50);
  }
  assert.equal(factory.stats.idleProbes, 0);
  // Quiet: idle probes at +100, +200, +300 ms after the last query, then silence.
  await clock.advanceBy(1_000);
  assert.equal(factory.stats.idleProbes, 3);
  assert.equal(factory.stats.probesSent, 3);
  assert.equal(clock.pendingTimers, 0, 'an abandoned picker stops its timer');
  for (const id of prober.sent) prober.answer(id, r(0, 1));
  assert.equal(factory.stats.probesAnswered, 3, 'idle replies feed the pool');
  // A query re-arms it.
  picker.pick(c, clock.now(), undefined);
  assert.equal(factory.stats.fallbacks, 20, 'the 20 picks before were random; this one used an idle reply');
  await clock.advanceBy(150);
  assert.equal(factory.stats.idleProbes, 4);
});

test('idle probing is off by default: no timer is armed', () => {
  const clock = new VirtualClock();
  const factory = prequal({ prober: new HeldProber(), clock });
  factory.create({ random: new SeededRandom(2) }).pick(new FakeCandidates([1, 1]), clock.now(), undefined);
  assert.equal(clock.pendingTimers, 0);
});
