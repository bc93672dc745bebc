/**
 * Small helpers shared by the policies: link a child controller to a parent signal (and unlink
 * it, so long-lived parents do not collect listeners), and call a function so that a synchronous
 * throw becomes a rejection. Racing a promise against a signal is `core/abort.ts`.
 */
import { noop } from '../core/abort.js';

/**
 * Aborts `child` with the parent's reason when `parent` aborts.
 * @returns a function that removes the link (idempotent)
 */
export function link(parent: AbortSignal | undefined, child: AbortController): () => void {
  if (parent === undefined) return noop;
  if (parent.aborted) {
    child.abort(parent.reason);
    return noop;
  }
  const onAbort = (): void => child.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return () => parent.removeEventListener('abort', onAbort);
}

/** Runs `fn` and turns a synchronous throw into a rejection, so callers handle one path. */
export function invoke<A, T>(fn: (arg: A) => Promise<T>, arg: A): Promise<T> {
  try {
    return Promise.resolve(fn(arg));
  } catch (error) {
    return Promise.reject(error);
  }
}
