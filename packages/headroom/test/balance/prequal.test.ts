/**
 * Prequal's picker on its own (a table prober answers when the test says so): the hot-cold rule,
 * random fallback, probe sampling and bounds, reuse budget, age and removal; then inside a real
 * Balancer with the undici dispatcher against loopback servers running the reporter.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { SeededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import {
  BalancedDispatcher,
  Balancer,
  httpProber,
  loadReporterHandler,
  LoadReporter,
  prequal,
  reuseBudget,
  type LoadReport,
  type Prober,
} from '../../src/balance/index.js';
import { ProbePool } from '../../src/balance/probe/pool.js';
import { FakeCandidates } from './fake-candidates.js';

/** Answers probes from `reports` (by id) when `flush()` is called. */
class TableProber implements Prober {
  readonly sent: string[] = [];
  readonly #pending: Array<() => void> = [];
  constructor(public reports: Record<string, LoadReport | undefined>) {}
  probe(id: string, done: (report: LoadReport | undefined) => void): void {
    this.sent.push(id);
    this.#pending.push(() => done(this.reports[id]));
  }
  flush(): void {
    for (const answer of this.#pending.splice(0)) answer();
  }
  get pending(): number {
    return this.#pending.length;
  }
}

const r = (rif: number, latencyMs: number): LoadReport => ({ rif, latencyMs, serviceMs: latencyMs });

function setup(reports: Record<string, LoadReport | undefined>, options: Partial<Parameters<typeof prequal>[0]> = {}, size = 4) {
  const clock = new VirtualClock();
  const prober = new TableProber(reports);
  const factory = prequal({ prober, clock, ...options });
  const picker = factory.create({ random: new SeededRandom(7) });
  const c = new FakeCandidates(Array.from({ length: size }, () => 1));
  return { clock, prober, factory, picker, c };
}

test('an empty pool picks at random and sends probes to distinct candidates', () => {
  const { prober, factory, picker, c } = setup({}, {}, 4);
  const i = picker.pick(c, 0, undefined);
  assert.ok(i >= 0 && i < 4);
  assert.equal(prober.sent.length, 3);
  assert.equal(new Set(prober.sent).size, 3, `distinct targets: ${prober.sent.join(',')}`);
  assert.equal(factory.stats.fallbacks, 1);
  assert.equal(factory.stats.probesSent, 3);
  prober.flush();
  assert.equal(factory.stats.probesFailed, 3, 'no reports in the table: every probe failed');
});

test('hot-cold rule: the coldest-latency cold reply wins; when all are hot, the lowest RIF', () => {
  // e0 fast but queueing (hot), e1 slow and idle, e2 medium and idle, e3 no reporter.
  const { prober, factory, picker, c } = setup(
    { e0: r(50, 1), e1: r(0, 40), e2: r(1, 10) },
    { probesPerQuery: 4, removalsPerQuery: 0, rifSamples: 8, qRif: 0.6 },
    4,
  );
  picker.pick(c, 0, undefined);
  prober.flush();
  assert.equal(factory.stats.probesAnswered, 3);
  // Window RIFs {50, 0, 1}: the 0.6 quantile is 1, so only e0 (50) is hot; e2 is the fastest cold one.
  assert.equal(picker.pick(c, 1, undefined), 2);
  assert.equal(factory.stats.coldPicks, 1);

  const hot = setup({ e0: r(9, 1), e1: r(5, 40) }, { probesPerQuery: 2, removalsPerQuery: 0, rifSamples: 8, qRif: 0.5 }, 2);
  // Prime the window with low RIFs so both replies are hot.
  for (let k = 0; k < 6; k++) hot.picker.pick(hot.c, 0, undefined);
  hot.prober.reports = { e0: r(0, 1), e1: r(0, 1) };
  hot.prober.flush(); // 12 replies of RIF 0
  hot.prober.reports = { e0: r(9, 1), e1: r(5, 40) };
  hot.picker.pick(hot.c, 1, undefined);
  hot.prober.flush();
  // Window: six 0s, then 9 and 5 → median 0: both hot, so the lower RIF (e1) wins despite its latency.
  assert.equal(hot.picker.pick(hot.c, 2, undefined), 1);
});

test('replies older than maxAge are dropped; then the picker falls back to random', async () => {
  const { clock, prober, factory, picker, c } = setup(
    { e0: r(0, 1), e1: r(0, 1), e2: r(0, 1), e3: r(0, 1) },
    { maxAge: '1s', probesPerQuery: 4 },
  );
  picker.pick(c, clock.now(), undefined);
  prober.flush();
  picker.pick(c, clock.now(), undefined);
  assert.equal(factory.stats.fallbacks, 1);
  await clock.advanceBy(1001);
  picker.pick(c, clock.now(), undefined);
  assert.equal(factory.stats.fallbacks, 2, 'all replies expired');
});

test('probes in flight are bounded and the excess is counted as skipped', () => {
  const { prober, factory, picker, c } = setup({}, { maxProbesInFlight: 5, probesPerQuery: 3 }, 10);
  picker.pick(c, 0, undefined);
  picker.pick(c, 0, undefined);
  picker.pick(c, 0, undefined);
  assert.equal(prober.pending, 5);
  assert.equal(factory.stats.probesSent, 5);
  assert.equal(factory.stats.probesSkipped, 4);
  prober.flush();
  picker.pick(c, 0, undefined);
  assert.equal(factory.stats.probesSent, 8, 'room again once replies came back');
});

test('fractional probe rates accumulate: 0.5 per query sends one probe every other query', () => {
  const { prober, picker, c } = setup({}, { probesPerQuery: 0.5 }, 10);
  for (let k = 0; k < 10; k++) picker.pick(c, 0, undefined);
  assert.equal(prober.sent.length, 5);
});

test('reuse budget: b = (1 + δ) / ((1 − m/n)·r_probe − r_remove), at least 1, unbounded when nothing refills the pool', () => {
  assert.equal(reuseBudget(3, 1, 16, 100, 0.1), 1, '1.1 / (0.84·3 − 1) = 0.72 → 1');
  assert.equal(reuseBudget(1.5, 0, 16, 100, 0.1), 1, '1.1 / 1.26 = 0.87 → 1');
  assert.ok(Math.abs(reuseBudget(1, 0.5, 16, 100, 0) - 1 / 0.34) < 1e-12, '1 / (0.84 − 0.5)');
  assert.equal(reuseBudget(3, 1, 16, 16, 0.1), Infinity, 'pool as large as the fleet: replies only replace');
  assert.equal(reuseBudget(0, 0, 16, 100, 0.1), Infinity, 'no probes at all');
});

test('a reply is used at most b times, then the picker needs a new one', () => {
  // n = 100, m = 16, r_probe = 1, r_remove = 0, δ = 0 → b = 1 / 0.84 ≈ 1.19: a reply serves two queries.
  const reports: Record<string, LoadReport> = {};
  for (let i = 0; i < 100; i++) reports[`e${i}`] = r(0, 100 + i);
  const { prober, picker, c, factory } = setup(reports, { probesPerQuery: 1, removalsPerQuery: 0, reuseDelta: 0 }, 100);
  picker.pick(c, 0, undefined); // fallback, one probe out
  prober.flush();
  const target = Number(prober.sent[0]!.slice(1));
  assert.equal(factory.stats.fallbacks, 1);
  assert.deepEqual([picker.pick(c, 1, undefined), picker.pick(c, 2, undefined)], [target, target]);
  picker.pick(c, 3, undefined);
  assert.equal(factory.stats.fallbacks, 2, 'the third use is refused (the probes sent meanwhile are unanswered)');
});

test('replies of endpoints that are no longer candidates are skipped', () => {
  const { prober, picker, c } = setup(
    { e0: r(0, 1), e1: r(0, 50), e2: r(0, 50), e3: r(0, 50) },
    { probesPerQuery: 4, removalsPerQuery: 0 },
  );
  picker.pick(c, 0, undefined);
  prober.flush();
  assert.equal(picker.pick(c, 1, undefined), 0);
  // e0 leaves the candidates (ejected): the list shrinks to e1..e3, renumbered 0..2.
  const smaller = new FakeCandidates([1, 1, 1]);
  smaller.listVersion = 2;
  smaller.id = (i: number) => `e${i + 1}`;
  const i = picker.pick(smaller, 2, undefined);
  assert.ok(i >= 0 && i < 3, `picked among the remaining: ${i}`);
});

test('bad options are refused with the option named', () => {
  const prober = new TableProber({});
  assert.throws(() => prequal({ prober, qRif: 1 }), /prequal\.qRif/);
  assert.throws(() => prequal({ prober, poolSize: 0 }), /prequal\.poolSize/);
  assert.throws(() => prequal({} as never), /prequal\.prober/);
});

test('removal alternates the worst and the oldest reply', () => {
  const pool = new ProbePool(4);
  pool.add('a', 0, 5, 1, Infinity); // oldest
  pool.add('b', 0, 90, 2, Infinity); // slowest
  pool.add('c', 7, 20, 3, Infinity); // hot above 5
  pool.add('d', 0, 10, 4, Infinity);
  const ids = (): string[] => pool.ids.slice(0, pool.size).map(String).sort();
  pool.removeOne(5); // worst: the hot one (c)
  assert.deepEqual(ids(), ['a', 'b', 'd']);
  pool.removeOne(5); // oldest: a
  assert.deepEqual(ids(), ['b', 'd']);
  pool.removeOne(5); // worst, none hot: the slowest (b)
  assert.deepEqual(ids(), ['d']);
  // A full pool makes room the same way; a reply from a server already in the pool replaces it.
  pool.add('d', 3, 11, 5, Infinity);
  assert.equal(pool.size, 1);
  assert.equal(pool.latency[0], 11);
});

/** A loopback server with the reporter whose requests take `serviceMs` (real timers). */
async function server(serviceMs: number, hits: { n: number }): Promise<{ origin: string; close: () => Promise<void> }> {
  const reporter = new LoadReporter();
  const onLoad = loadReporterHandler(reporter);
  const s: Server = createServer((req, res) => {
    if (onLoad(req, res)) return;
    hits.n++;
    setTimeout(() => res.end('ok'), serviceMs);
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => s.close(() => resolve())),
  };
}

const open: Array<() => Promise<unknown> | unknown> = [];
after(async () => {
  for (const close of open.reverse()) await close();
});

test('through the undici dispatcher against loopback servers, Prequal keeps traffic off a 20× slower server', async () => {
  const hits = [{ n: 0 }, { n: 0 }, { n: 0 }];
  const servers = await Promise.all([server(2, hits[0]!), server(2, hits[1]!), server(40, hits[2]!)]);
  for (const s of servers) open.push(s.close);
  const factory = prequal({ prober: httpProber() });
  const balancer = new Balancer({ endpoints: servers.map((s) => s.origin), picker: factory, random: new SeededRandom(3) });
  const dispatcher = new BalancedDispatcher(balancer);
  open.push(
    () => dispatcher.close(),
    () => balancer.close(),
  );
  // Closed loop, 4 at a time, 240 requests.
  let sent = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (sent < 240) {
        sent++;
        const res = await request('http://svc.internal/work', { dispatcher });
        assert.equal(await res.body.text(), 'ok');
      }
    }),
  );
  const total = hits.reduce((a, h) => a + h.n, 0);
  assert.equal(total, 240);
  const slowShare = hits[2]!.n / total;
  // Round-robin would send a third; the slow server's reports (latency 40 ms at any RIF vs 2 ms)
  // keep it out of the cold minimum once its probe has been answered. Well below a third leaves
  // room for the random fallback of the first queries and for a loaded machine.
  assert.ok(slowShare < 0.2, `share to the slow server ${(slowShare * 100).toFixed(1)}% (${hits.map((h) => h.n).join('/')})`);
  assert.ok(factory.stats.probesAnswered > 0, 'probes were answered');
  assert.ok(factory.stats.probesSent <= 3 * 240, `probe traffic bounded by 3 per query: ${factory.stats.probesSent}`);
});
