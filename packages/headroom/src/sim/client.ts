/**
 * A simulated client process: its own picker and one load metric per server, both the real
 * objects of `headroom/balance` (the picker sees the servers through a {@link Candidates} view,
 * exactly as inside a `Balancer`), plus its latency policies — the synchronous cores of
 * `headroom/latency` (policies.ts), driven with the engine's time.
 *
 * With `outlier`, `health` or `panicThreshold` in its spec, the client picks through the real
 * `BalancerCore` instead (ejection.ts), which takes sick servers out of its candidates; without
 * them every server stays a candidate.
 */
import {
  aperture,
  leastLoaded,
  outstanding,
  p2c,
  peakEwma,
  roundRobin,
  uniformRandom,
  weightedRandom,
  weightedRoundRobin,
  type Candidates,
  type LoadMetric,
  type LoadMetricFactory,
  type Picker,
  type PickerFactory,
} from '../balance/index.js';
import type { Random } from '../core/random.js';
import { ClientBalancer, type BalanceConfig, type ProbeHost } from './ejection.js';
import type { SimEngine, SimHandler } from './engine.js';
import { invalidOption } from './errors.js';
import type { LoadSpec, PickerSpec } from './model-spec.js';
import { ClientPolicies, type PolicyConfig } from './policies.js';

/** Builds the picker a spec names. */
export function pickerFactory(spec: PickerSpec | undefined, path = 'clients.picker'): PickerFactory {
  const s = spec ?? 'p2c';
  const type = typeof s === 'string' ? s : s.type;
  switch (type) {
    case 'p2c':
      return p2c(typeof s === 'object' && 'choices' in s && s.choices !== undefined ? { choices: s.choices } : {});
    case 'round-robin':
      return roundRobin();
    case 'random':
      return uniformRandom();
    case 'least-loaded':
      return leastLoaded();
    case 'smooth-wrr':
      return weightedRoundRobin();
    case 'weighted-random':
      return weightedRandom();
    default:
      throw invalidOption(path, spec, 'use p2c, round-robin, random, least-loaded, smooth-wrr, weighted-random, aperture, prequal or c3');
  }
}

/** True when the spec names deterministic aperture, whose picker differs per client (its coordinate). */
export function isAperture(spec: PickerSpec | undefined): boolean {
  return spec === 'aperture' || (typeof spec === 'object' && spec.type === 'aperture');
}

/** The deterministic-aperture picker of client `client` of `clients`. */
export function aperturePickerFor(spec: PickerSpec | undefined, client: number, clients: number, path = 'clients.picker'): PickerFactory {
  const minAperture = typeof spec === 'object' && spec.type === 'aperture' ? spec.minAperture : undefined;
  try {
    return aperture({ coordinate: { index: client, count: clients }, ...(minAperture === undefined ? {} : { minAperture }) });
  } catch (error) {
    throw invalidOption(path, spec, `valid aperture options (${(error as Error).message})`);
  }
}

/** Builds the load metric a spec names. */
export function loadFactory(spec: LoadSpec | undefined, path = 'clients.load'): LoadMetricFactory {
  const s = spec ?? 'outstanding';
  if (s === 'outstanding') return outstanding();
  if (s === 'peak-ewma') return peakEwma();
  if (typeof s === 'object' && s.type === 'peak-ewma') {
    return peakEwma({
      ...(s.decay === undefined ? {} : { decay: s.decay }),
      ...(s.defaultRtt === undefined ? {} : { defaultRtt: s.defaultRtt }),
    });
  }
  throw invalidOption(path, spec, 'use outstanding, peak-ewma or { "type": "peak-ewma", "decay": "1s" }');
}

/** One client: picker, per-server load metrics and in-flight counts, latency policies. */
export class Client implements Candidates {
  readonly size: number;
  readonly listVersion = 0;
  readonly weightVersion = 0;
  readonly inflight: Int32Array;
  totalInflight = 0;
  /**
   * The client's event loop is stalled until this time (-Infinity when it is not): its timers and
   * the calls that arrive wait in {@link Client.defer}'s queue, its answers as engine events at
   * this time, and both run when the stall ends ({@link Client.resume}).
   */
  stalledUntil = -Infinity;
  // the timers that came due during the current stall, in due order (made at the first one)
  #timers: SimHandler[] | undefined = undefined;
  #timerKinds: number[] | undefined = undefined;
  #timerArgs: number[] | undefined = undefined;
  readonly metrics: LoadMetric[];
  readonly picker: Picker;
  /** The client's hedge, tied, retry and deadline policies (the real synchronous cores). */
  readonly policies: ClientPolicies;
  /** The balancer core the client picks through, when its spec asks for health checks or ejection. */
  readonly balancer: ClientBalancer | undefined;

  constructor(
    readonly index: number,
    servers: number,
    pickerSpec: PickerFactory,
    loadSpec: LoadMetricFactory,
    policy: PolicyConfig,
    random: Random,
    engine: SimEngine,
    balance?: BalanceConfig,
    probes?: ProbeHost,
  ) {
    this.size = servers;
    this.inflight = new Int32Array(servers);
    if (balance === undefined) {
      this.metrics = Array.from({ length: servers }, () => loadSpec.create());
      this.picker = pickerSpec.create({ random: random.fork('picker') });
    } else {
      this.balancer = new ClientBalancer(balance, index, servers, pickerSpec, loadSpec, random.fork('balancer'), engine, probes!, this);
      this.metrics = this.balancer.metrics;
      this.picker = this.balancer;
    }
    this.policies = new ClientPolicies(policy, engine, random.fork('policies'));
  }

  /** Holds a timer that came due during a stall (`stalledUntil >= now`) until the stall ends. */
  defer(handler: SimHandler, kind: number, arg: number): void {
    (this.#timers ??= []).push(handler);
    (this.#timerKinds ??= []).push(kind);
    (this.#timerArgs ??= []).push(arg);
  }

  /**
   * Stalls the client until `untilMs`, or longer if a stall it is in already lasts longer (the
   * union of the two); true when this stall ends last, so its end needs an event.
   */
  stallUntil(untilMs: number): boolean {
    if (untilMs <= this.stalledUntil) return false;
    this.stalledUntil = untilMs;
    return true;
  }

  /** A stall reached its end at `nowMs`: the loop runs again ({@link Client.resume}) unless another stall still holds it. */
  stallEnded(nowMs: number): void {
    if (nowMs >= this.stalledUntil) this.resume();
  }

  /**
   * The stall ends (the engine's time is its end): as Node's event loop does after a stall in an
   * I/O callback, the timers that came due run first, in due order (ties in the order they were
   * set), then the answers that arrived (engine events at this time, set after the stall's end event).
   */
  resume(): void {
    this.stalledUntil = -Infinity;
    const timers = this.#timers;
    if (timers === undefined || timers.length === 0) return;
    const kinds = this.#timerKinds!;
    const args = this.#timerArgs!;
    for (let i = 0; i < timers.length; i++) timers[i]!.handle(kinds[i]!, args[i]!);
    timers.length = 0;
    kinds.length = 0;
    args.length = 0;
  }

  weight(): number {
    return 1;
  }

  load(i: number, now: number): number {
    return this.metrics[i]!.load(now);
  }

  id(i: number): string {
    return `s${i}`;
  }
}
