/** Every decision a balancer makes, as events (subscribe with `balancer.on(listener)`). */
import type { Endpoint } from './endpoint.js';

/** Why outlier detection ejected an endpoint. */
export type EjectionReason = 'consecutive-errors' | 'success-rate' | 'latency';

/** An endpoint was chosen for a request (emitted only while someone listens). */
export interface PickEvent<T> {
  readonly type: 'pick';
  readonly atMs: number;
  readonly endpoint: Endpoint<T>;
  readonly key: string | undefined;
}

/** Outlier detection took an endpoint out of rotation until `untilMs`. */
export interface EjectionEvent<T> {
  readonly type: 'ejection';
  readonly atMs: number;
  readonly endpoint: Endpoint<T>;
  readonly reason: EjectionReason;
  /** How long this ejection lasts, ms (base × ejection count, capped). */
  readonly durationMs: number;
  readonly untilMs: number;
  /** Ejections counted for this endpoint, this one included. */
  readonly ejections: number;
}

/** An endpoint qualified for ejection but the maximum ejected percentage was reached. */
export interface EjectionRefusedEvent<T> {
  readonly type: 'ejection-refused';
  readonly atMs: number;
  readonly endpoint: Endpoint<T>;
  readonly reason: EjectionReason;
  readonly ejectedCount: number;
  readonly maxEjected: number;
}

/** An ejected endpoint's ejection time ran out; it takes traffic again (through slow start if configured). */
export interface ReadmissionEvent<T> {
  readonly type: 'readmission';
  readonly atMs: number;
  readonly endpoint: Endpoint<T>;
}

/** The active health check changed its verdict on an endpoint. */
export interface HealthEvent<T> {
  readonly type: 'health';
  readonly atMs: number;
  readonly endpoint: Endpoint<T>;
  readonly healthy: boolean;
  /** The failing probe's error, when it turned unhealthy. */
  readonly error: unknown;
}

/** Too few endpoints are healthy: traffic spreads over all of them (`active: true`), or the panic ended. */
export interface PanicEvent {
  readonly type: 'panic';
  readonly atMs: number;
  readonly active: boolean;
  /** Endpoints healthy and not ejected. */
  readonly healthy: number;
  /** Endpoints not draining. */
  readonly total: number;
}

/** Membership changed. */
export interface MembershipEvent<T> {
  readonly type: 'membership';
  readonly atMs: number;
  readonly endpoint: Endpoint<T>;
  readonly change: 'added' | 'updated' | 'draining' | 'removed';
}

/** Any balancer event. */
export type BalanceEvent<T = string> =
  PickEvent<T> | EjectionEvent<T> | EjectionRefusedEvent<T> | ReadmissionEvent<T> | HealthEvent<T> | PanicEvent | MembershipEvent<T>;
