/**
 * Small AbortSignal helpers shared by the policies: link a child controller to a parent signal
 * (and unlink it, so long-lived parents do not collect listeners), and race a promise against a
 * signal without leaving an unhandled rejection behind.
 */

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

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts, whichever is
 * first. A later rejection of `promise` is swallowed (the caller has moved on).
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(noop);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(noop);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Runs `fn` and turns a synchronous throw into a rejection, so callers handle one path. */
export function invoke<A, T>(fn: (arg: A) => Promise<T>, arg: A): Promise<T> {
  try {
    return Promise.resolve(fn(arg));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Does nothing: the handler for promises whose outcome no longer matters. */
export function noop(): void {}
