/** Errors of the balance module (codes listed in docs/errors.md, section "balance"). */
import { HeadroomError, type ErrorDetails } from '../core/errors.js';

/**
 * No endpoint can take the request: the balancer is empty, every endpoint is draining, or all are
 * unhealthy/ejected and the panic threshold is 0. Operational: retry later or fail over.
 */
export class NoEndpointError extends HeadroomError {
  constructor(message: string, details?: ErrorDetails) {
    super('HR_BALANCE_NO_ENDPOINT', message, details === undefined ? {} : { details });
  }
}

/** Thrown when the balancer was used after `close()`. */
export function closedError(operation: string): HeadroomError {
  return new HeadroomError('HR_BALANCE_CLOSED', `Balancer.${operation} called after close(); create a new balancer.`, {
    details: { operation },
  });
}

/** Thrown by `add` for an id already present (also while it drains). */
export function duplicateEndpointError(id: string): HeadroomError {
  return new HeadroomError(
    'HR_BALANCE_DUPLICATE_ENDPOINT',
    `Endpoint "${id}" is already in the balancer; use update() to change its weight or metadata, or wait for its drain to finish.`,
    { details: { id } },
  );
}

/** Thrown by `update`, `drain`, `remove` for an id that is not a member. */
export function unknownEndpointError(id: string): HeadroomError {
  return new HeadroomError(
    'HR_BALANCE_UNKNOWN_ENDPOINT',
    `No endpoint "${id}" in the balancer; check the id (list them with endpoints()).`,
    {
      details: { id },
    },
  );
}

/** Thrown by a pick without a key on a key-placing picker (hash affinity). */
export function keyRequiredError(picker: string): HeadroomError {
  return new HeadroomError('HR_BALANCE_KEY_REQUIRED', `The ${picker} picker places requests by key; pass { key } to call()/pick().`, {
    details: { picker },
  });
}
