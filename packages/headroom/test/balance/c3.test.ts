/**
 * C3's parts: the CUBIC rate limit (curve, cut by β after the hysteresis, token bucket), the
 * feedback averages and header reading, the picker's score and its preference for replicas under
 * their limit; then C3 inside a Balancer with the undici dispatcher against loopback servers that
 * run the reporter (feedback read off the response headers).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { SeededRandom } from '../../src/core/random.js';
import { systemClock } from '../../src/core/clock.js';
import {
  BalancedDispatcher,
  Balancer,
  c3,
  C3_CUBIC,
  C3_DEFAULT_CHOICES,
  C3Feedback,
  c3Load,
  CubicRate,
  formatLoadReport,
  LOAD_HEADER,
  loadReporterHandler,
  LoadReporter,
} from '../../src/balance/index.js';
import { binomialCheck, FakeCandidates, histogram } from './fake-candidates.js';

test('the rate limit grows along the cubic curve while receiving faster than allowed, capped per step', () => {
  const rate = new CubicRate(C3_CUBIC, 0);
  assert.equal(rate.rate, 5);
  // Responses at 2 per ms (40 per 20 ms interval) for 100 ms: the receive rate climbs past 5, the rate follows.
  let now = 0;
  for (; now < 100; now += 0.5) rate.received(now);
  assert.ok(rate.receiveRate > 30, `receive rate ${rate.receiveRate}`);
  assert.ok(rate.rate > 5, `rate grew: ${rate.rate}`);
  const before = rate.rate;
  rate.received(now);
  assert.ok(rate.rate - before <= C3_CUBIC.maxStep + 1e-9, 'at most maxStep per update');
});

test('sending faster than receiving, after the hysteresis, cuts the rate by β; the curve then restarts at (1 − β)·R₀', () => {
  const c = { ...C3_CUBIC, initialRate: 50 };
  const rate = new CubicRate(c, 0);
  // Two responses per interval: receive ≈ 2 < 50. The first update at t=10 is inside the hysteresis (2 × 20 ms).
  rate.received(10);
  assert.equal(rate.rate, 50);
  for (let t = 20; t <= 50; t += 10) rate.received(t); // the cut comes at 50 ms (> 2 intervals since the start)
  assert.ok(Math.abs(rate.rate - 50 * 0.2) < 1e-9, `cut to β·R₀: ${rate.rate}`);
  // Receiving fast again (2 per ms): once the receive rate passes the limit, the rate climbs back
  // toward the curve, which restarts at (1 − β)·R₀ = 40 — by at most maxStep per update.
  const cut = rate.rate;
  let previous = cut;
  let t = 61;
  for (; t < 300 && rate.rate <= cut; t += 0.5) rate.received(t);
  assert.ok(rate.rate > cut, `recovering: ${rate.rate} at ${t} ms`);
  for (; t < 320; t += 0.5) {
    rate.received(t);
    assert.ok(rate.rate - previous <= C3_CUBIC.maxStep + 1e-9);
    previous = rate.rate;
  }
  assert.ok(rate.rate > 2 * cut, `climbing while the receive rate (${rate.receiveRate.toFixed(1)}) is higher: ${rate.rate}`);
});

test('the token bucket refills at rate per interval, up to maxTokens', () => {
  const rate = new CubicRate(C3_CUBIC, 0);
  assert.equal(rate.tokens(0), 0);
  assert.ok(Math.abs(rate.tokens(20) - 5) < 1e-9, 'one interval: rate tokens');
  assert.equal(rate.tokens(10_000), C3_CUBIC.maxTokens);
  rate.sent(20);
  assert.ok(Math.abs(rate.tokens(20) - 4) < 1e-9);
});

test('feedback: α = 0.9 on the newest report, read from header records or raw arrays', () => {
  const feedback = new C3Feedback();
  feedback.observe('a', { rif: 10, latencyMs: 1, serviceMs: 4 }, 0);
  feedback.observe('a', { rif: 0, latencyMs: 1, serviceMs: 2 }, 1);
  const a = feedback.replica('a', 1);
  assert.ok(Math.abs(a.queue - 1) < 1e-9, `0.9·0 + 0.1·10 = 1, got ${a.queue}`);
  assert.ok(Math.abs(a.serviceMs - 2.2) < 1e-9);
  assert.equal(a.reports, 2);
  const header = formatLoadReport({ rif: 3, latencyMs: 5, serviceMs: 6 });
  feedback.observeHeaders('b', { [LOAD_HEADER]: header }, 2);
  feedback.observeHeaders('c', [Buffer.from('X-Headroom-Load'), Buffer.from(header)], 2);
  feedback.observeHeaders('d', ['content-type', 'text/plain'], 2);
  assert.equal(feedback.replica('b', 2).queue, 3);
  assert.equal(feedback.replica('c', 2).serviceMs, 6);
  assert.equal(feedback.replica('d', 2).reports, 0, 'no header: nothing folded in');
  assert.throws(() => new C3Feedback({ alpha: 0 }), /C3Feedback\.alpha/);
});

test('score Ψ = (R̄ − T̄) + (1 + os·n + q̄)³·T̄: queue length outweighs a slower service time', () => {
  const feedback = new C3Feedback();
  const c = new FakeCandidates([1, 1], [12, 12]); // R̄ = 12 ms for both (the load metric)
  feedback.observe('e0', { rif: 4, latencyMs: 0, serviceMs: 2 }, 0); // fast service, queue 4: 12 − 2 + 5³·2 = 260
  feedback.observe('e1', { rif: 0, latencyMs: 0, serviceMs: 10 }, 0); // slow service, empty: 12 − 10 + 1·10 = 12
  const picker = c3({ feedback, rateControl: false }).create({ random: new SeededRandom(1) });
  assert.equal(picker.pick(c, 1, undefined), 1);
  // This client's own in-flight requests count n times: 2 in flight to e1 with n = 3 → (1 + 6)³·10 = 3430 > 260.
  c.inflight[1] = 2;
  const three = c3({ feedback, clients: 3, rateControl: false }).create({ random: new SeededRandom(1) });
  assert.equal(three.pick(c, 1, undefined), 0);
});

test('replicas over their rate limit are passed over while another has a token; with none, the best is taken and counted', () => {
  const feedback = new C3Feedback({ cubic: { initialRate: 1, maxTokens: 1 } });
  const c = new FakeCandidates([1, 1], [1, 1]);
  feedback.observe('e0', { rif: 0, latencyMs: 0, serviceMs: 1 }, 0);
  feedback.observe('e1', { rif: 0, latencyMs: 0, serviceMs: 3 }, 0);
  const factory = c3({ feedback });
  const picker = factory.create({ random: new SeededRandom(1) });
  // At t = 20 each bucket holds 1 token: e0 (better) takes it, then e1, then neither.
  assert.equal(picker.pick(c, 20, undefined), 0);
  assert.equal(picker.pick(c, 20, undefined), 1);
  assert.equal(picker.pick(c, 20, undefined), 0);
  assert.deepEqual(factory.stats, { picks: 3, overLimit: 1 });
});

/** `n` candidates with feedback (queue 1 each): e0 the best (1 ms service), the others slower in index order. */
function ranked(n: number): { feedback: C3Feedback; c: FakeCandidates } {
  const feedback = new C3Feedback();
  for (let i = 0; i < n; i++) feedback.observe(`e${i}`, { rif: 1, latencyMs: 0, serviceMs: 1 + i }, 0);
  return { feedback, c: new FakeCandidates(new Array<number>(n).fill(1), new Array<number>(n).fill(0)) };
}

test(`by default C3 scores every candidate up to ${C3_DEFAULT_CHOICES}, and a sample of ${C3_DEFAULT_CHOICES} beyond`, () => {
  const small = ranked(C3_DEFAULT_CHOICES);
  const all = c3({ feedback: small.feedback, rateControl: false }).create({ random: new SeededRandom(2) });
  const smallCounts = histogram(C3_DEFAULT_CHOICES, 500, () => all.pick(small.c, 1, undefined));
  assert.equal(smallCounts[0], 500, 'a full scan always finds the best');
  // At 1,000 candidates the best is in the sample with probability 16/1,000: a full scan would take it every time.
  const large = ranked(1000);
  const sampled = c3({ feedback: large.feedback, rateControl: false }).create({ random: new SeededRandom(2) });
  const counts = histogram(1000, 5000, () => sampled.pick(large.c, 1, undefined));
  assert.ok(counts[0]! > 0 && counts[0]! < 250, `best picked ${counts[0]} times of 5,000 (expected ≈ 80)`);
  // Each pick is the best of its sample: the 984 worst (of 1,000) can never win a sample of 16 distinct.
  assert.ok(
    counts.slice(1000 - C3_DEFAULT_CHOICES + 1).every((k) => k === 0),
    'the 15 slowest are never the best of 16 distinct',
  );
  const everyone = c3({ feedback: large.feedback, rateControl: false, choices: Infinity }).create({ random: new SeededRandom(2) });
  assert.equal(everyone.pick(large.c, 1, undefined), 0, 'choices: Infinity scans all');
});

test('the sample is drawn without replacement: of 3 candidates, 2 choices never pick the worst', () => {
  const { feedback, c } = ranked(3);
  const picker = c3({ feedback, rateControl: false, choices: 2 }).create({ random: new SeededRandom(7) });
  const counts = histogram(3, 3000, () => picker.pick(c, 1, undefined));
  // Two distinct of three always include e0 or e1; drawn with replacement, e2 twice (p = 1/9) would win.
  assert.equal(counts[2], 0, `counts ${counts.join('/')}`);
  // e0 is in 2 of the 3 pairs.
  assert.ok(binomialCheck(counts.slice(0, 2), [2, 1]).ok, `counts ${counts.join('/')}`);
});

test('bad options are refused with the option named', () => {
  assert.throws(() => c3({} as never), /c3\.feedback/);
  assert.throws(() => c3({ feedback: new C3Feedback(), clients: 0 }), /c3\.clients/);
  assert.throws(() => c3({ feedback: new C3Feedback(), choices: 0 }), /c3\.choices/);
  assert.throws(() => c3({ feedback: new C3Feedback(), choices: 2.5 }), /c3\.choices/);
  assert.throws(() => c3Load({ alpha: 2 }), /c3Load\.alpha/);
});

const open: Array<() => unknown> = [];
after(async () => {
  for (const close of open.reverse()) await close();
});

async function server(serviceMs: number, hits: { n: number }): Promise<string> {
  const reporter = new LoadReporter();
  const onLoad = loadReporterHandler(reporter);
  const s: Server = createServer((req, res) => {
    if (onLoad(req, res)) return;
    hits.n++;
    setTimeout(() => res.end('ok'), serviceMs);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  open.push(() => new Promise((resolve) => s.close(resolve)));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

test('through the undici dispatcher, piggybacked reports steer C3 away from a 20× slower server', async () => {
  const hits = [{ n: 0 }, { n: 0 }, { n: 0 }];
  const origins = await Promise.all([server(2, hits[0]!), server(2, hits[1]!), server(40, hits[2]!)]);
  const feedback = new C3Feedback();
  const balancer = new Balancer({ endpoints: origins, picker: c3({ feedback }), load: c3Load(), random: new SeededRandom(5) });
  const dispatcher = new BalancedDispatcher(balancer, {
    onResponseHeaders: (endpoint, _status, headers) => feedback.observeHeaders(endpoint.id, headers, systemClock.now()),
  });
  open.push(
    () => dispatcher.close(),
    () => balancer.close(),
  );
  let sent = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (sent < 240) {
        sent++;
        const res = await request('http://svc.internal/work', { dispatcher });
        assert.equal(await res.body.text(), 'ok');
      }
    }),
  );
  // Two at a time: a fast server with both in flight scores (1 + 2 + q̄)³·2 ms ≈ 54 against the
  // idle slow one's 40, so C3 uses the slow one only when both fast ones are busy.
  for (const id of origins) assert.ok(feedback.replica(id, 0).reports > 0, `reports from ${id}`);
  const share = hits[2]!.n / 240;
  assert.ok(share < 0.2, `share to the slow server ${(share * 100).toFixed(1)}% (${hits.map((h) => h.n).join('/')})`);
});
