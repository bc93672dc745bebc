/**
 * A diagnostic peer of the fleet bench, between the bare loop and `runModel`: the bare loop of
 * `bare-fleet.ts` — its arrivals, servers, queues, heap and call table in typed arrays, one loop,
 * no objects per call or event — with every *decision* made by the real policy objects instead of
 * inlined arithmetic: the real `p2c` picker over a `Candidates` view of real `peakEwma` metrics
 * (started and ended as a `Balancer` does), and the real `HedgeCore` (its `SlidingPercentile`
 * window and `TokenBudget`, driven through `start`, `checkAfterMs`, `decide`, `observe` and `won` as
 * the simulator's calls drive it). So `time(policyFleet) / time(bareFleet)` is what the objects a
 * user deploys cost, and `time(runModel) / time(policyFleet)` what the simulator's own machinery
 * (engine, call and server objects, hooks, statistics) adds on top.
 *
 * With `queue: 'engine'` the same loop's events go through the simulator's {@link SimEngine} instead
 * of its inlined heap — one handler, the call or attempt index as the event's argument — and a
 * call's pending hedge timer is cancelled when the call finishes, as `runModel`'s calls do (the
 * inlined heap lets it fire and finds the call done). So `time(engine) / time(heap)` is what the
 * engine costs as the model uses it, and `time(runModel) / time(engine)` what is left for the call,
 * attempt and server objects and the model's bookkeeping.
 *
 * Same model and results in distribution as both (the picker draws from its own stream).
 */
import { p2c, peakEwma, type Candidates, type LoadMetric } from '../../src/balance/index.js';
import type { Clock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { HedgeCore } from '../../src/latency/index.js';
import { loopSchedule } from './engine-queue.js';
import type { BareFleetOptions, BareFleetResult } from './bare-fleet.js';

const ARRIVE = 0;
const DONE = 1;
const HEDGE = 2;
const WARMUP_END = 3;
const HIST_US = 1_000_000;

/**
 * Runs the model once with the real policy objects deciding; see the module comment.
 * @param queue - `heap`, the loop's inlined heap (default), or `engine`, a {@link SimEngine}
 */
export function policyFleet(o: BareFleetOptions, queue: 'heap' | 'engine' = 'heap'): BareFleetResult {
  const n = o.servers;
  const c = o.workers;
  const endMs = o.durationMs;
  const warmupMs = endMs / 10;
  const ratePerMs = o.ratePerSec / 1000;
  // sfc32, as core's SeededRandom
  let ra = 0x9e3779b9 | 0;
  let rb = 0x243f6a88 | 0;
  let rc = 0xb7e15162 | 0;
  let rd = o.seed | 0;
  const next = (): number => {
    const t = (((ra + rb) | 0) + rd) | 0;
    rd = (rd + 1) | 0;
    ra = rb ^ (rb >>> 9);
    rb = (rc + (rc << 3)) | 0;
    rc = (rc << 21) | (rc >>> 11);
    rc = (rc + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const service = (): number => o.medianMs * Math.exp(o.sigma * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()));

  // event heap in heap order: time, insertion sequence, payload (id · 4 + kind)
  let hTime = new Float64Array(1 << 16);
  let hSeq = new Float64Array(1 << 16);
  let hVal = new Int32Array(1 << 16);
  let hSize = 0;
  let seq = 0;
  const push = (t: number, val: number): void => {
    if (hSize === hTime.length) {
      const grow = <A extends Float64Array | Int32Array>(a: A, b: A): A => (b.set(a), b);
      hTime = grow(hTime, new Float64Array(hSize * 2));
      hSeq = grow(hSeq, new Float64Array(hSize * 2));
      hVal = grow(hVal, new Int32Array(hSize * 2));
    }
    const s = seq++;
    let pos = hSize++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pt = hTime[parent]!;
      if (pt < t || (pt === t && hSeq[parent]! < s)) break;
      hTime[pos] = pt;
      hSeq[pos] = hSeq[parent]!;
      hVal[pos] = hVal[parent]!;
      pos = parent;
    }
    hTime[pos] = t;
    hSeq[pos] = s;
    hVal[pos] = val;
  };
  const pop = (): void => {
    const size = --hSize;
    const t = hTime[size]!;
    const s = hSeq[size]!;
    const v = hVal[size]!;
    let pos = 0;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= size) break;
      const r = child + 1;
      if (r < size && (hTime[r]! < hTime[child]! || (hTime[r] === hTime[child] && hSeq[r]! < hSeq[child]!))) child = r;
      const ct = hTime[child]!;
      if (ct > t || (ct === t && hSeq[child]! > s)) break;
      hTime[pos] = ct;
      hSeq[pos] = hSeq[child]!;
      hVal[pos] = hVal[child]!;
      pos = child;
    }
    hTime[pos] = t;
    hSeq[pos] = s;
    hVal[pos] = v;
  };

  // the simulator's engine instead of the heap above, with queue 'engine' (engine-queue.ts)
  const { schedule, engine } = loopSchedule(queue, o.seed, push, (t, kind, id) => {
    now = t;
    handle(kind, id);
  });

  // servers: workers busy, FIFO ring of attempt ids (capacity q per server, doubled when full)
  const running = new Int32Array(n);
  let q = 16;
  let qBuf = new Int32Array(n * q);
  const qHead = new Int32Array(n);
  const qLen = new Int32Array(n);
  // the real policy objects, on a clock that reads the loop's time
  let now = 0;
  const clock: Clock = { now: () => now, wallNow: () => now, setTimer: () => ({ cancel: () => undefined }) };
  const metricFactory = peakEwma();
  const metrics: LoadMetric[] = Array.from({ length: n }, () => metricFactory.create());
  const inflight = new Int32Array(n);
  const candidates = {
    size: n,
    listVersion: 0,
    weightVersion: 0,
    inflight,
    totalInflight: 0,
    weight: (): number => 1,
    load: (i: number, t: number): number => metrics[i]!.load(t),
    id: (i: number): string => `s${i}`,
  } satisfies Candidates;
  const picker = p2c().create({ random: new SeededRandom(o.seed).fork('picker') });
  const hedge = new HedgeCore({ clock, percentile: o.percentile, budget: { ratio: 0.05, minPerSec: 0, maxTokens: 10, initialTokens: 0 } });
  // calls (id) and their attempts (id · 2 + k); a slot is reused once nothing refers to it
  let cap = 1 << 16;
  let cStart = new Float64Array(cap);
  let cDone = new Uint8Array(cap);
  let cAttempts = new Uint8Array(cap);
  let cRefs = new Int32Array(cap);
  let cMeasured = new Uint8Array(cap);
  let cReask = new Uint8Array(cap);
  let cDelay = new Float64Array(cap);
  // the engine's id of the call's pending hedge timer (-1: none), with queue 'engine'
  let cEvent = new Int32Array(cap);
  let aServer = new Int32Array(cap * 2);
  let aSent = new Float64Array(cap * 2);
  let aOver = new Uint8Array(cap * 2);
  let free = new Int32Array(cap);
  let freeTop = 0;
  let slots = 0;
  const alloc = (): number => {
    if (freeTop > 0) return free[--freeTop]!;
    if (slots === cap) {
      cap *= 2;
      const g = <A extends Float64Array | Int32Array | Uint8Array>(a: A, b: A): A => (b.set(a), b);
      cStart = g(cStart, new Float64Array(cap));
      cDone = g(cDone, new Uint8Array(cap));
      cAttempts = g(cAttempts, new Uint8Array(cap));
      cRefs = g(cRefs, new Int32Array(cap));
      cMeasured = g(cMeasured, new Uint8Array(cap));
      cReask = g(cReask, new Uint8Array(cap));
      cDelay = g(cDelay, new Float64Array(cap));
      cEvent = g(cEvent, new Int32Array(cap));
      aServer = g(aServer, new Int32Array(cap * 2));
      aSent = g(aSent, new Float64Array(cap * 2));
      aOver = g(aOver, new Uint8Array(cap * 2));
      free = g(free, new Int32Array(cap));
    }
    return slots++;
  };
  const unref = (call: number): void => {
    if (--cRefs[call]! === 0) free[freeTop++] = call;
  };

  const hist = new Float64Array(HIST_US + 1);
  let events = 0;
  let calls = 0;
  let ok = 0;
  let latencySum = 0;
  let attempts = 0;
  let hedges = 0;
  let measuring = false;
  let busyArea = 0;
  let busyStamp = 0;
  let busy = 0;
  let inSystem = 0;

  const startJob = (s: number, att: number): void => {
    busyArea += busy * (now - busyStamp);
    busyStamp = now;
    busy++;
    running[s]!++;
    schedule(now + service(), DONE, att);
  };
  const used = (call: number, k: number, s: number): boolean => k === 1 && aServer[call * 2]! === s;
  const send = (call: number): void => {
    const k = cAttempts[call]!;
    // as the simulator's call picks: again (up to 4 times) while the pick is a server it used, then the next one
    let s = picker.pick(candidates, now, undefined);
    for (let tries = 0; tries < 4 && used(call, k, s); tries++) s = picker.pick(candidates, now, undefined);
    if (used(call, k, s)) s = (s + 1) % n;
    const att = call * 2 + k;
    cAttempts[call] = k + 1;
    aServer[att] = s;
    aSent[att] = now;
    aOver[att] = 0;
    cRefs[call]!++;
    metrics[s]!.start(now);
    inflight[s]!++;
    candidates.totalInflight++;
    if (measuring) attempts++;
    if (running[s]! < c) startJob(s, att);
    else {
      if (qLen[s] === q) {
        const bigger = new Int32Array(n * q * 2);
        for (let i = 0; i < n; i++) for (let j = 0; j < qLen[i]!; j++) bigger[i * q * 2 + j] = qBuf[i * q + ((qHead[i]! + j) % q)]!;
        qHead.fill(0);
        q *= 2;
        qBuf = bigger;
      }
      qBuf[s * q + ((qHead[s]! + qLen[s]!) % q)] = att;
      qLen[s]!++;
    }
  };
  const finish = (call: number): void => {
    cDone[call] = 1;
    if (engine !== undefined && cEvent[call]! >= 0) {
      engine.cancel(cEvent[call]!);
      cEvent[call] = -1;
      unref(call);
    }
    for (let k = 0; k < cAttempts[call]!; k++) {
      const att = call * 2 + k;
      if (aOver[att] === 1) continue;
      aOver[att] = 1;
      const s = aServer[att]!;
      metrics[s]!.end(now, now - aSent[att]!, 'ignored');
      inflight[s]!--;
      candidates.totalInflight--;
    }
    inSystem--;
    if (cMeasured[call] === 1) {
      const latency = now - cStart[call]!;
      latencySum += latency;
      ok++;
      const us = Math.round(latency * 1000);
      hist[us < HIST_US ? us : HIST_US]!++;
    }
  };

  const handle = (kind: number, id: number): void => {
    if (kind === DONE) {
      events++;
      const s = aServer[id]!;
      busyArea += busy * (now - busyStamp);
      busyStamp = now;
      busy--;
      running[s]!--;
      if (qLen[s]! > 0) {
        const att = qBuf[s * q + qHead[s]!]!;
        qHead[s] = (qHead[s]! + 1) % q;
        qLen[s]!--;
        startJob(s, att);
      }
      const call = id >> 1;
      if (aOver[id] === 0) {
        aOver[id] = 1;
        const latency = now - aSent[id]!;
        metrics[s]!.end(now, latency, 'success');
        inflight[s]!--;
        candidates.totalInflight--;
        // as the simulator's call settles a win: the winner's latency, then each open loser's elapsed time, then won()
        hedge.observe(latency);
        const k = id & 1;
        if (k === 0 && cAttempts[call] === 2 && aOver[id + 1] === 0) hedge.observe(now - aSent[id + 1]!);
        if (k === 1 && aOver[id - 1] === 0) hedge.observe(now - aSent[id - 1]!);
        hedge.won(k, now - aSent[call * 2]!, cAttempts[call]!);
        finish(call);
      }
      unref(call);
    } else if (kind === ARRIVE) {
      events++;
      if (now >= endMs) return;
      schedule(now - Math.log(1 - next()) / ratePerMs, ARRIVE, 0);
      const call = alloc();
      inSystem++;
      cStart[call] = now;
      cDone[call] = 0;
      cAttempts[call] = 0;
      cRefs[call] = 0;
      cMeasured[call] = now >= warmupMs ? 1 : 0;
      cReask[call] = 0;
      if (now >= warmupMs) calls++;
      const delay = hedge.start(now);
      cDelay[call] = delay;
      send(call);
      const wait = hedge.checkAfterMs(now, now, delay, 1, false);
      cEvent[call] = -1;
      if (wait >= 0) {
        cRefs[call]!++;
        cEvent[call] = schedule(now + wait, HEDGE, call);
      }
    } else if (kind === HEDGE) {
      cEvent[id] = -1;
      if (cDone[id] === 0) {
        events++;
        if (cAttempts[id] === 1 && n > 1) {
          const start = aSent[id * 2]!;
          const allowed = hedge.decide(now, start, 1, cReask[id] === 1, cDelay[id]!);
          cReask[id] = allowed ? 0 : 1;
          if (allowed) {
            if (measuring) hedges++;
            send(id);
          }
          const wait = hedge.checkAfterMs(now, start, cDelay[id]!, cAttempts[id]!, !allowed);
          if (wait >= 0) {
            cRefs[id]!++;
            cEvent[id] = schedule(now + wait, HEDGE, id);
          }
        }
      }
      unref(id);
    } else {
      events++;
      measuring = true;
      busyArea = 0;
      busyStamp = now;
    }
  };

  schedule(-Math.log(1 - next()) / ratePerMs, ARRIVE, 0);
  schedule(warmupMs, WARMUP_END, 0);
  // as runModel: every event up to the end, then until the last call in flight is answered
  if (engine === undefined) {
    while (hSize > 0 && (hTime[0]! <= endMs || inSystem > 0)) {
      const val = hVal[0]!;
      now = hTime[0]!;
      pop();
      handle(val & 3, val >> 2);
    }
  } else {
    now = engine.drain(endMs, () => inSystem > 0);
  }
  if (now < endMs) now = endMs;
  busyArea += busy * (now - busyStamp);
  let seen = 0;
  let p99 = 0;
  for (let us = 0; us <= HIST_US; us++) {
    seen += hist[us]!;
    if (seen >= 0.99 * ok) {
      p99 = us / 1000;
      break;
    }
  }
  return {
    calls,
    events,
    meanMs: ok > 0 ? latencySum / ok : 0,
    p99Ms: p99,
    extraLoad: attempts > 0 ? hedges / attempts : 0,
    utilization: busyArea / (n * c * (now - warmupMs)),
  };
}
