import { HeadroomError } from '../core/errors.js';

/** Why a policy cancelled an attempt it had started. */
export type CancelReason = 'hedge-lost' | 'tie-lost' | 'quorum-reached' | 'quorum-impossible';

/**
 * The abort reason a policy gives an attempt it no longer needs (`HR_LATENCY_CANCELLED`): another
 * hedge or tied copy won, or a fan-out already has its quorum. The caller never sees it as the
 * result of `execute`; the cancelled operation sees it as `signal.reason`.
 */
export class CancelledError extends HeadroomError {
  /** Why the attempt was cancelled. */
  readonly reason: CancelReason;
  constructor(reason: CancelReason) {
    super('HR_LATENCY_CANCELLED', `Attempt cancelled: ${reason}; another attempt made it unnecessary`, { details: { reason } });
    this.reason = reason;
  }
}
