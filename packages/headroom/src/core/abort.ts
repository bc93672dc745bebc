/**
 * Racing a promise against an AbortSignal without leaving an unhandled rejection behind — for
 * every module that stops waiting when its caller gives up (the latency policies, the balancer,
 * the scale workers).
 */

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

/** Does nothing: the handler for promises whose outcome no longer matters. */
export function noop(): void {}
