/**
 * Active health checks: probe every endpoint on a jittered interval and flip its verdict after
 * `unhealthyThreshold` failures in a row (or `healthyThreshold` passes in a row back). Source:
 * Envoy's health checker (interval + jitter, timeout, healthy/unhealthy thresholds; a new
 * endpoint that starts unhealthy needs only its first pass) and HAProxy's `rise`/`fall`.
 *
 * The thresholds live in the balancer core (pure); this file only schedules probes on the
 * injected clock, enforces the timeout and reports results. One timer per endpoint; each probe
 * gets an `AbortSignal` that aborts at the timeout or when the endpoint leaves. Limits: a probe
 * says whether an endpoint answers the probe, not whether it serves real requests well — pair it
 * with outlier detection.
 */
import { parsePositiveDuration, type Duration } from '../../core/duration.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { HeadroomError } from '../../core/errors.js';
import type { Random } from '../../core/random.js';
import type { Endpoint } from '../endpoint.js';
import { requireInteger, requirePercent } from '../options.js';

/**
 * A health probe: resolve (with anything but `false`) when the endpoint is healthy; reject or
 * resolve `false` when it is not. Honour `signal`: it aborts at the timeout.
 */
export type Probe<T> = (endpoint: Endpoint<T>, signal: AbortSignal) => unknown;

/** Options of active health checking. */
export interface ActiveHealthOptions<T> {
  /** The probe: a function, or `httpProbe({ path: '/healthz' })` for HTTP origins. */
  readonly probe: Probe<T>;
  /** Time between the end of one probe and the start of the next, ms or '10s'; default 10 s. */
  readonly interval?: Duration;
  /** Each interval is drawn uniformly within ± this % so probes of many clients spread out; default 10. */
  readonly jitterPercent?: number;
  /** A probe not settled after this long fails, ms or '1s'; default 1 s. */
  readonly timeout?: Duration;
  /** Passes in a row that make an unhealthy endpoint healthy; default 2. */
  readonly healthyThreshold?: number;
  /** Failures in a row that make a healthy endpoint unhealthy; default 3. */
  readonly unhealthyThreshold?: number;
  /** Whether an endpoint takes traffic before its first probe passes; default true. */
  readonly startHealthy?: boolean;
}

/** Active health settings after validation. */
export interface ActiveHealthConfig<T> {
  readonly probe: Probe<T>;
  readonly intervalMs: number;
  readonly jitterFraction: number;
  readonly timeoutMs: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly startHealthy: boolean;
}

/**
 * Validates active health options.
 * @throws HR_BALANCE_INVALID_OPTION naming the first bad option
 */
export function resolveActiveHealth<T>(options: ActiveHealthOptions<T>): ActiveHealthConfig<T> {
  if (typeof options.probe !== 'function') {
    throw new HeadroomError(
      'HR_BALANCE_INVALID_OPTION',
      'Invalid option health.probe: use a function (endpoint, signal) => Promise, or httpProbe({ path }) for HTTP origins.',
      { details: { option: 'health.probe' } },
    );
  }
  return {
    probe: options.probe,
    intervalMs: parsePositiveDuration(options.interval, 'health.interval', 10_000),
    jitterFraction: requirePercent('health.jitterPercent', options.jitterPercent ?? 10, '10') / 100,
    timeoutMs: parsePositiveDuration(options.timeout, 'health.timeout', 1_000),
    healthyThreshold: requireInteger('health.healthyThreshold', options.healthyThreshold ?? 2, 1, '2'),
    unhealthyThreshold: requireInteger('health.unhealthyThreshold', options.unhealthyThreshold ?? 3, 1, '3'),
    startHealthy: options.startHealthy ?? true,
  };
}

interface Watch {
  /** The next probe, while waiting for it. */
  timer: TimerHandle | undefined;
  /** The in-flight probe's controller and timeout. */
  controller: AbortController | undefined;
  timeout: TimerHandle | undefined;
}

/** Schedules probes for each watched endpoint and reports every result. */
export class ActiveHealthChecker<T> {
  readonly #config: ActiveHealthConfig<T>;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #report: (endpoint: Endpoint<T>, ok: boolean, error: unknown) => void;
  readonly #watches = new Map<Endpoint<T>, Watch>();

  /**
   * @param config - validated settings ({@link resolveActiveHealth})
   * @param options.clock - schedules the probes
   * @param options.random - draws the interval jitter
   * @param options.report - receives each probe's result (ok, and the error when not ok)
   */
  constructor(
    config: ActiveHealthConfig<T>,
    options: {
      readonly clock: Clock;
      readonly random: Random;
      readonly report: (endpoint: Endpoint<T>, ok: boolean, error: unknown) => void;
    },
  ) {
    this.#config = config;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#report = options.report;
  }

  /** Starts probing `endpoint`; the first probe runs within the jitter window of now. */
  watch(endpoint: Endpoint<T>): void {
    const watch: Watch = { timer: undefined, controller: undefined, timeout: undefined };
    this.#watches.set(endpoint, watch);
    const firstDelayMs = this.#random.next() * this.#config.jitterFraction * this.#config.intervalMs;
    watch.timer = this.#clock.setTimer(firstDelayMs, () => this.#probe(endpoint, watch));
  }

  /** Stops probing `endpoint` and aborts its in-flight probe. */
  unwatch(endpoint: Endpoint<T>): void {
    const watch = this.#watches.get(endpoint);
    if (watch === undefined) return;
    this.#watches.delete(endpoint);
    this.#stop(watch);
  }

  /** Stops every probe. */
  close(): void {
    for (const watch of this.#watches.values()) this.#stop(watch);
    this.#watches.clear();
  }

  #stop(watch: Watch): void {
    watch.timer?.cancel();
    watch.timer = undefined;
    watch.timeout?.cancel();
    watch.timeout = undefined;
    watch.controller?.abort(new HeadroomError('HR_BALANCE_CLOSED', 'Health probe stopped: the endpoint left or the balancer closed.'));
    watch.controller = undefined;
  }

  #probe(endpoint: Endpoint<T>, watch: Watch): void {
    const controller = new AbortController();
    watch.controller = controller;
    let settled = false;
    const finish = (ok: boolean, error: unknown): void => {
      if (settled) return;
      settled = true;
      if (watch.controller !== controller) return; // unwatched meanwhile (its timeout was cancelled then)
      watch.timeout!.cancel();
      watch.timeout = undefined;
      watch.controller = undefined;
      this.#report(endpoint, ok, error);
      if (this.#watches.get(endpoint) === watch) {
        watch.timer = this.#clock.setTimer(this.#nextDelayMs(), () => this.#probe(endpoint, watch));
      }
    };
    watch.timeout = this.#clock.setTimer(this.#config.timeoutMs, () => {
      const error = new HeadroomError(
        'HR_BALANCE_PROBE_TIMEOUT',
        `Health probe of "${endpoint.id}" did not settle within ${this.#config.timeoutMs} ms; raise health.timeoutMs or fix the endpoint.`,
        { details: { id: endpoint.id, timeoutMs: this.#config.timeoutMs } },
      );
      controller.abort(error);
      finish(false, error);
    });
    let result: unknown;
    try {
      result = this.#config.probe(endpoint, controller.signal);
    } catch (error) {
      finish(false, error);
      return;
    }
    Promise.resolve(result).then(
      (value) => finish(value !== false, value === false ? probeFailed(endpoint.id) : undefined),
      (error: unknown) => finish(false, error),
    );
  }

  #nextDelayMs(): number {
    const { intervalMs, jitterFraction } = this.#config;
    return intervalMs * (1 + jitterFraction * (2 * this.#random.next() - 1));
  }
}

function probeFailed(id: string): HeadroomError {
  return new HeadroomError('HR_BALANCE_PROBE_FAILED', `Health probe of "${id}" reported the endpoint unhealthy.`, { details: { id } });
}
