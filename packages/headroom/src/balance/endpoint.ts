/**
 * Endpoints: what the user declares ({@link EndpointSpec}), what pickers and callers see
 * ({@link Endpoint}), and the balancer's mutable record of each one (`Member`, internal). The
 * `Member` object itself is handed to callers as a read-only `Endpoint`, so a pick allocates
 * nothing.
 */
import type { LatencyHistogram } from '../core/histogram.js';
import type { LoadMetric } from './load-metric.js';

/** An endpoint as declared by the user. */
export interface EndpointSpec<T = string> {
  /** Unique, stable id (e.g. `'10.0.0.7:8080'`); also the key hash affinity places. */
  readonly id: string;
  /** What the caller connects to: an origin URL, a pg pool, a Redis client…; defaults to `id` for string balancers. */
  readonly target: T;
  /** Relative capacity, > 0; default 1. Used by weighted pickers. */
  readonly weight?: number;
  /** Free-form labels such as `{ zone: 'eu-west-1a' }`. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** An endpoint spec, or for string targets just the string (id = target). */
export type EndpointInput<T> = EndpointSpec<T> | (T extends string ? string : never);

/** Where an endpoint is in its life: taking traffic, finishing in-flight work, or gone. */
export type EndpointStatus = 'active' | 'draining' | 'removed';

/** Read-only view of a balanced endpoint, passed to `call` callbacks and returned by `pick`. */
export interface Endpoint<T = string> {
  /** The endpoint's id. */
  readonly id: string;
  /** The endpoint's target (origin URL, client, …). */
  readonly target: T;
  /** Configured weight (before slow start). */
  readonly weight: number;
  /** The endpoint's labels. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Lifecycle status. */
  readonly status: EndpointStatus;
  /** Requests sent and not yet finished. */
  readonly outstanding: number;
  /** Verdict of the active health check (true when no check is configured). */
  readonly healthy: boolean;
  /** True while outlier detection keeps it out of rotation. */
  readonly ejected: boolean;
}

const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});

/** The balancer's record of one endpoint. Internal: fields are written only by the balancer core. */
export class Member<T> implements Endpoint<T> {
  readonly id: string;
  readonly target: T;
  weight: number;
  metadata: Readonly<Record<string, string>>;
  status: EndpointStatus = 'active';
  outstanding = 0;
  /** Index in the candidate list, or -1 when not a candidate. */
  slot = -1;
  readonly metric: LoadMetric;

  // Active health check.
  healthy: boolean;
  probes = 0;
  probePasses = 0;
  probeFailures = 0;

  // Outlier detection.
  ejected = false;
  ejectedUntilMs = 0;
  /** Ejections not yet forgiven: the next ejection lasts base × (ejections + 1). */
  ejections = 0;
  readmittedAtMs = 0;
  consecutiveFailures = 0;
  intervalSuccesses = 0;
  intervalFailures = 0;
  readonly latencies: LatencyHistogram | undefined;

  /** Start of the current slow-start ramp, ms; -Infinity when not ramping. */
  rampStartMs = -Infinity;

  constructor(spec: EndpointSpec<T>, weight: number, metric: LoadMetric, healthy: boolean, latencies: LatencyHistogram | undefined) {
    this.id = spec.id;
    this.target = spec.target;
    this.weight = weight;
    this.metadata = spec.metadata === undefined ? NO_METADATA : Object.freeze({ ...spec.metadata });
    this.metric = metric;
    this.healthy = healthy;
    this.latencies = latencies;
  }
}
