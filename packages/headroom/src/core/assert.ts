import { AssertionFailedError, type ErrorDetails } from './errors.js';

/**
 * Checks an internal invariant; always on, also in production. A failure is a Headroom bug.
 * @throws HR_CORE_ASSERTION when `condition` is false
 */
export function assert(condition: unknown, message: string, details?: ErrorDetails): asserts condition {
  if (!condition) throw new AssertionFailedError(message, details);
}
