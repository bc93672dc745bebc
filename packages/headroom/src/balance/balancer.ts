/**
 * The balancer: a thin async driver around {@link BalancerCore}. It reads the injected clock,
 * arms the readmission and outlier-interval timers, runs active health probes, and offers
 * `call((endpoint, signal) => …)` for any client plus the low-level `pick` / `begin` / `end`
 * that the undici dispatcher uses.
 */
import { raceAbort } from '../core/abort.js';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import type { Disposable, Listener } from '../core/events.js';
import { defaultRandom, type Random } from '../core/random.js';
import { abortOutcome } from './abort-outcome.js';
import { BalancerCore } from './core.js';
import { Member, type Endpoint, type EndpointInput, type EndpointSpec } from './endpoint.js';
import { closedError, keyRequiredError, NoEndpointError } from './errors.js';
import type { BalanceEvent } from './events.js';
import { ActiveHealthChecker, resolveActiveHealth, type ActiveHealthOptions } from './health/active.js';
import { resolveOutlier, type OutlierOptions } from './health/outlier.js';
import { peakEwma } from './load/peak-ewma.js';
import type { Outcome } from '../core/outcome.js';
import type { LoadMetricFactory } from './load-metric.js';
import { invalidOption, requirePercent, requirePositive } from './options.js';
import type { PickerFactory } from './picker.js';
import { p2c } from './pickers/p2c.js';
import { resolveSlowStart, type SlowStartOptions } from './slow-start.js';
import type { BalancerSnapshot } from './snapshot.js';

/** Options of {@link Balancer}. */
export interface BalancerOptions<T = string> {
  /** Initial endpoints (they do not go through slow start). Default none. */
  readonly endpoints?: readonly EndpointInput<T>[];
  /** How to choose; default `p2c()`. */
  readonly picker?: PickerFactory;
  /** How busy an endpoint is; default `peakEwma()` (so the default is Linkerd's P2C + peak-EWMA). */
  readonly load?: LoadMetricFactory;
  /** Active health checks; default none (every endpoint healthy). */
  readonly health?: ActiveHealthOptions<T>;
  /** Passive outlier detection, or `false`; default enabled with Envoy-like defaults (5 consecutive errors, …). */
  readonly outlier?: OutlierOptions | false;
  /** Below this % of endpoints healthy and not ejected, pick among all of them; default 50; 0 disables. */
  readonly panicThresholdPercent?: number;
  /** Ramp the weight of joining and recovering endpoints; default off. Needs a weight-aware picker. */
  readonly slowStart?: SlowStartOptions;
  /** Whether an error thrown by a `call` callback counts against the endpoint; default: every error does. */
  readonly isFailure?: (error: unknown) => boolean;
  /** Time source; default the system clock. */
  readonly clock?: Clock;
  /** Random source (forked per component); default seeded from `HEADROOM_SEED` or entropy. */
  readonly random?: Random;
}

/** Options of one {@link Balancer.call}. */
export interface CallOptions {
  /** Aborts the call: it rejects with `signal.reason` at once; the endpoint stays busy until the callback settles. */
  readonly signal?: AbortSignal;
  /** Affinity key (required by hash affinity, ignored by other pickers). */
  readonly key?: string;
}

const NEVER_ABORTED = new AbortController().signal;
const ALWAYS_FAILURE = (): boolean => true;

/**
 * Sends each request to an endpoint chosen by a picker over a load metric, keeping sick endpoints
 * out (active health checks, outlier ejection), spreading over all when too few are left (panic),
 * and ramping newcomers (slow start).
 *
 * @example
 * ```ts
 * const balancer = new Balancer({
 *   endpoints: ['http://10.0.0.1:8080', 'http://10.0.0.2:8080'],
 *   picker: p2c(), load: peakEwma({ decay: '10s' }),
 *   outlier: { consecutiveErrors: 5, ejectionBackoff: { initial: '30s', max: '5m' } },
 * });
 * const rows = await balancer.call((endpoint, signal) => query(endpoint.target, sql, { signal }));
 * ```
 */
export class Balancer<T = string> {
  readonly #core: BalancerCore<T>;
  readonly #clock: Clock;
  readonly #health: ActiveHealthChecker<T> | undefined;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #needsKey: boolean;
  readonly #pickerName: string;
  readonly #drains = new Map<Member<T>, Array<{ resolve: () => void; reject: (e: unknown) => void }>>();
  #readmitTimer: TimerHandle | undefined;
  #readmitAtMs = Infinity;
  #outlierTimer: TimerHandle | undefined;
  #closed = false;

  /** @throws HR_BALANCE_INVALID_OPTION naming the first bad option; HR_BALANCE_DUPLICATE_ENDPOINT for a repeated id */
  constructor(options: BalancerOptions<T> = {}) {
    this.#clock = options.clock ?? systemClock;
    const random = options.random ?? defaultRandom();
    const picker = options.picker ?? p2c();
    const slowStart = options.slowStart === undefined ? undefined : resolveSlowStart(options.slowStart);
    if (slowStart !== undefined && !picker.supportsSlowStart) {
      throw invalidOption(
        'slowStart',
        options.slowStart,
        `the ${picker.name} picker does not follow ramping weights, so slow start would do nothing; use weightedRoundRobin(), weightedRandom(), leastLoaded() or p2c()`,
      );
    }
    const outlier = options.outlier === false ? undefined : resolveOutlier(options.outlier ?? {});
    const health = options.health === undefined ? undefined : resolveActiveHealth(options.health);
    this.#isFailure = options.isFailure ?? ALWAYS_FAILURE;
    this.#needsKey = picker.needsKey;
    this.#pickerName = picker.name;
    this.#core = new BalancerCore<T>({
      picker,
      load: options.load ?? peakEwma(),
      random,
      panicThresholdPercent: requirePercent('panicThresholdPercent', options.panicThresholdPercent ?? 50, '50'),
      slowStart,
      outlier,
      health: { healthy: health?.healthyThreshold ?? 1, unhealthy: health?.unhealthyThreshold ?? 1 },
      initiallyHealthy: health?.startHealthy ?? true,
      onRemoved: (member) => this.#onRemoved(member),
      wake: (atMs) => this.#wake(atMs),
    });
    this.#health =
      health === undefined
        ? undefined
        : new ActiveHealthChecker(health, {
            clock: this.#clock,
            random: random.fork('health'),
            report: (endpoint, ok, error) => this.#core.probeResult(endpoint as Member<T>, ok, this.#clock.now(), error),
          });
    for (const input of options.endpoints ?? []) this.#add(input, false);
    if (outlier !== undefined && (outlier.successRate !== undefined || outlier.latency !== undefined)) {
      const every = outlier.intervalMs;
      const evaluate = (): void => {
        this.#core.evaluateOutliers(this.#clock.now());
        this.#outlierTimer = this.#clock.setTimer(every, evaluate);
      };
      this.#outlierTimer = this.#clock.setTimer(every, evaluate);
    }
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Subscribes to every decision (pick, ejection, readmission, health, panic, membership). */
  on(listener: Listener<BalanceEvent<T>>): Disposable {
    return this.#core.events.on(listener);
  }

  /** Endpoints currently in the balancer (active and draining). */
  endpoints(): readonly Endpoint<T>[] {
    return this.#core.members();
  }

  /**
   * Adds an endpoint; it ramps up through slow start when configured.
   * @throws HR_BALANCE_DUPLICATE_ENDPOINT, HR_BALANCE_INVALID_OPTION, HR_BALANCE_CLOSED
   */
  add(input: EndpointInput<T>): Endpoint<T> {
    if (this.#closed) throw closedError('add');
    return this.#add(input, true);
  }

  /**
   * Changes an endpoint's weight and/or metadata.
   * @throws HR_BALANCE_UNKNOWN_ENDPOINT, HR_BALANCE_INVALID_OPTION
   */
  update(id: string, changes: { readonly weight?: number; readonly metadata?: Readonly<Record<string, string>> }): Endpoint<T> {
    const weight = changes.weight === undefined ? undefined : requirePositive('weight', changes.weight, '1');
    return this.#core.update(id, weight, changes.metadata, this.#clock.now());
  }

  /**
   * Stops sending new requests to an endpoint and resolves once its in-flight requests have
   * finished and it has left. If `signal` aborts first, rejects with its reason (the endpoint keeps draining).
   * @throws HR_BALANCE_UNKNOWN_ENDPOINT
   */
  drain(id: string, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    const member = this.#core.drain(id, this.#clock.now());
    if (member.status === 'removed') return Promise.resolve();
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const waiters = this.#drains.get(member) ?? [];
      waiters.push({
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      this.#drains.set(member, waiters);
    });
  }

  /**
   * Removes an endpoint now (in-flight requests finish unaffected).
   * @throws HR_BALANCE_UNKNOWN_ENDPOINT
   */
  remove(id: string): void {
    this.#core.remove(id, this.#clock.now());
  }

  /**
   * Chooses an endpoint without sending anything, or undefined when none is eligible. Pair with
   * {@link begin} and {@link end} to drive requests yourself.
   * @throws HR_BALANCE_KEY_REQUIRED when the picker needs a key and none is given
   */
  pick(key?: string): Endpoint<T> | undefined {
    if (this.#needsKey && key === undefined) throw keyRequiredError(this.#pickerName);
    return this.#core.pick(this.#clock.now(), key);
  }

  /** Marks a request to `endpoint` as started; returns the start time to pass to {@link end}. */
  begin(endpoint: Endpoint<T>): number {
    const now = this.#clock.now();
    this.#core.begin(asMember(endpoint), now);
    return now;
  }

  /** Marks a request begun at `startedAtMs` as finished with `outcome`. */
  end(endpoint: Endpoint<T>, startedAtMs: number, outcome: Outcome): void {
    const now = this.#clock.now();
    this.#core.end(asMember(endpoint), now, now - startedAtMs, outcome);
  }

  /**
   * Runs `fn` against a chosen endpoint, feeding its latency and outcome back into the load
   * metric and outlier detection. A rejection counts as a failure of the endpoint unless the
   * caller's signal aborted (`'ignored'`; but a passed deadline is a failure, see abort-outcome.ts)
   * or `isFailure` says otherwise.
   * @throws HR_BALANCE_NO_ENDPOINT when no endpoint is eligible; HR_BALANCE_KEY_REQUIRED; HR_BALANCE_CLOSED
   * @example const user = await balancer.call((ep, signal) => fetchUser(ep.target, id, signal), { signal: AbortSignal.timeout(200) });
   */
  call<R>(fn: (endpoint: Endpoint<T>, signal: AbortSignal) => R | PromiseLike<R>, options: CallOptions = {}): Promise<R> {
    if (this.#closed) return Promise.reject(closedError('call'));
    const { signal, key } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    let member: Member<T> | undefined;
    try {
      if (this.#needsKey && key === undefined) throw keyRequiredError(this.#pickerName);
      member = this.#core.pick(this.#clock.now(), key);
    } catch (error) {
      return Promise.reject(error);
    }
    if (member === undefined) return Promise.reject(this.#noEndpoint());
    const target = member;
    const core = this.#core;
    const clock = this.#clock;
    const startedAt = clock.now();
    core.begin(target, startedAt);
    let work: PromiseLike<R> | R;
    try {
      work = fn(target, signal ?? NEVER_ABORTED);
    } catch (error) {
      work = Promise.reject(error);
    }
    const settled = Promise.resolve(work).then(
      (value) => {
        const now = clock.now();
        core.end(target, now, now - startedAt, 'success');
        return value;
      },
      (error: unknown) => {
        const now = clock.now();
        const outcome: Outcome = signal?.aborted ? abortOutcome(signal.reason) : this.#isFailure(error) ? 'failure' : 'success';
        core.end(target, now, now - startedAt, outcome);
        throw error;
      },
    );
    return signal === undefined ? settled : raceAbort(settled, signal);
  }

  /** Plain, inspectable state of the balancer and every endpoint. */
  snapshot(): BalancerSnapshot {
    return this.#core.snapshot(this.#clock.now());
  }

  /** Stops health probes and timers; pending drains reject with HR_BALANCE_CLOSED. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#health?.close();
    this.#readmitTimer?.cancel();
    this.#outlierTimer?.cancel();
    for (const waiters of this.#drains.values()) for (const w of waiters) w.reject(closedError('drain'));
    this.#drains.clear();
  }

  #add(input: EndpointInput<T>, ramp: boolean): Member<T> {
    const spec = normalize(input);
    const member = this.#core.add(spec, requirePositive(`weight of "${spec.id}"`, spec.weight ?? 1, '1'), this.#clock.now(), ramp);
    this.#health?.watch(member);
    return member;
  }

  #onRemoved(member: Member<T>): void {
    this.#health?.unwatch(member);
    const waiters = this.#drains.get(member);
    if (waiters === undefined) return;
    this.#drains.delete(member);
    for (const w of waiters) w.resolve();
  }

  #wake(atMs: number): void {
    if (this.#closed || atMs >= this.#readmitAtMs) return;
    this.#readmitTimer?.cancel();
    this.#readmitAtMs = atMs;
    this.#readmitTimer = this.#clock.setTimer(atMs - this.#clock.now(), () => {
      this.#readmitTimer = undefined;
      this.#readmitAtMs = Infinity;
      this.#core.tick(this.#clock.now());
      const next = this.#core.nextReadmissionMs;
      // System timers may fire a fraction of a millisecond before `now()` reaches `atMs`: re-arm.
      if (next < Infinity) this.#wake(next);
    });
  }

  #noEndpoint(): NoEndpointError {
    const { endpoints, panic } = this.#core.snapshot(this.#clock.now());
    const active = endpoints.filter((e) => e.status === 'active').length;
    const why =
      endpoints.length === 0
        ? 'the balancer has no endpoints; add() some'
        : active === 0
          ? 'every endpoint is draining; add() new ones'
          : 'every endpoint is unhealthy or ejected and the panic threshold is 0; raise panicThresholdPercent or fix the endpoints';
    return new NoEndpointError(`No endpoint can take the request: ${why}.`, { endpoints: endpoints.length, active, panic });
  }
}

function normalize<T>(input: EndpointInput<T>): EndpointSpec<T> {
  if (typeof input === 'string') {
    if (input === '') throw invalidOption('endpoints[]', input, 'use a non-empty id such as "http://10.0.0.1:8080"');
    return { id: input, target: input as T };
  }
  if (typeof input !== 'object' || input === null || typeof input.id !== 'string' || input.id === '') {
    throw invalidOption('endpoints[]', input, 'use { id: string, target, weight?, metadata? } with a non-empty id, or a string');
  }
  return input;
}

function asMember<T>(endpoint: Endpoint<T>): Member<T> {
  if (!(endpoint instanceof Member)) throw invalidOption('endpoint', endpoint, "pass an endpoint returned by this balancer's pick()");
  return endpoint;
}
