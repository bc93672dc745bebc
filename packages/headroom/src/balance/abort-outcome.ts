/**
 * What an aborted request says about its endpoint. A deadline that passed (headroom's
 * `HR_CORE_DEADLINE_EXCEEDED`, or `AbortSignal.timeout`'s `TimeoutError`) is the endpoint not
 * answering in time: a failure, as Finagle's failure accrual and Envoy's outlier detection count a
 * timeout — so an overloaded or dead replica whose requests all time out is still ejected. Any other
 * abort (the caller gave up, a hedge or tie lost, the balancer closed) says nothing about it.
 */
import { isHeadroomError } from '../core/errors.js';
import type { Outcome } from '../core/outcome.js';

/** `'failure'` when `reason` (a signal's abort reason, or the error it produced) is a passed deadline, else `'ignored'`. */
export function abortOutcome(reason: unknown): Outcome {
  if (isHeadroomError(reason, 'HR_CORE_DEADLINE_EXCEEDED')) return 'failure';
  const name = typeof reason === 'object' && reason !== null ? (reason as { name?: unknown }).name : undefined;
  return name === 'TimeoutError' ? 'failure' : 'ignored';
}
