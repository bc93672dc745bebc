/**
 * Tail-latency experiments on real loopback HTTP servers, each in its own process so server work
 * never shares the load generator's event loop (run: `npm run bench -- latency/tail`).
 *
 * 1. Stalls: two replicas; each request takes 5 ms ± 20% of (timer) work, and 1% of requests
 *    first wait 500 ms (100× the median) before they can start — a GC pause, a compaction, a noisy
 *    neighbour. Open-loop load at 250 requests/s for 8 s per variant, after a 1 s warm-up that is
 *    not recorded; every latency is timed from its intended start. Variants: no hedging, hedging
 *    at a fixed delay (the p95 of the unhedged run, no budget), adaptive hedging (p95 of a sliding
 *    window) with a 5% token budget, and tied requests (both replicas speak the tie protocol).
 *    Hedges go to the other replica, and once to the same replica.
 * 2. Process-wide pauses: the same two replicas without per-request stalls, but each process
 *    stops entirely for 100 ms every 4 s (a GC-like stop-the-world pause: every request on that
 *    replica waits), the two replicas 2 s apart. Hedging with the backup sent to the other
 *    replica, and to the same one.
 * 3. Overload: one server with 32 workers × 80 ms (capacity 400 requests/s) offered 800 requests/s
 *    for 5 s; each caller gives up after 500 ms (and says so in `headroom-timeout-ms`). The server
 *    is the common naive kind that keeps working for callers who left. Without a limiter, then with
 *    the default adaptive limiter (windowed Gradient2), then with it plus a 50-deep priority-LIFO queue.
 *    Against it, static choices: fixed limits of 16, 32 and 64 (a small sweep around the server's
 *    32 workers; the best of them is what adaptive must beat), and the same naive server made
 *    deadline-aware (it drops work whose caller's deadline passed, or that cannot finish in time).
 */
import { Agent, request } from 'undici';
import { systemClock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import {
  Deadline,
  HedgePolicy,
  deadlineHeaders,
  LatencyRecorder,
  TiedPolicy,
  TieCancelledError,
  isTieCancelled,
  tieHeaders,
} from '../../src/latency/index.js';
import { report, type ReportTable } from '../harness.js';
import { startChildBackend, type ChildBackend } from './child-backend.js';
import { constantRate, runOpenLoop } from '../../src/scale/index.js';

const random = new SeededRandom(2013);
const MEDIAN_MS = 5;
const STALL_MS = 100 * MEDIAN_MS;
// 2,000 recorded calls per variant: p99.9 is then the 3rd-slowest call.
const RATE = 250;
const DURATION_MS = 8000;

interface TailRow {
  readonly name: string;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly extraSentPct: number;
  readonly extraExecutedPct: number;
  readonly loopP99: number;
  readonly loopMax: number;
  /** Calls slower than half the injected stall: stalls that got through (robust to machine noise). */
  readonly stalled: number;
}

/** A variant: how to make one call, and how many extra requests the client has sent so far. */
interface Variant {
  readonly call: (i: number, agent: Agent) => Promise<void>;
  readonly extraSent: () => number;
}

/** How replicas stall: 1% of requests each wait alone, or the whole process pauses. */
type StallModel = 'per-request' | 'process-wide';
const PAUSE_MS = 100;
const PAUSE_EVERY_MS = 4000;

async function tailRun(name: string, make: (backends: ChildBackend[]) => Variant, model: StallModel = 'per-request'): Promise<TailRow> {
  const backends = await Promise.all(
    [0, 1].map((k) =>
      startChildBackend({
        workers: 64,
        serviceMs: MEDIAN_MS,
        spread: 0.2,
        seed: 100 + k,
        ...(model === 'per-request'
          ? { stallRate: 0.01, stallMs: STALL_MS }
          : { pause: { everyMs: PAUSE_EVERY_MS, ms: PAUSE_MS, offsetMs: 500 + (k * PAUSE_EVERY_MS) / 2 } }),
        tied: true,
      }),
    ),
  );
  const stallMs = model === 'per-request' ? STALL_MS : PAUSE_MS;
  backends[0]!.setPeers([backends[1]!.origin]);
  backends[1]!.setPeers([backends[0]!.origin]);
  await Promise.all(backends.map((b) => b.stats())); // IPC is ordered: the peers are set
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const { call, extraSent } = make(backends);
  try {
    await runOpenLoop((a) => call(a.index, agent), { schedule: constantRate(200, 1000) }); // warm-up, not recorded
    const extra0 = extraSent();
    const executed0 = await executedBy(backends);
    const recorder = new LatencyRecorder({ eventLoopResolution: 1 });
    let stalled = 0;
    recorder.snapshot();
    // headroom/scale's open-loop driver records each call from its intended send time into `recorder`.
    const { sent: calls } = await runOpenLoop(
      async ({ index, intendedMs }) => {
        await call(index, agent);
        if (systemClock.now() - intendedMs >= stallMs / 2) stalled++;
      },
      { schedule: constantRate(RATE, DURATION_MS), recorder },
    );
    const s = recorder.snapshot();
    recorder.close();
    const executed = (await executedBy(backends)) - executed0;
    return {
      name,
      p50: s.latency.p50,
      p95: recorder.percentile(95),
      p99: s.latency.p99,
      p999: s.latency.p999,
      max: s.latency.max,
      // Counted at the client: a copy aborted before the server read it still counts as sent.
      extraSentPct: ((extraSent() - extra0) / calls) * 100,
      extraExecutedPct: ((executed - calls) / calls) * 100,
      loopP99: s.eventLoopDelay?.p99 ?? NaN,
      loopMax: s.eventLoopDelay?.max ?? NaN,
      stalled,
    };
  } finally {
    await agent.close();
    await Promise.all(backends.map((b) => b.close()));
  }
}

async function executedBy(backends: ChildBackend[]): Promise<number> {
  const stats = await Promise.all(backends.map((b) => b.stats()));
  return stats.reduce((n, st) => n + st.executed, 0);
}

async function get(agent: Agent, origin: string, signal?: AbortSignal): Promise<void> {
  const res = await request(origin + '/work', { dispatcher: agent, ...(signal === undefined ? {} : { signal }) });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`status ${res.statusCode}`);
  }
  await res.body.text();
}

/** Hedged calls; the backup goes to the other replica, or with `sameReplica` to the first one's. */
function hedged(policy: HedgePolicy, sameReplica = false): (backends: ChildBackend[]) => Variant {
  return (backends) => ({
    call: (i, agent) =>
      policy.execute(({ signal, attempt }) => get(agent, backends[(i + (sameReplica ? 0 : attempt)) % 2]!.origin, signal)),
    extraSent: () => policy.stats().hedges,
  });
}

const adaptiveHedge = (percentile: number): HedgePolicy =>
  new HedgePolicy({ percentile, budget: { ratio: 0.05, minPerSec: 0, maxTokens: 10, initialTokens: 0 } });

const bareVariant = (backends: ChildBackend[]): Variant => ({
  call: (i, agent) => get(agent, backends[i % 2]!.origin),
  extraSent: () => 0,
});

function tailTable(rows: readonly TailRow[], stallMs: number, notes: readonly string[]): ReportTable {
  const base = rows[0]!.p999;
  return {
    header: [
      'variant',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'max ms',
      'p99.9 cut',
      `calls ≥ ${stallMs / 2} ms`,
      'extra sent %',
      'extra executed %',
      'client loop delay p99 / max ms',
    ],
    rows: rows.map((r) => [
      r.name,
      r.p50,
      r.p99,
      r.p999,
      r.max,
      `${(base / r.p999).toFixed(1)}×`,
      r.stalled,
      r.extraSentPct,
      r.extraExecutedPct,
      `${r.loopP99.toFixed(1)} / ${r.loopMax.toFixed(0)}`,
    ]),
    notes: [
      ...notes,
      'extra sent: requests the client sent beyond one per call; extra executed: work the servers actually started beyond one per call.',
      "client loop delay: the load generator's own event-loop delay (monitorEventLoopDelay) — a large max means the client itself stalled.",
    ],
  };
}

report(
  `latency: 1% of requests stall 100× the median — hedged and tied requests (2 HTTP replicas, ${RATE} req/s, ${DURATION_MS / 1000} s each)`,
  async () => {
    const bare = await tailRun('no hedging', bareVariant);
    const fixedDelay = Math.round(bare.p95 * 10) / 10;
    const rows: TailRow[] = [bare];
    rows.push(
      await tailRun(
        `hedge at fixed ${fixedDelay} ms (unhedged p95), no budget`,
        hedged(new HedgePolicy({ delay: fixedDelay, budget: false })),
      ),
    );
    for (const percentile of [95, 97])
      rows.push(await tailRun(`hedge at adaptive p${percentile}, 5% budget`, hedged(adaptiveHedge(percentile))));
    rows.push(await tailRun('hedge at adaptive p95, 5% budget, backup to the same replica', hedged(adaptiveHedge(95), true)));
    for (const staggerMs of [1, 3]) {
      const tied = new TiedPolicy({ random: random.fork(`tied-${staggerMs}`), delay: staggerMs });
      rows.push(
        await tailRun(`tied requests (2 copies, ${staggerMs} ms stagger)`, (backends) => ({
          extraSent: () => tied.stats().secondCopies,
          call: (i, agent) =>
            tied.execute(async ({ signal, attempt, tieId }) => {
              const self = backends[(i + attempt) % 2]!;
              const twin = backends[(i + attempt + 1) % 2]!;
              const res = await request(self.origin + '/work', { dispatcher: agent, signal, headers: tieHeaders(tieId, twin.origin) });
              if (isTieCancelled(res.statusCode, res.headers)) {
                await res.body.dump();
                throw new TieCancelledError(tieId);
              }
              if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
              await res.body.text();
            }),
        })),
      );
    }
    return tailTable(rows, STALL_MS, [
      `Goal: p99.9 cut ≥ 5× with ≤ 5% extra requests. Stall ${STALL_MS} ms = 100 × ${MEDIAN_MS} ms median; ${(RATE * DURATION_MS) / 1000} recorded calls per variant.`,
      `calls ≥ ${STALL_MS / 2} ms: injected stalls that got through (machine noise rarely reaches that far, unlike p99.9 of 2,000 calls).`,
    ]);
  },
);

report(
  `latency: process-wide pauses (${PAUSE_MS} ms every ${PAUSE_EVERY_MS / 1000} s per replica, GC-like) — hedging to the other replica or the same one (2 HTTP replicas, ${RATE} req/s, ${DURATION_MS / 1000} s each)`,
  async () => {
    const rows: TailRow[] = [await tailRun('no hedging', bareVariant, 'process-wide')];
    rows.push(await tailRun('hedge at adaptive p95, 5% budget, backup to the other replica', hedged(adaptiveHedge(95)), 'process-wide'));
    rows.push(
      await tailRun('hedge at adaptive p95, 5% budget, backup to the same replica', hedged(adaptiveHedge(95), true), 'process-wide'),
    );
    return tailTable(rows, PAUSE_MS, [
      `Each replica's whole process stops for ${PAUSE_MS} ms every ${PAUSE_EVERY_MS / 1000} s (the two ${PAUSE_EVERY_MS / 2000} s apart): ${(DURATION_MS / PAUSE_EVERY_MS) * 2} pauses per variant, every request on the paused replica waits.`,
      `calls ≥ ${PAUSE_MS / 2} ms: calls held by a pause for at least half of it. A backup sent to the paused replica waits behind the same pause.`,
    ]);
  },
);

interface OverloadRow {
  readonly name: string;
  readonly okPerSec: number;
  readonly goodputPct: number;
  readonly shedPct: number;
  readonly timeoutPct: number;
  readonly p50: number;
  readonly p99: number;
  readonly limit: string;
  readonly executedPerSec: number;
}

const WORKERS = 32;
const SERVICE_MS = 80;
const CAPACITY_PER_SEC = (WORKERS * 1000) / SERVICE_MS;
const CALLER_TIMEOUT_MS = 500;
/** Static limits tried: half, equal to and twice the server's worker count. */
const FIXED_SWEEP = [WORKERS / 2, WORKERS, WORKERS * 2];

/** The server in front of the workers: a limiter (adaptive, or `fixed`), deadline awareness, or neither. */
interface OverloadServer {
  readonly limiter?: { readonly queueSize: number; readonly queueTimeout: number; readonly fixed?: number };
  readonly deadlineAware?: { readonly needMs: number };
}

async function overloadRun(name: string, server: OverloadServer): Promise<OverloadRow> {
  const backend = await startChildBackend({
    workers: WORKERS,
    serviceMs: SERVICE_MS,
    spread: 0.5,
    seed: 7,
    abandonOnDisconnect: false,
    ...server,
  });
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const recorder = new LatencyRecorder({ eventLoop: false });
  let ok = 0;
  let shed = 0;
  let timeouts = 0;
  const durationMs = 5000;
  await backend.stats();
  try {
    const { sent: calls } = await runOpenLoop(
      async ({ intendedMs: intended }) => {
        const deadline = Deadline.after(CALLER_TIMEOUT_MS);
        try {
          const res = await request(backend.origin + '/work', {
            dispatcher: agent,
            signal: deadline.signal,
            headers: deadlineHeaders(deadline),
          });
          await res.body.text();
          if (res.statusCode === 200) {
            ok++;
            recorder.record(intended);
          } else if (res.statusCode === 503 || res.statusCode === 504) shed++;
        } catch {
          timeouts++;
        } finally {
          deadline.dispose();
        }
      },
      { schedule: constantRate(2 * CAPACITY_PER_SEC, durationMs) },
    );
    const s = recorder.total();
    const stats = await backend.stats();
    const limits = stats.limits.sort((a, b) => a - b);
    return {
      name,
      okPerSec: ok / (durationMs / 1000),
      goodputPct: (ok / (durationMs / 1000) / CAPACITY_PER_SEC) * 100,
      shedPct: (shed / calls) * 100,
      timeoutPct: (timeouts / calls) * 100,
      p50: s.p50,
      p99: s.p99,
      limit: limits.length === 0 ? '—' : `${limits[Math.floor(limits.length * 0.1)]}–${limits[Math.floor(limits.length * 0.9)]}`,
      executedPerSec: stats.executed / (durationMs / 1000),
    };
  } finally {
    recorder.close();
    await agent.close();
    await backend.close();
  }
}

report(
  `latency: overload at 2× capacity — adaptive limiter vs none, fixed limits and a deadline-aware server (${WORKERS} workers × ${SERVICE_MS} ms = ${CAPACITY_PER_SEC} req/s offered ${2 * CAPACITY_PER_SEC} req/s, 5 s)`,
  async () => {
    const rows = [
      await overloadRun('no limiter', {}),
      await overloadRun('no limiter, deadline-aware: drops work whose deadline passed', { deadlineAware: { needMs: 0 } }),
      await overloadRun(`no limiter, deadline-aware: drops work that cannot finish in time (< ${SERVICE_MS} ms left)`, {
        deadlineAware: { needMs: SERVICE_MS },
      }),
    ];
    const fixed: OverloadRow[] = [];
    for (const n of FIXED_SWEEP)
      fixed.push(await overloadRun(`fixed limit ${n}, reject`, { limiter: { queueSize: 0, queueTimeout: 0, fixed: n } }));
    const best = fixed.reduce((a, b) => (b.goodputPct > a.goodputPct ? b : a));
    rows.push(...fixed.map((r) => (r === best ? { ...r, name: `${r.name} (best of the sweep)` } : r)));
    rows.push(
      await overloadRun('adaptive limiter (windowed Gradient2), reject', { limiter: { queueSize: 0, queueTimeout: 0 } }),
      await overloadRun('adaptive limiter + 50-deep priority-LIFO queue', { limiter: { queueSize: 50, queueTimeout: 200 } }),
    );
    return {
      header: [
        'server',
        'answered 200/s',
        'goodput % of capacity',
        'shed 503/504 %',
        'caller timeouts %',
        'p50 ms (200s)',
        'p99 ms (200s)',
        'limit p10–p90',
        'work started/s',
      ],
      rows: rows.map((r) => [r.name, r.okPerSec, r.goodputPct, r.shedPct, r.timeoutPct, r.p50, r.p99, r.limit, r.executedPerSec]),
      notes: [
        `Goal: with the limiter, goodput ≥ 90% of capacity and p99 bounded; without it, collapse. Callers give up after ${CALLER_TIMEOUT_MS} ms;`,
        "goodput counts 200 answers received within that time. Latency is timed from each request's intended start.",
        `Fixed limits: a sweep of ${FIXED_SWEEP.join(', ')} (half, equal to and twice the ${WORKERS} workers), run in this suite; the best by goodput is marked — the static limit adaptive is compared to.`,
        'Deadline-aware: the naive server reading headroom-timeout-ms, answering 504 unexecuted instead of starting work too late. work started/s: work the server began (capacity is spent on it).',
      ],
    };
  },
);
