/**
 * Prequal — Probing to Reduce Queuing and Latency (Wydrowski, Kleinberg, Rumble, Willis,
 * NSDI 2024; deployed at YouTube). Instead of a load metric, the client asks servers for their
 * requests in flight (RIF) and expected latency, asynchronously and off the request path, and
 * keeps the replies in a small pool. Each query:
 *
 * 1. drops replies older than `maxAge`;
 * 2. chooses by the hot-cold lexicographic rule: a reply is *hot* when its RIF is above the
 *    `qRif` quantile of recently seen RIFs; among cold replies take the lowest latency, and only if
 *    all are hot the lowest RIF — latency decides while the server has headroom, RIF once it is
 *    queueing. An empty pool falls back to a uniformly random candidate;
 * 3. counts one use of that reply and drops it at the reuse budget (probe/reuse.ts);
 * 4. removes `removalsPerQuery` replies, alternating the worst and the oldest (probe/pool.ts);
 * 5. sends `probesPerQuery` probes to candidates sampled without replacement, through the
 *    injected {@link Prober} — fractional rates accumulate; at most `maxProbesInFlight` at once.
 *
 * Q_RIF: the paper's default is 2^−0.25 ≈ 0.84; 0.6–0.9 all work in its experiments. Lower
 * makes more servers hot, so RIF (queue length) decides more often: safer under sudden load,
 * blinder to latency differences. Higher lets latency decide almost always: best for
 * heterogeneous servers below saturation, slower to react to a server that starts queueing.
 *
 * Health, ejection and panic act as for every picker: replies for endpoints that are not
 * candidates now are skipped. O(m) per pick for m ≤ `poolSize` (16), plus the probes' own cost;
 * one small closure per probe sent.
 *
 * Idle-time probing (`idleInterval`, off by default): while no query arrives for `idleInterval`,
 * the picker probes one random candidate per `idleInterval`, so the pool is fresh when queries
 * resume — up to `maxIdleProbes` in a row, after which an abandoned balancer falls silent until its
 * next query. The paper's synchronous variant (probe d, wait for d − 1) is `prequalSync`
 * (pickers/prequal-sync.ts).
 */
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { parseOptionalDuration, parsePositiveDuration, type Duration } from '../../core/duration.js';
import type { Random } from '../../core/random.js';
import { invalidOption, requireInteger, requireNonNegative } from '../options.js';
import type { Candidates, Picker, PickerFactory } from '../picker.js';
import type { LoadReport } from '../probe/load-report.js';
import { ProbePool, RifWindow } from '../probe/pool.js';
import type { Prober } from '../probe/prober.js';
import { reuseBudget } from '../probe/reuse.js';

/** Options of {@link prequal}. */
export interface PrequalOptions {
  /** Sends the probes (e.g. `httpProber()`, or the simulator's). */
  readonly prober: Prober;
  /** Probes sent per query (r_probe), may be fractional; default 3. */
  readonly probesPerQuery?: number;
  /** Pool capacity m; default 16. */
  readonly poolSize?: number;
  /** Replies older than this are dropped; default `'1s'`. */
  readonly maxAge?: Duration;
  /** Hot/cold quantile Q_RIF in (0, 1); default 2^−0.25 ≈ 0.84. */
  readonly qRif?: number;
  /** Replies removed per query (r_remove), alternating worst and oldest; default 1. */
  readonly removalsPerQuery?: number;
  /** Safety margin δ of the reuse budget; default 0.1. */
  readonly reuseDelta?: number;
  /** Probes awaiting a reply at once, per balancer; beyond it probes are skipped (counted); default 16. */
  readonly maxProbesInFlight?: number;
  /** Recent replies whose RIFs define the hot threshold; default 128. */
  readonly rifSamples?: number;
  /** Clock that timestamps replies and runs idle probing: pass the balancer's; default the system clock. */
  readonly clock?: Clock;
  /** Probe one random candidate every this long while no query arrives; default off (0). */
  readonly idleInterval?: Duration;
  /** Idle probes in a row before idle probing stops until the next query; default 60. */
  readonly maxIdleProbes?: number;
}

/** Probe traffic and decisions of every picker a {@link prequal} factory made (they add up). */
export interface PrequalStats {
  /** Picks made. */
  queries: number;
  /** Probes sent. */
  probesSent: number;
  /** Probes answered with a report. */
  probesAnswered: number;
  /** Probes that failed or had no report. */
  probesFailed: number;
  /** Probes not sent because `maxProbesInFlight` were awaiting replies. */
  probesSkipped: number;
  /** Picks made at random because no usable reply was in the pool. */
  fallbacks: number;
  /** Picks decided by a cold reply (lowest latency) rather than a hot one (lowest RIF). */
  coldPicks: number;
  /** Probes sent by idle-time probing (included in `probesSent`). */
  idleProbes: number;
}

/** The factory of {@link prequal}, with the counters of its pickers. */
export interface PrequalFactory extends PickerFactory {
  /** Live counters (summed over every balancer using this factory). */
  readonly stats: PrequalStats;
}

interface Config {
  readonly prober: Prober;
  readonly probesPerQuery: number;
  readonly poolSize: number;
  readonly maxAgeMs: number;
  readonly qRif: number;
  readonly removalsPerQuery: number;
  readonly reuseDelta: number;
  readonly maxProbesInFlight: number;
  readonly rifSamples: number;
  readonly clock: Clock;
  /** 0 = idle probing off. */
  readonly idleIntervalMs: number;
  readonly maxIdleProbes: number;
}

class PrequalPicker implements Picker {
  readonly #config: Config;
  readonly #stats: PrequalStats;
  readonly #random: Random;
  readonly #pool: ProbePool;
  readonly #rifs: RifWindow;
  readonly #indexOf = new Map<string, number>();
  readonly #targets: Int32Array;
  readonly #usable = (slot: number): boolean => this.#indexOf.has(this.#pool.ids[slot]!);
  #listVersion = -1;
  #reuse = Infinity;
  #probeCredit = 0;
  #removeCredit = 0;
  #inFlight = 0;
  /** Candidate ids at the last reindex, for idle probes. */
  #ids: string[] = [];
  #lastQueryMs = -Infinity;
  #idleRun = 0;
  #idleTimer: TimerHandle | null = null;

  constructor(config: Config, stats: PrequalStats, random: Random) {
    this.#config = config;
    this.#stats = stats;
    this.#random = random;
    this.#pool = new ProbePool(config.poolSize);
    this.#rifs = new RifWindow(config.rifSamples, config.qRif);
    this.#targets = new Int32Array(Math.ceil(config.probesPerQuery) + 1);
  }

  pick(c: Candidates, now: number): number {
    const n = c.size;
    if (n === 0) return -1;
    const config = this.#config;
    if (c.listVersion !== this.#listVersion) this.#reindex(c);
    this.#stats.queries++;
    if (config.idleIntervalMs > 0) this.#queried();
    const pool = this.#pool;
    pool.expire(now - config.maxAgeMs);
    const hotAbove = this.#rifs.threshold();
    const slot = pool.select(hotAbove, this.#usable);
    let choice: number;
    if (slot < 0) {
      this.#stats.fallbacks++;
      choice = Math.floor(this.#random.next() * n);
    } else {
      choice = this.#indexOf.get(pool.ids[slot]!)!;
      if (pool.rif[slot]! <= hotAbove) this.#stats.coldPicks++;
      if (++pool.uses[slot]! >= this.#reuse) pool.remove(slot);
    }
    this.#removeCredit += config.removalsPerQuery;
    while (this.#removeCredit >= 1) {
      this.#removeCredit--;
      pool.removeOne(hotAbove);
    }
    this.#sendProbes(c, n);
    return choice;
  }

  #reindex(c: Candidates): void {
    this.#listVersion = c.listVersion;
    this.#indexOf.clear();
    this.#ids = [];
    for (let i = 0; i < c.size; i++) {
      this.#indexOf.set(c.id(i), i);
      this.#ids.push(c.id(i));
    }
    const config = this.#config;
    this.#reuse = reuseBudget(config.probesPerQuery, config.removalsPerQuery, config.poolSize, c.size, config.reuseDelta);
  }

  #sendProbes(c: Candidates, n: number): void {
    this.#probeCredit += this.#config.probesPerQuery;
    let k = Math.floor(this.#probeCredit);
    if (k === 0) return;
    this.#probeCredit -= k;
    if (k > n) k = n;
    const room = this.#config.maxProbesInFlight - this.#inFlight;
    if (k > room) {
      this.#stats.probesSkipped += k - Math.max(room, 0);
      k = Math.max(room, 0);
    }
    // Sample k distinct candidates (k is small: rejection is cheaper than a shuffle of n).
    const targets = this.#targets;
    for (let j = 0; j < k; j++) {
      let i: number;
      do i = Math.floor(this.#random.next() * n);
      while (includes(targets, j, i));
      targets[j] = i;
    }
    for (let j = 0; j < k; j++) this.#probe(c.id(targets[j]!));
  }

  /** Notes a query and keeps the idle timer armed. */
  #queried(): void {
    const clock = this.#config.clock;
    this.#lastQueryMs = clock.now();
    this.#idleRun = 0;
    if (this.#idleTimer === null) this.#idleTimer = clock.setTimer(this.#config.idleIntervalMs, this.#onIdleTimer);
  }

  /** Fires every `idleInterval`: probes one random candidate when no query came for that long. */
  readonly #onIdleTimer = (): void => {
    this.#idleTimer = null;
    const { clock, idleIntervalMs, maxIdleProbes, maxProbesInFlight } = this.#config;
    const quietMs = clock.now() - this.#lastQueryMs;
    if (quietMs < idleIntervalMs) {
      this.#idleTimer = clock.setTimer(idleIntervalMs - quietMs, this.#onIdleTimer);
      return;
    }
    if (this.#idleRun >= maxIdleProbes || this.#ids.length === 0) return;
    this.#idleRun++;
    if (this.#inFlight < maxProbesInFlight) {
      this.#stats.idleProbes++;
      this.#probe(this.#ids[Math.floor(this.#random.next() * this.#ids.length)]!);
    } else {
      this.#stats.probesSkipped++;
    }
    this.#idleTimer = clock.setTimer(idleIntervalMs, this.#onIdleTimer);
  };

  #probe(id: string): void {
    this.#inFlight++;
    this.#stats.probesSent++;
    this.#config.prober.probe(id, (report) => this.#reply(id, report));
  }

  #reply(id: string, report: LoadReport | undefined): void {
    this.#inFlight--;
    if (report === undefined) {
      this.#stats.probesFailed++;
      return;
    }
    this.#stats.probesAnswered++;
    this.#rifs.add(report.rif);
    this.#pool.add(id, report.rif, report.latencyMs, this.#config.clock.now(), this.#rifs.threshold());
  }
}

function includes(list: Int32Array, length: number, value: number): boolean {
  for (let j = 0; j < length; j++) if (list[j] === value) return true;
  return false;
}

/** Validates {@link PrequalOptions}. */
function resolve(options: PrequalOptions): Config {
  if (typeof options !== 'object' || options === null || typeof options.prober?.probe !== 'function')
    throw invalidOption('prequal.prober', options?.prober, 'pass a Prober, e.g. prequal({ prober: httpProber() })');
  const qRif = options.qRif ?? 2 ** -0.25;
  if (!(qRif > 0 && qRif < 1))
    throw invalidOption('prequal.qRif', qRif, 'use a quantile between 0 and 1, e.g. 0.84 (0.6–0.9 is the useful range)');
  return {
    prober: options.prober,
    probesPerQuery: requireNonNegative('prequal.probesPerQuery', options.probesPerQuery ?? 3, '3'),
    poolSize: requireInteger('prequal.poolSize', options.poolSize ?? 16, 1, '16'),
    maxAgeMs: parsePositiveDuration(options.maxAge, 'prequal.maxAge', 1000),
    qRif,
    removalsPerQuery: requireNonNegative('prequal.removalsPerQuery', options.removalsPerQuery ?? 1, '1'),
    reuseDelta: requireNonNegative('prequal.reuseDelta', options.reuseDelta ?? 0.1, '0.1'),
    maxProbesInFlight: requireInteger('prequal.maxProbesInFlight', options.maxProbesInFlight ?? 16, 0, '16'),
    rifSamples: requireInteger('prequal.rifSamples', options.rifSamples ?? 128, 1, '128'),
    clock: options.clock ?? systemClock,
    idleIntervalMs: parseOptionalDuration(options.idleInterval, 'prequal.idleInterval', 0),
    maxIdleProbes: requireInteger('prequal.maxIdleProbes', options.maxIdleProbes ?? 60, 1, '60'),
  };
}

/**
 * Prequal's probing picker. Pair it with any load metric (it does not read it) and keep outlier
 * detection on: the pool only sees what servers report.
 * @throws HR_BALANCE_INVALID_OPTION naming the bad option
 * @example
 * ```ts
 * const balancer = new Balancer({ endpoints: origins, picker: prequal({ prober: httpProber() }) });
 * ```
 */
export function prequal(options: PrequalOptions): PrequalFactory {
  const config = resolve(options);
  const stats: PrequalStats = {
    queries: 0,
    probesSent: 0,
    probesAnswered: 0,
    probesFailed: 0,
    probesSkipped: 0,
    fallbacks: 0,
    coldPicks: 0,
    idleProbes: 0,
  };
  return {
    name: 'prequal',
    supportsSlowStart: false,
    needsKey: false,
    stats,
    create: ({ random }) => new PrequalPicker(config, stats, random),
  };
}
