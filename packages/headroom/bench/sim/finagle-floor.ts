/**
 * The floor of the Finagle bench's cold case: `finagle-slowmiddle`'s p2c variant as one function
 * over typed arrays — 11 servers that are pure delays drawn from Finagle's ping latencies (the
 * 11th 10× slower from 15 s), 1,250 arrivals a second for 45 s (56,250 calls), each sent to the
 * less loaded of two distinct random servers (outstanding calls), a binary heap of completions, a
 * per-server served count and the mean latency. No objects per call, no policy objects, no
 * engine: what a cold process pays for the arithmetic of that many calls once V8 has compiled one
 * loop, against which the simulator's cold run (dozens of small functions to compile) is compared.
 *
 * Random draws come from one inlined sfc32 stream, so results agree with `runModel`'s in
 * distribution, not draw for draw.
 */
import { FINAGLE_EXTRA_BACKEND, FINAGLE_PING_LATENCY } from '../../src/sim/scenarios/finagle.js';

const SERVERS = 11;
const INTERVAL_MS = 0.8;
const DURATION_MS = 45_000;
const SLOW_FROM_MS = 15_000;

/** What {@link finagleFloor} measured. */
export interface FinagleFloorResult {
  readonly calls: number;
  readonly events: number;
  readonly meanMs: number;
  readonly served: readonly number[];
}

/** Runs the loop once with `seed`; see the module comment. */
export function finagleFloor(seed: number): FinagleFloorResult {
  if (FINAGLE_PING_LATENCY.type !== 'empirical') throw new Error('finagle-floor: the ping latencies are an empirical histogram');
  const buckets = FINAGLE_PING_LATENCY.buckets;
  const values = Float64Array.from(buckets, (b) => b[0]);
  const cumulative = new Float64Array(buckets.length);
  for (let i = 0, sum = 0; i < buckets.length; i++) cumulative[i] = sum += buckets[i]![1];
  const totalWeight = cumulative[buckets.length - 1]!;
  // sfc32, as core's SeededRandom
  let ra = 0x9e3779b9 | 0;
  let rb = 0x243f6a88 | 0;
  let rc = 0xb7e15162 | 0;
  let rd = seed | 0;
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
  const service = (): number => {
    const w = next() * totalWeight;
    let lo = 1;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > w) hi = mid;
      else lo = mid + 1;
    }
    return values[lo - 1]! + next() * (values[lo]! - values[lo - 1]!);
  };
  const calls = Math.round(DURATION_MS / INTERVAL_MS);
  // completion heap: time, server, start time
  const hTime = new Float64Array(calls);
  const hServer = new Int32Array(calls);
  const hStart = new Float64Array(calls);
  let size = 0;
  const outstanding = new Int32Array(SERVERS);
  const served = new Int32Array(SERVERS);
  let events = 0;
  let latencySum = 0;
  const complete = (): void => {
    const server = hServer[0]!;
    latencySum += hTime[0]! - hStart[0]!;
    outstanding[server]!--;
    served[server]!++;
    events++;
    const t = hTime[--size]!;
    const s = hServer[size]!;
    const a = hStart[size]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && hTime[c + 1]! < hTime[c]!) c++;
      if (hTime[c]! >= t) break;
      hTime[i] = hTime[c]!;
      hServer[i] = hServer[c]!;
      hStart[i] = hStart[c]!;
      i = c;
    }
    hTime[i] = t;
    hServer[i] = s;
    hStart[i] = a;
  };
  for (let k = 0; k < calls; k++) {
    const now = k * INTERVAL_MS;
    while (size > 0 && hTime[0]! <= now) complete();
    const a = Math.floor(next() * SERVERS);
    let b = Math.floor(next() * (SERVERS - 1));
    if (b >= a) b++;
    const server = outstanding[a]! <= outstanding[b]! ? a : b;
    outstanding[server]!++;
    events++;
    const done = now + service() * (server === FINAGLE_EXTRA_BACKEND && now >= SLOW_FROM_MS ? 10 : 1);
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hTime[p]! <= done) break;
      hTime[i] = hTime[p]!;
      hServer[i] = hServer[p]!;
      hStart[i] = hStart[p]!;
      i = p;
    }
    hTime[i] = done;
    hServer[i] = server;
    hStart[i] = now;
  }
  while (size > 0) complete();
  return { calls, events, meanMs: latencySum / calls, served: [...served] };
}
