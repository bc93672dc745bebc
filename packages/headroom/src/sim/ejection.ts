/**
 * Health checks, outlier ejection and slow start in the model. A client whose spec sets `outlier`,
 * `health`, `slowStart` or `panicThreshold` picks through the real `BalancerCore` of `headroom/balance` — the synchronous
 * decider inside every `Balancer` — so ejection, backoff, the ejection cap, readmission, health
 * verdicts and panic are production code. The simulator plays the part of the async driver: it
 * schedules the outlier-interval evaluations and the health probes as engine events, and answers
 * each probe itself (a crashed server fails it after one round trip, a partitioned one lets it
 * time out, a slow one still passes: a probe is cheap). With `slowStart` the core ramps the weight
 * of a server that rejoins (health passes again, readmitted after an ejection) and refreshes the
 * effective weights as it picks, as inside `Balancer`.
 *
 * The client keeps its `picker` and per-server `metrics` seams: here they are thin adapters
 * (`pick` → `core.pick`, `start`/`end` → `core.begin`/`core.end`), so calls, hedges and timeouts
 * run unchanged and a model without these options pays nothing.
 */
import {
  BalancerCore,
  resolveActiveHealth,
  resolveOutlier,
  resolveSlowStart,
  type ActiveHealthConfig,
  type LoadMetric,
  type LoadMetricFactory,
  type OutlierConfig,
  type Picker,
  type PickerFactory,
  type SlowStartConfig,
} from '../balance/index.js';
import type { Outcome } from '../core/outcome.js';
import type { Random } from '../core/random.js';
import type { SimEngine, SimHandler } from './engine.js';
import { invalidOption, relabelled } from './errors.js';
import type { ClientSpec } from './model-spec.js';

/** The balancer settings of a client, validated. */
export interface BalanceConfig {
  readonly outlier: OutlierConfig | undefined;
  readonly health: ActiveHealthConfig<number> | undefined;
  readonly panicThresholdPercent: number;
  readonly slowStart: SlowStartConfig | undefined;
}

/** How the simulator answers a client's health probe of a server. */
export interface ProbeHost {
  /** Time until the probe's answer reaches the client, ms, or -1 when none comes (partition, loss). */
  probeRoundTrip(client: number, server: number): number;
  /** Whether the server is up (a crashed one answers a probe with a failure). */
  serverUp(server: number): boolean;
}

/**
 * The client's event loop as the balancer's events see it: while it is stalled (`stalledUntil >=
 * now`), the balancer's timers wait in its queue ({@link Client.defer}) and run when the stall
 * ends; the probes' answers are read after them, as the call machinery's are.
 */
export interface StalledLoop {
  readonly stalledUntil: number;
  defer(handler: SimHandler, kind: number, arg: number): void;
}

/** The simulator's stand-in for the probe function `resolveActiveHealth` requires (it never runs). */
const SIMULATED_PROBE = (): boolean => true;

/**
 * The balancer settings a client spec asks for, or undefined when it asks for none (plain picker).
 * Like `Balancer`, outlier detection is on with its defaults once the core is used, unless `outlier: false`.
 * @throws HR_SIM_INVALID_OPTION naming the field (`clients.outlier.interval`, `clients.health.timeout`, …)
 */
export function balanceConfig(spec: ClientSpec): BalanceConfig | undefined {
  if (spec.outlier === undefined && spec.health === undefined && spec.panicThreshold === undefined && spec.slowStart === undefined)
    return undefined;
  const panic = spec.panicThreshold ?? 50;
  if (!(typeof panic === 'number' && panic > 0 && panic <= 100))
    throw invalidOption(
      'clients.panicThreshold',
      spec.panicThreshold,
      'use a percentage above 0 and up to 100, e.g. 50 (the simulator needs a candidate for every call)',
    );
  return {
    outlier: ((o) => (o === false ? undefined : relabelled('clients', () => resolveOutlier(o ?? {}))))(spec.outlier),
    health:
      spec.health === undefined ? undefined : relabelled('clients', () => resolveActiveHealth({ ...spec.health, probe: SIMULATED_PROBE })),
    panicThresholdPercent: panic,
    slowStart: spec.slowStart === undefined ? undefined : relabelled('clients', () => resolveSlowStart(spec.slowStart!)),
  };
}

type Member = ReturnType<BalancerCore<number>['add']>;

/** A server's load metric as the client's calls see it: every start and end goes through the core. */
class MemberMetric implements LoadMetric {
  constructor(
    readonly core: BalancerCore<number>,
    readonly member: Member,
  ) {}

  start(now: number): void {
    this.core.begin(this.member, now);
  }

  end(now: number, latencyMs: number, outcome: Outcome): void {
    this.core.end(this.member, now, latencyMs, outcome);
  }

  load(now: number): number {
    return this.member.metric.load(now);
  }
}

const PROBE = 1;
const PROBE_PASSED = 2;
const PROBE_FAILED = 3;
const EVALUATE = 4;

/** One client's `BalancerCore`, its picker and metric adapters, and its probe and evaluation events. */
export class ClientBalancer implements SimHandler, Picker {
  readonly core: BalancerCore<number>;
  /** One adapter per server, in server order. */
  readonly metrics: LoadMetric[];
  readonly #members: Member[];
  readonly #config: BalanceConfig;
  readonly #engine: SimEngine;
  readonly #random: Random;
  readonly #host: ProbeHost;
  readonly #client: number;
  readonly #loop: StalledLoop;

  constructor(
    config: BalanceConfig,
    client: number,
    servers: number,
    picker: PickerFactory,
    load: LoadMetricFactory,
    random: Random,
    engine: SimEngine,
    host: ProbeHost,
    loop: StalledLoop,
  ) {
    this.#config = config;
    this.#loop = loop;
    this.#engine = engine;
    this.#random = random.fork('health');
    this.#host = host;
    this.#client = client;
    const health = config.health;
    if (config.slowStart !== undefined && !picker.supportsSlowStart)
      throw invalidOption(
        'clients.slowStart',
        config.slowStart,
        `use a picker that honours weights (p2c, least-loaded, smooth-wrr, weighted-random), not ${picker.name}`,
      );
    this.core = new BalancerCore<number>({
      picker,
      load,
      random,
      panicThresholdPercent: config.panicThresholdPercent,
      slowStart: config.slowStart,
      outlier: config.outlier,
      health: { healthy: health?.healthyThreshold ?? 1, unhealthy: health?.unhealthyThreshold ?? 1 },
      initiallyHealthy: health?.startHealthy ?? true,
      onRemoved: () => {},
      // pick() readmits when due, as the driver's timer would a little earlier.
      wake: () => {},
    });
    const now = engine.now;
    this.#members = Array.from({ length: servers }, (_, i) => this.core.add({ id: `s${i}`, target: i }, 1, now, false));
    this.metrics = this.#members.map((m) => new MemberMetric(this.core, m));
    if (health !== undefined) {
      for (let i = 0; i < servers; i++) engine.after(this.#random.next() * health.jitterFraction * health.intervalMs, this, PROBE, i);
    }
    const outlier = config.outlier;
    if (outlier !== undefined && (outlier.successRate !== undefined || outlier.latency !== undefined))
      engine.after(outlier.intervalMs, this, EVALUATE, 0);
  }

  /** Picks through the core; the candidate view the client passes is not used. */
  pick(_candidates: unknown, now: number): number {
    // The panic threshold is above 0, so some server is always a candidate.
    return this.core.pick(now, undefined)!.target;
  }

  handle(kind: number, arg: number): void {
    const engine = this.#engine;
    const stalledUntil = this.#loop.stalledUntil;
    if (stalledUntil >= engine.now) {
      // A stalled client: a probe's answer (passed, or failed by the server) is read when the stall
      // ends, after the timers that came due (a round's start, a probe's timeout, an evaluation).
      if (kind === PROBE_PASSED || (kind === PROBE_FAILED && arg >= 0)) engine.at(stalledUntil, this, kind, arg);
      else this.#loop.defer(this, kind, arg);
      return;
    }
    if (kind === PROBE) {
      const timeoutMs = this.#config.health!.timeoutMs;
      const rtt = this.#host.probeRoundTrip(this.#client, arg);
      // A timed-out probe carries ~server (negative): it is a timer, an answer is I/O.
      if (rtt < 0 || rtt >= timeoutMs) engine.after(timeoutMs, this, PROBE_FAILED, ~arg);
      else engine.after(rtt, this, this.#host.serverUp(arg) ? PROBE_PASSED : PROBE_FAILED, arg);
    } else if (kind === PROBE_PASSED || kind === PROBE_FAILED) {
      const server = arg < 0 ? ~arg : arg;
      this.core.probeResult(this.#members[server]!, kind === PROBE_PASSED, engine.now, undefined);
      const { intervalMs, jitterFraction } = this.#config.health!;
      engine.after(intervalMs * (1 + jitterFraction * (2 * this.#random.next() - 1)), this, PROBE, server);
    } else if (kind === EVALUATE) {
      this.core.evaluateOutliers(engine.now);
      engine.after(this.#config.outlier!.intervalMs, this, EVALUATE, 0);
    }
  }
}
