/**
 * C3's backlog queue: when every replica is over its CUBIC rate limit, a call waits (FIFO) until a
 * limiter has a token, instead of going to the best replica anyway — on a VirtualClock, through a
 * real Balancer with the c3 picker; bounded by maxQueued (shed) and maxWait (sent over the limit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import {
  BacklogCore,
  Balancer,
  C3Backlog,
  C3Feedback,
  C3_CUBIC,
  c3,
  c3Load,
  CubicRate,
  type C3BacklogOptions,
} from '../../src/balance/index.js';

function setup(options: C3BacklogOptions = {}) {
  const clock = new VirtualClock();
  const picker = c3({ feedback: new C3Feedback() });
  const balancer = new Balancer({ endpoints: ['a', 'b'], picker, load: c3Load(), outlier: false, clock, random: new SeededRandom(3) });
  const backlog = new C3Backlog(balancer, picker, { clock, ...options });
  const sent: { id: string; atMs: number }[] = [];
  const call = (): Promise<string> =>
    backlog.call((endpoint) => {
      sent.push({ id: endpoint.id, atMs: clock.now() });
      return endpoint.id;
    });
  return { clock, picker, balancer, backlog, sent, call };
}

test('CubicRate.msUntilToken: the refill time of the missing part of a token', () => {
  const rate = new CubicRate(C3_CUBIC, 1000); // 5 tokens per 20 ms, starts empty
  assert.equal(rate.msUntilToken(1000), 4);
  assert.equal(rate.msUntilToken(1004), 0);
  rate.sent(1004); // 1 − 1 = 0 tokens
  rate.sent(1004); // −1
  assert.equal(rate.msUntilToken(1004), 8);
});

test('BacklogCore: FIFO; sends while open, re-asking after each send; the head goes over the limit after maxWait', () => {
  const core = new BacklogCore<string>(10, 50);
  assert.equal(core.offer('x', 0, 0), 'send', 'nobody waits and a replica is open');
  assert.equal(core.offer('a', 0, 5), 'queued');
  assert.equal(core.offer('b', 1, 0), 'queued', 'someone waits: join the queue even when open');
  let tokens = 1;
  const sent: string[] = [];
  const next = core.drain(
    2,
    () => (tokens > 0 ? 0 : 7),
    (item) => {
      sent.push(item);
      tokens--;
    },
  );
  assert.deepEqual(sent, ['a'], 'one token: one sent, in order');
  assert.equal(next, 7, 'next look at the refill');
  const overdue: boolean[] = [];
  core.drain(
    51,
    () => 7,
    (item, late) => {
      sent.push(item);
      overdue.push(late);
    },
  );
  assert.deepEqual(sent, ['a', 'b']);
  assert.deepEqual(overdue, [true], 'waited maxWait: sent over the limit');
});

test('every replica over its limit: the call waits for the first token instead of being sent anyway', async () => {
  const { clock, picker, backlog, sent, call } = setup();
  const t0 = clock.now();
  await call(); // first pick: buckets start empty, so it goes over the limit (nothing waits yet)
  assert.equal(picker.stats.overLimit, 1);
  assert.equal(backlog.stats.direct, 1);
  const second = call();
  assert.equal(backlog.length, 1, 'both replicas over their limit: it waits');
  assert.equal(sent.length, 1);
  await clock.advanceBy(3);
  assert.equal(sent.length, 1, 'still no token at +3 ms');
  await clock.advanceBy(1);
  await second;
  // The replica not used yet refills one token in 20 ms / 5 = 4 ms; the used one is 1 token behind.
  assert.deepEqual(sent[1], { id: sent[0]!.id === 'a' ? 'b' : 'a', atMs: t0 + 4 });
  assert.equal(picker.stats.overLimit, 1, 'the released call went within the limit');
  assert.deepEqual({ ...backlog.stats }, { direct: 1, queued: 1, released: 1, overdue: 0, shed: 0 });
  assert.equal(clock.pendingTimers, 0);
});

test('maxWait: a call that waited that long is sent over the limit (counted)', async () => {
  const { clock, picker, backlog, sent, call } = setup({ maxWait: '2ms' });
  await call();
  const late = call();
  await clock.advanceBy(2);
  await late;
  assert.equal(sent[1]!.atMs - sent[0]!.atMs, 2);
  assert.equal(backlog.stats.overdue, 1);
  assert.equal(picker.stats.overLimit, 2);
});

test('maxQueued: beyond it calls are shed with LoadShedError; an abort leaves the queue; close rejects the rest', async () => {
  const { clock, backlog, sent, call } = setup({ maxQueued: 2 });
  await call();
  const waiting = [call(), call()];
  await assert.rejects(call(), (e: unknown) => isHeadroomError(e, 'HR_CORE_LOAD_SHED'));
  assert.equal(backlog.stats.shed, 1);

  const controller = new AbortController();
  const other = setup().backlog;
  await other.call(() => 'first');
  const aborted = other.call(() => assert.fail('never sent'), { signal: controller.signal });
  controller.abort(new Error('gave up'));
  await assert.rejects(aborted, /gave up/);
  assert.equal(other.length, 0);

  backlog.close();
  for (const w of waiting) await assert.rejects(w, (e: unknown) => isHeadroomError(e, 'HR_BALANCE_CLOSED'));
  await assert.rejects(call(), (e: unknown) => isHeadroomError(e, 'HR_BALANCE_CLOSED'));
  assert.equal(sent.length, 1);
  assert.equal(clock.pendingTimers, 0);
});

test('bad options are typed errors naming the option', () => {
  const { balancer, picker } = setup();
  assert.throws(
    () => new C3Backlog(balancer, picker, { maxQueued: -1 }),
    (e: unknown) => isHeadroomError(e, 'HR_BALANCE_INVALID_OPTION') && /c3Backlog\.maxQueued/.test(e.message),
  );
  assert.throws(
    () => new C3Backlog(balancer, picker, { maxWait: 0 }),
    (e: unknown) => isHeadroomError(e, 'HR_CORE_INVALID_DURATION'),
  );
});
