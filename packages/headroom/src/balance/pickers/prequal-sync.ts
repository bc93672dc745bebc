/**
 * Prequal's synchronous variant (Wydrowski et al., NSDI 2024, §4): for each query, probe `d`
 * eligible endpoints, wait for the first `d − 1` replies, and send the query to the best of them by
 * the hot-cold lexicographic rule (the same rule and RIF quantile as the asynchronous picker,
 * pickers/prequal.ts). It adds one probe round trip to every query but never acts on a stale
 * reply; the paper uses it as the reference the asynchronous pool approximates.
 *
 * A query cannot wait inside a synchronous `pick()`, so this variant is a driver over a
 * {@link Balancer} rather than a picker: `await sync.pick(balancer)` returns the endpoint (pair it
 * with `balancer.begin`/`end`), or `sync.call(balancer, fn)` does both, like `balancer.call`.
 * Eligible endpoints are the active, healthy, non-ejected ones; when there are none the balancer's
 * own picker decides (it knows panic mode). The decision core, {@link SyncProbeRound}, is
 * synchronous and holds one query's replies.
 *
 * When fewer than `d − 1` replies arrive within `timeout`, the best of those that did is chosen,
 * and with none a probed endpoint at random. Cost per query: `d` probes, one small round object.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { parsePositiveDuration, type Duration } from '../../core/duration.js';
import type { Outcome } from '../../core/outcome.js';
import { defaultRandom, type Random } from '../../core/random.js';
import type { Balancer } from '../balancer.js';
import type { Endpoint } from '../endpoint.js';
import { NoEndpointError } from '../errors.js';
import { invalidOption, requireInteger } from '../options.js';
import type { LoadReport } from '../probe/load-report.js';
import { ProbePool, RifWindow } from '../probe/pool.js';
import type { Prober } from '../probe/prober.js';
import { IndexSampler } from './sampler.js';

/** Options of {@link prequalSync}. */
export interface PrequalSyncOptions {
  /** Sends the probes (e.g. `httpProber()`). */
  readonly prober: Prober;
  /** Endpoints probed per query, d ≥ 2 (the query waits for d − 1 replies); default 3. */
  readonly probes?: number;
  /** Longest wait for the d − 1 replies; then the best reply so far decides; default `'50ms'`. */
  readonly timeout?: Duration;
  /** Hot/cold quantile Q_RIF in (0, 1); default 2^−0.25 ≈ 0.84. */
  readonly qRif?: number;
  /** Recent replies whose RIFs define the hot threshold; default 128. */
  readonly rifSamples?: number;
  /** Clock of the timeout; default the system clock. */
  readonly clock?: Clock;
  /** Samples the probed endpoints; default an unseeded generator. */
  readonly random?: Random;
}

/** Probe traffic and decisions of a {@link prequalSync} driver. */
export interface PrequalSyncStats {
  queries: number;
  probesSent: number;
  probesAnswered: number;
  probesFailed: number;
  /** Queries decided before d − 1 replies arrived (the timeout fired). */
  timeouts: number;
  /** Queries decided at random: no reply at all. */
  fallbacks: number;
}

/**
 * One query's probe round: the targets, the replies so far, and the hot-cold choice among them.
 * Synchronous and clock-free; the driver feeds it replies.
 */
export class SyncProbeRound {
  readonly #pool: ProbePool;
  readonly #need: number;
  #settled = 0;

  /**
   * @param targets - the ids probed (distinct)
   * @param need - replies to wait for (d − 1, at most `targets.length`)
   */
  constructor(
    readonly targets: readonly string[],
    need: number,
  ) {
    this.#pool = new ProbePool(Math.max(1, targets.length));
    this.#need = Math.min(need, targets.length);
  }

  /** Replies with a report so far. */
  get answered(): number {
    return this.#pool.size;
  }

  /** True once `need` reports arrived, or every probe settled (answered or failed). */
  get ready(): boolean {
    return this.#pool.size >= this.#need || this.#settled >= this.targets.length;
  }

  /** Records the reply (or failure: `undefined`) of the probe to `id`; returns {@link ready}. */
  reply(id: string, report: LoadReport | undefined, now: number): boolean {
    this.#settled++;
    if (report !== undefined) this.#pool.add(id, report.rif, report.latencyMs, now, Infinity);
    return this.ready;
  }

  /** The hot-cold choice among the replies (cold: lowest latency; all hot: lowest RIF), or undefined with none. */
  choose(hotAbove: number): string | undefined {
    const slot = this.#pool.select(hotAbove, () => true);
    return slot < 0 ? undefined : this.#pool.ids[slot];
  }
}

/** The synchronous-variant driver made by {@link prequalSync}. */
export interface PrequalSync {
  /** Live counters. */
  readonly stats: PrequalSyncStats;
  /**
   * Probes d eligible endpoints of `balancer`, waits for d − 1 replies (or the timeout) and
   * resolves with the chosen endpoint; pair with `balancer.begin` / `balancer.end`.
   * @throws HR_BALANCE_NO_ENDPOINT when nothing can be picked; rejects with `signal.reason` when aborted
   */
  pick<T>(balancer: Balancer<T>, options?: { readonly signal?: AbortSignal }): Promise<Endpoint<T>>;
  /**
   * {@link pick}, then runs `fn` on the endpoint with the balancer's bookkeeping (load metric,
   * outlier detection), as `balancer.call` does: a rejection is a failure unless `signal` aborted.
   */
  call<T, R>(
    balancer: Balancer<T>,
    fn: (endpoint: Endpoint<T>, signal: AbortSignal) => R | PromiseLike<R>,
    options?: { readonly signal?: AbortSignal },
  ): Promise<R>;
}

const NEVER_ABORTED = new AbortController().signal;

/**
 * Prequal's synchronous variant (see the file comment).
 * @throws HR_BALANCE_INVALID_OPTION naming the bad option; HR_CORE_INVALID_DURATION for a bad timeout
 * @example
 * ```ts
 * const sync = prequalSync({ prober: httpProber(), probes: 3 });
 * const user = await sync.call(balancer, (ep, signal) => fetchUser(ep.target, id, signal));
 * ```
 */
export function prequalSync(options: PrequalSyncOptions): PrequalSync {
  if (typeof options !== 'object' || options === null || typeof options.prober?.probe !== 'function')
    throw invalidOption('prequalSync.prober', options?.prober, 'pass a Prober, e.g. prequalSync({ prober: httpProber() })');
  const probes = requireInteger('prequalSync.probes', options.probes ?? 3, 2, '3');
  const timeoutMs = parsePositiveDuration(options.timeout, 'prequalSync.timeout', 50);
  const qRif = options.qRif ?? 2 ** -0.25;
  if (!(qRif > 0 && qRif < 1))
    throw invalidOption('prequalSync.qRif', qRif, 'use a quantile between 0 and 1, e.g. 0.84 (0.6–0.9 is the useful range)');
  const rifs = new RifWindow(requireInteger('prequalSync.rifSamples', options.rifSamples ?? 128, 1, '128'), qRif);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? defaultRandom();
  const prober = options.prober;
  const sampler = new IndexSampler();
  const stats: PrequalSyncStats = { queries: 0, probesSent: 0, probesAnswered: 0, probesFailed: 0, timeouts: 0, fallbacks: 0 };

  const pick = <T>(balancer: Balancer<T>, o: { readonly signal?: AbortSignal } = {}): Promise<Endpoint<T>> => {
    const { signal } = o;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const eligible = balancer.endpoints().filter((e) => e.status === 'active' && e.healthy && !e.ejected);
    if (eligible.length === 0) {
      const fallback = balancer.pick();
      return fallback === undefined
        ? Promise.reject(new NoEndpointError('No endpoint can take the request: every endpoint is draining, unhealthy or ejected.'))
        : Promise.resolve(fallback);
    }
    stats.queries++;
    const chosen = sample(sampler, eligible, Math.min(probes, eligible.length), random);
    const round = new SyncProbeRound(
      chosen.map((e) => e.id),
      probes - 1,
    );
    return new Promise<Endpoint<T>>((resolve, reject) => {
      let done = false;
      const finish = (timedOut: boolean): void => {
        if (done) return;
        done = true;
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        if (timedOut) stats.timeouts++;
        const id = round.choose(rifs.threshold());
        if (id === undefined) stats.fallbacks++;
        resolve(id === undefined ? chosen[Math.floor(random.next() * chosen.length)]! : chosen.find((e) => e.id === id)!);
      };
      const onAbort = (): void => {
        if (done) return;
        done = true;
        timer.cancel();
        reject(signal!.reason);
      };
      const timer = clock.setTimer(timeoutMs, () => finish(true));
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const e of chosen) {
        stats.probesSent++;
        prober.probe(e.id, (report) => {
          if (report === undefined) stats.probesFailed++;
          else {
            stats.probesAnswered++;
            rifs.add(report.rif);
          }
          if (round.reply(e.id, report, clock.now())) finish(false);
        });
      }
    });
  };

  const call = async <T, R>(
    balancer: Balancer<T>,
    fn: (endpoint: Endpoint<T>, signal: AbortSignal) => R | PromiseLike<R>,
    o: { readonly signal?: AbortSignal } = {},
  ): Promise<R> => {
    const endpoint = await pick(balancer, o);
    const startedAt = balancer.begin(endpoint);
    let outcome: Outcome = 'success';
    try {
      return await fn(endpoint, o.signal ?? NEVER_ABORTED);
    } catch (error) {
      outcome = o.signal?.aborted === true ? 'ignored' : 'failure';
      throw error;
    } finally {
      balancer.end(endpoint, startedAt, outcome);
    }
  };

  return { stats, pick, call };
}

/** `k` distinct members of `list`, uniformly, drawn through `sampler` (reset when the list's length changed). */
function sample<E>(sampler: IndexSampler, list: readonly E[], k: number, random: Random): E[] {
  if (sampler.size !== list.length) sampler.reset(list.length);
  const order = sampler.draw(k, random);
  const chosen = new Array<E>(k);
  for (let j = 0; j < k; j++) chosen[j] = list[order[j]!]!;
  return chosen;
}
