/** Plain, JSON-safe views of a balancer's state, for dashboards, logs and tests. */
import type { EndpointStatus } from './endpoint.js';

/** One endpoint's state. */
export interface EndpointSnapshot {
  readonly id: string;
  readonly status: EndpointStatus;
  /** Configured weight. */
  readonly weight: number;
  /** Weight after slow start. */
  readonly effectiveWeight: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly outstanding: number;
  /** The load metric's current value (expected cost of one more request). */
  readonly load: number;
  /** Active health check verdict. */
  readonly healthy: boolean;
  readonly ejected: boolean;
  /** When the current ejection ends, ms on the balancer clock; undefined when not ejected. */
  readonly ejectedUntilMs: number | undefined;
  /** Ejections not yet forgiven (the next one lasts base × (this + 1)). */
  readonly ejections: number;
  readonly consecutiveFailures: number;
  /** Whether pickers may choose it right now. */
  readonly candidate: boolean;
}

/** The whole balancer's state. */
export interface BalancerSnapshot {
  /** Clock time of the snapshot, ms. */
  readonly atMs: number;
  /** Picker name, e.g. `'p2c'`. */
  readonly picker: string;
  /** Load metric name, e.g. `'peak-ewma'`. */
  readonly load: string;
  /** True while traffic spreads over all endpoints because too few are healthy. */
  readonly panic: boolean;
  /** Endpoints pickers may choose from. */
  readonly candidates: number;
  readonly endpoints: readonly EndpointSnapshot[];
}
