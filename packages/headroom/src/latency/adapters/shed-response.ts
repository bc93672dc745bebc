/**
 * How a rejected request is answered over HTTP, shared by the node:http and fastify adapters:
 * shed → 503 with `Retry-After` (whole seconds, RFC 9110 §10.2.3) and the exact
 * `headroom-retry-after-ms`; deadline → 504; malformed deadline header → 400.
 */
import type { Outcome } from '../../core/outcome.js';
import { isHeadroomError, LoadShedError } from '../../core/errors.js';

/** Header with the exact advised wait, ms (Retry-After only has whole seconds). */
export const RETRY_AFTER_MS_HEADER = 'headroom-retry-after-ms';

/** A rejection rendered for HTTP. */
export interface ShedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: { readonly error: string; readonly code: string; readonly retryAfterMs?: number };
}

/** The HTTP answer for an error from `ConcurrencyLimiter.acquire`/`readDeadline`, or undefined when it is none of ours. */
export function shedResponse(error: unknown): ShedResponse | undefined {
  if (error instanceof LoadShedError) {
    const ms = error.retryAfterMs;
    return {
      status: 503,
      headers: { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))), [RETRY_AFTER_MS_HEADER]: String(ms) },
      body: { error: error.message, code: error.code, retryAfterMs: ms },
    };
  }
  if (isHeadroomError(error, 'HR_CORE_DEADLINE_EXCEEDED'))
    return { status: 504, headers: {}, body: { error: error.message, code: error.code } };
  if (isHeadroomError(error, 'HR_LATENCY_INVALID_DEADLINE_HEADER'))
    return { status: 400, headers: {}, body: { error: error.message, code: error.code } };
  return undefined;
}

/** How a finished (or abandoned) response feeds the limit: 503/504 or a hang-up is an overload `'failure'`, another 5xx is `'ignored'`. */
export function outcomeOf(statusCode: number, finished: boolean): Outcome {
  // A client that hung up before the answer was complete most often timed out: an overload signal.
  if (!finished) return 'failure';
  if (statusCode === 503 || statusCode === 504) return 'failure';
  return statusCode >= 500 ? 'ignored' : 'success';
}
