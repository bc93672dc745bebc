/**
 * The peer of the fleet bench: the same model as `runModel` with p2c + peak-EWMA + hedging at an
 * adaptive percentile, written as one loop over typed arrays — no objects per call, attempt or
 * event, no policy objects, everything inlined. It is what the model could cost if nothing but
 * the arithmetic were left, so `time(runModel) / time(bareFleet)` says what the real objects (and
 * the engine's generality) cost.
 *
 * Same model, step for step: Poisson arrivals until the end; each call deposits `ratio` tokens in
 * a token bucket (no time refill, starts empty), sends its first attempt to the better of two
 * distinct random servers by peak-EWMA load (RTT estimate decayed over τ when read, × pending + 1,
 * Finagle's penalty for a busy server with no history), and — once 100 latencies are in a sliding
 * window of 1,000 (a ring and a sorted copy, updated as `SlidingPercentile` does) — arms a hedge
 * timer at the window's percentile (≥ 1 ms). As `HedgeRun` decides: a first ask sends one backup,
 * to a server the call has not used, when a token is left above the reserved half of the bucket;
 * a refused call asks again once its wait has doubled, and that re-ask may spend the reserve. Servers have `workers` FIFO workers and
 * lognormal service times. The first answer wins: its latency updates the server's estimate and
 * the window; the losing attempt ends as ignored (its elapsed time can only raise the estimate; it
 * also enters the window) and stays at its server (no cancellation of queued work). Measured:
 * calls arriving after the first 10% of the run, their mean and p99 time (µs buckets), attempts,
 * hedges, busy worker time.
 *
 * Random draws come from one inlined sfc32 stream, so results agree with `runModel`'s in
 * distribution, not draw for draw.
 *
 * With `queue: 'engine'` the events go through the simulator's {@link SimEngine} (a 4-ary heap in
 * typed arrays that takes a cancelled event out at once) instead of the inlined binary heap, and a
 * call's pending hedge timer is cancelled when the call finishes, as `runModel`'s calls do (the
 * inlined heap lets it fire and finds the call done): the same loop on the model's own queue.
 */
import { loopSchedule } from './engine-queue.js';

/** Parameters of {@link bareFleet}. */
export interface BareFleetOptions {
  readonly servers: number;
  readonly workers: number;
  readonly ratePerSec: number;
  readonly durationMs: number;
  readonly medianMs: number;
  readonly sigma: number;
  readonly seed: number;
  /** Hedge at this percentile of the window, e.g. 95. */
  readonly percentile: number;
}

/** What {@link bareFleet} measured (measured calls: those arriving after warm-up). */
export interface BareFleetResult {
  readonly calls: number;
  readonly events: number;
  readonly meanMs: number;
  readonly p99Ms: number;
  readonly extraLoad: number;
  readonly utilization: number;
}

/** peakEwma()'s default decay τ, which the model uses. */
const TAU_MS = 3_000;
const PENALTY = 2 ** 47;
const WINDOW = 1000;
const MIN_SAMPLES = 100;
const RATIO = 0.05;
const MAX_TOKENS = 10;
const ARRIVE = 0;
const DONE = 1;
const HEDGE = 2;
const WARMUP_END = 3;
const HIST_US = 1_000_000;

/**
 * Runs the model once; see the module comment.
 * @param queue - `heap`, the loop's inlined binary heap (default), or `engine`, a {@link SimEngine}
 */
export function bareFleet(o: BareFleetOptions, queue: 'heap' | 'engine' = 'heap'): BareFleetResult {
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
  // peak-EWMA per server
  const cost = new Float64Array(n);
  const stamp = new Float64Array(n).fill(Number.NaN);
  const pending = new Int32Array(n);
  const load = (i: number, now: number): number => {
    const st = stamp[i]!;
    const v = st === st && now > st ? cost[i]! * Math.exp((st - now) / TAU_MS) : cost[i]!;
    cost[i] = v;
    stamp[i] = now;
    return v === 0 && pending[i] !== 0 ? PENALTY + pending[i]! : v * (pending[i]! + 1);
  };
  const observe = (i: number, now: number, rtt: number, ignored: boolean): void => {
    if (pending[i]! > 0) pending[i]!--;
    const st = stamp[i]!;
    const w = Math.exp(-(st === st ? Math.max(now - st, 0) : 0) / TAU_MS);
    const r = ignored ? 0 : rtt;
    cost[i] = r > cost[i]! ? r : cost[i]! * w + r * (1 - w);
    stamp[i] = now;
    if (ignored && rtt > cost[i]!) cost[i] = rtt;
  };
  // sliding percentile window: ring + sorted copy
  const ring = new Float64Array(WINDOW);
  const sorted = new Float64Array(WINDOW);
  let wCount = 0;
  let wNext = 0;
  const lowerBound = (lo: number, hi: number, v: number): number => {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const windowAdd = (v: number): void => {
    if (wCount === WINDOW) {
      // replace the oldest in place: shift only the samples between the old value and the new one
      const old = ring[wNext]!;
      const from = lowerBound(0, WINDOW, old);
      if (v > old) {
        const to = lowerBound(from + 1, WINDOW, v) - 1;
        sorted.copyWithin(from, from + 1, to + 1);
        sorted[to] = v;
      } else {
        const to = lowerBound(0, from, v);
        sorted.copyWithin(to + 1, to, from);
        sorted[to] = v;
      }
    } else {
      const at = lowerBound(0, wCount, v);
      sorted.copyWithin(at + 1, at, wCount);
      sorted[at] = v;
      wCount++;
    }
    ring[wNext] = v;
    wNext = wNext + 1 === WINDOW ? 0 : wNext + 1;
  };
  // calls (id) and their attempts (id · 2 + k); a slot is reused once nothing refers to it
  let cap = 1 << 16;
  let cStart = new Float64Array(cap);
  let cDone = new Uint8Array(cap);
  let cAttempts = new Uint8Array(cap);
  let cRefs = new Int32Array(cap);
  let cMeasured = new Uint8Array(cap);
  let cReask = new Uint8Array(cap);
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
  let tokens = 0;
  let now = 0;
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
  const send = (call: number): void => {
    const k = cAttempts[call]!;
    let s = 0;
    for (let tries = 0; tries < 5; tries++) {
      const a = Math.floor(next() * n);
      let b = Math.floor(next() * (n - 1));
      if (b >= a) b++;
      const la = load(a, now);
      const lb = load(b, now);
      s = lb < la ? b : a;
      if (k === 0 || aServer[call * 2]! !== s) break;
    }
    if (k === 1 && aServer[call * 2]! === s) s = (s + 1) % n;
    const att = call * 2 + k;
    cAttempts[call] = k + 1;
    aServer[att] = s;
    aSent[att] = now;
    aOver[att] = 0;
    cRefs[call]!++;
    if (stamp[s] !== stamp[s]) stamp[s] = now;
    pending[s]!++;
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
      const elapsed = now - aSent[att]!;
      observe(aServer[att]!, now, elapsed, true);
      windowAdd(elapsed);
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
        observe(s, now, latency, false);
        windowAdd(latency);
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
      cEvent[call] = -1;
      if (now >= warmupMs) calls++;
      tokens = Math.min(MAX_TOKENS, tokens + RATIO);
      send(call);
      if (wCount >= MIN_SAMPLES) {
        const rank = Math.max(1, Math.ceil((o.percentile / 100) * wCount));
        cRefs[call]!++;
        cEvent[call] = schedule(now + Math.max(1, sorted[rank - 1]!), HEDGE, call);
      }
    } else if (kind === HEDGE) {
      cEvent[id] = -1;
      if (cDone[id] === 0) {
        events++;
        if (cAttempts[id] === 1 && n > 1) {
          // a first ask keeps half the bucket in reserve; a refused call asks again once its
          // wait has doubled, and only such re-asks may spend the reserve
          const keep = cReask[id] === 1 ? 0 : Math.floor(MAX_TOKENS / 2);
          if (tokens - keep >= 1 - 1e-9) {
            tokens = Math.max(0, tokens - 1);
            if (measuring) hedges++;
            send(id);
          } else {
            cReask[id] = 1;
            cRefs[id]!++;
            cEvent[id] = schedule(now + Math.max(now - cStart[id]!, 1), HEDGE, id);
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
