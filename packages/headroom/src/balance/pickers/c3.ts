/**
 * C3 — adaptive replica selection (Suresh, Canini, Schmid, Feldmann, NSDI 2015). Each replica
 * is scored by what its responses said and what this client has in flight to it:
 *
 *   Ψ = (R̄ − T̄) + q̂³ · T̄,   q̂ = 1 + os · n + q̄
 *
 * R̄: the response time this client measures (the balancer's load metric — use {@link c3Load}),
 * T̄ = 1/µ̄ and q̄: the service time and queue size the server piggybacks (averaged in
 * {@link C3Feedback}), os: this client's requests in flight to it, n: the number of clients (each
 * client's os stands for everyone's: "concurrency compensation"). The cube penalises long queues
 * far more than slow service, so clients back off a replica before its queue builds. The best
 * replica whose CUBIC rate limit has a token is chosen; when none has one, the best replica anyway
 * (counted). The paper's backlog queue — a request waits until some limiter allows it — cannot live
 * in a synchronous picker; `C3Backlog` (c3/backlog.ts) puts it in front of the balancer, asking
 * {@link C3Factory.msUntilOpen} when a replica will have a token.
 *
 * A replica with no feedback yet is scored as if it served as fast as the fastest known one among
 * those scored, with no queue (the authors' simulator scores it 0, which here sent every request
 * of every client to a replica until its first answer came back — a slow one drowned).
 *
 * Which replicas are scored: C3 as published ranks the replica group of a key (Cassandra's 3), so
 * a full scan is cheap there; over a large endpoint set it costs O(n) per pick (docs/balance.md
 * measures it at 1,000 endpoints). So the picker scores `choices` candidates sampled without replacement (a partial
 * Fisher–Yates shuffle of a kept permutation: O(k), no allocation), default
 * {@link C3_DEFAULT_CHOICES}: every candidate of a fleet up to that size, as published; beyond it
 * a bounded sample, which the simulator's 100-server antagonists find as good as the full scan at
 * p99.9 (docs/balance.md). `choices: Infinity` scores everyone.
 */
import type { Outcome } from '../../core/outcome.js';
import type { Random } from '../../core/random.js';
import type { ReplicaFeedback } from '../c3/feedback.js';
import { C3Feedback } from '../c3/feedback.js';
import type { LoadMetric, LoadMetricFactory } from '../load-metric.js';
import { invalidOption, requireInteger } from '../options.js';
import type { Candidates, Picker, PickerFactory } from '../picker.js';
import { IndexSampler } from './sampler.js';

/** Options of {@link c3}. */
export interface C3Options {
  /** The feedback this client's responses feed (one per balancer). */
  readonly feedback: C3Feedback;
  /** n, the number of clients sharing the replicas; default 1. */
  readonly clients?: number;
  /** Per-replica CUBIC rate control; default true. */
  readonly rateControl?: boolean;
  /** Candidates scored per pick, sampled without replacement (integer ≥ 1, or Infinity for all); default {@link C3_DEFAULT_CHOICES}. */
  readonly choices?: number;
}

/** Decisions of every picker a {@link c3} factory made. */
export interface C3Stats {
  /** Picks made. */
  picks: number;
  /** Picks where every scored replica was over its rate limit (the best one was taken anyway). */
  overLimit: number;
}

/** The factory of {@link c3}, with its counters. */
export interface C3Factory extends PickerFactory {
  readonly stats: C3Stats;
  /**
   * Time from `now` until some replica of the last picker this factory made is within its rate
   * limit, ms: 0 when one is now (or rate control is off, or nothing was picked yet). For
   * `C3Backlog`; use one factory per balancer.
   */
  msUntilOpen(now: number): number;
}

/** Candidates {@link c3} scores per pick by default: all of a fleet up to this size, a sample of this many beyond. */
export const C3_DEFAULT_CHOICES = 16;

class C3Picker implements Picker {
  readonly #feedback: C3Feedback;
  readonly #clients: number;
  readonly #rateControl: boolean;
  readonly #choices: number;
  readonly #stats: C3Stats;
  readonly #random: Random;
  #replicas: ReplicaFeedback[] = [];
  /** Each pick's sample of the candidate indices (a kept permutation; its first k entries). */
  readonly #sampler = new IndexSampler();
  #listVersion = -1;

  constructor(options: Required<Omit<C3Options, 'choices'>> & { choices: number }, stats: C3Stats, random: Random) {
    this.#feedback = options.feedback;
    this.#clients = options.clients;
    this.#rateControl = options.rateControl;
    this.#choices = options.choices;
    this.#stats = stats;
    this.#random = random;
  }

  pick(c: Candidates, now: number): number {
    const n = c.size;
    if (n === 0) return -1;
    if (c.listVersion !== this.#listVersion) {
      this.#listVersion = c.listVersion;
      this.#replicas = Array.from({ length: n }, (_, i) => this.#feedback.replica(c.id(i), now));
      this.#sampler.reset(n);
    }
    this.#stats.picks++;
    let best = -1;
    let bestScore = Infinity;
    let open = -1;
    let openScore = Infinity;
    const count = this.#choices < n ? this.#choices : n;
    // order[0..count) is the sample: a uniform draw without replacement, or all of them.
    const order = count < n ? this.#sampler.draw(count, this.#random) : this.#sampler.order;
    // Replicas not heard from yet are scored optimistically with the fastest known service time
    // among those scored (1 ms when none is known), but still by their in-flight requests, so they
    // are tried without every request piling onto them before their first answer.
    let unknownServiceMs = Infinity;
    for (let k = 0; k < count; k++) {
      const r = this.#replicas[order[k]!]!;
      if (r.reports > 0 && r.serviceMs < unknownServiceMs) unknownServiceMs = r.serviceMs;
    }
    if (unknownServiceMs === Infinity) unknownServiceMs = 1;
    for (let k = 0; k < count; k++) {
      const i = order[k]!;
      const s = this.#score(c, i, now, unknownServiceMs);
      if (s < bestScore) {
        bestScore = s;
        best = i;
      }
      if (s < openScore && (!this.#rateControl || this.#replicas[i]!.rate.tokens(now) >= 1)) {
        openScore = s;
        open = i;
      }
    }
    if (open < 0) this.#stats.overLimit++;
    const choice = open >= 0 ? open : best;
    if (this.#rateControl) this.#replicas[choice]!.rate.sent(now);
    return choice;
  }

  /** See {@link C3Factory.msUntilOpen}. */
  msUntilOpen(now: number): number {
    if (!this.#rateControl || this.#replicas.length === 0) return 0;
    let wait = Infinity;
    for (const r of this.#replicas) {
      const ms = r.rate.msUntilToken(now);
      if (ms < wait) wait = ms;
      if (wait === 0) break;
    }
    return wait;
  }

  #score(c: Candidates, i: number, now: number, unknownServiceMs: number): number {
    const r = this.#replicas[i]!;
    const q = 1 + c.inflight[i]! * this.#clients + r.queue;
    if (r.reports === 0) return q * q * q * unknownServiceMs;
    return c.load(i, now) - r.serviceMs + q * q * q * r.serviceMs;
  }
}

/**
 * C3's replica ranking and rate control as a picker. Feed `feedback` from responses; pair with
 * {@link c3Load} so the balancer measures R̄.
 * @throws HR_BALANCE_INVALID_OPTION naming the bad option
 * @example
 * ```ts
 * const feedback = new C3Feedback();
 * const balancer = new Balancer({ endpoints, picker: c3({ feedback, clients: 20 }), load: c3Load() });
 * const dispatcher = new BalancedDispatcher(balancer, {
 *   onResponseHeaders: (endpoint, _status, headers) => feedback.observeHeaders(endpoint.id, headers, performance.now()),
 * });
 * ```
 */
export function c3(options: C3Options): C3Factory {
  if (typeof options !== 'object' || options === null || !(options.feedback instanceof C3Feedback))
    throw invalidOption('c3.feedback', options?.feedback, 'pass a C3Feedback fed from responses, e.g. c3({ feedback: new C3Feedback() })');
  const clients = requireInteger('c3.clients', options.clients ?? 1, 1, '1');
  const choices =
    options.choices === undefined || options.choices === Infinity
      ? (options.choices ?? C3_DEFAULT_CHOICES)
      : requireInteger('c3.choices', options.choices, 1, String(C3_DEFAULT_CHOICES));
  const resolved = { feedback: options.feedback, clients, rateControl: options.rateControl ?? true, choices };
  const stats: C3Stats = { picks: 0, overLimit: 0 };
  let last: C3Picker | undefined;
  return {
    name: 'c3',
    supportsSlowStart: false,
    needsKey: false,
    stats,
    msUntilOpen: (now) => last?.msUntilOpen(now) ?? 0,
    create: ({ random }) => (last = new C3Picker(resolved, stats, random)),
  };
}

class ResponseTimeEwma implements LoadMetric {
  #value = 0;
  #seen = false;
  constructor(readonly alpha: number) {}
  start(): void {}
  end(_now: number, latencyMs: number, outcome: Outcome): void {
    if (outcome === 'ignored') return;
    this.#value = this.#seen ? this.#value + this.alpha * (latencyMs - this.#value) : latencyMs;
    this.#seen = true;
  }
  load(): number {
    return this.#value;
  }
}

/**
 * C3's R̄: the response time this client measures, exponentially averaged with weight `alpha` on
 * the newest (default 0.9, as the authors' simulator); 0 before the first response. Callers that
 * gave up (`'ignored'`) are not counted.
 * @example new Balancer({ endpoints, picker: c3({ feedback }), load: c3Load() })
 */
export function c3Load(options: { readonly alpha?: number } = {}): LoadMetricFactory {
  const alpha = options.alpha ?? 0.9;
  if (!(alpha > 0 && alpha <= 1)) throw invalidOption('c3Load.alpha', alpha, 'use a weight in (0, 1], e.g. 0.9');
  return { name: 'c3-response-time', create: () => new ResponseTimeEwma(alpha) };
}
