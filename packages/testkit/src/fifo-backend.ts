/**
 * A server with `workers` workers and an unbounded FIFO queue (an M/G/c queue when arrivals are
 * Poisson): a request waits for a free worker, optionally stalls, then holds the worker for its
 * service time. Time is the injected Clock's, so the same model runs in virtual time (limiter and
 * load-driver tests, the limits benchmark) and behind real HTTP (`./http-backend`). Service is a
 * timer, not CPU work, so what it measures does not depend on how busy the machine is.
 *
 * Two kinds of stall:
 * - per request (`stall`): with probability `rate`, a request that got a worker waits `ms` before
 *   its service starts (a slow disk read, a lock) — others are not held up;
 * - process-wide (`pause(ms)`): nothing starts or finishes until the pause ends (a GC pause, a
 *   SIGSTOP), so every request in the server waits.
 *
 * Nothing here is a mock: it is the system under load.
 */

/**
 * The time source: headroom's `Clock` (VirtualClock, systemClock) fits. Declared here because the
 * test kit does not import the library (the library's tests import the test kit).
 */
export interface FifoClock {
  now(): number;
  setTimer(delayMs: number, fn: () => void): { cancel(): void };
}

/** Options of {@link FifoBackend}. */
export interface FifoBackendOptions {
  /** Requests served at once: an integer ≥ 1 (c), or Infinity (no queue). */
  readonly workers: number;
  /** Service time of the next request, ms (drawn once per request, when its service starts). */
  readonly serviceMs: () => number;
  /** Time source (required: `systemClock` behind real HTTP, a `VirtualClock` in virtual time). */
  readonly clock: FifoClock;
  /** Per-request stall before service: probability `rate`, for `ms`, drawn from `random` (a headroom `Random`). */
  readonly stall?: { readonly rate: number; readonly ms: number; readonly random: { chance(p: number): boolean } };
}

/** Per-request hooks of {@link FifoBackend.serve}. */
export interface ServeOptions {
  /** Gives up waiting or stalling: `serve` rejects with its reason and the worker is freed. */
  readonly signal?: AbortSignal;
  /** Gives up the service itself (default `signal`): e.g. the client disconnected, where a tie cancel should not stop started work. */
  readonly serviceSignal?: AbortSignal;
  /** This request's service time, ms, instead of a draw from `serviceMs()`. */
  readonly serviceMs?: number;
  /**
   * Called when service is about to start (after the worker and any stall); returning false skips
   * the service (e.g. a tied twin already started) and `serve` resolves false.
   */
  readonly beforeService?: () => boolean;
}

/** The FIFO server; see the file comment. */
export class FifoBackend {
  readonly #options: FifoBackendOptions;
  readonly #clock: FifoClock;
  readonly #waiting: Array<() => void> = [];
  #busy = 0;
  #pausedUntilMs = -Infinity;
  #received = 0;
  #executed = 0;
  #completed = 0;

  constructor(options: FifoBackendOptions) {
    if (!((Number.isInteger(options.workers) && options.workers >= 1) || options.workers === Infinity)) {
      throw new RangeError(`workers must be an integer ≥ 1 or Infinity, got ${options.workers}`);
    }
    this.#options = options;
    this.#clock = options.clock;
  }

  /** Requests waiting for a worker. */
  get queued(): number {
    return this.#waiting.length;
  }

  /** Workers holding a request. */
  get busy(): number {
    return this.#busy;
  }

  /** Requests that arrived. */
  get received(): number {
    return this.#received;
  }

  /** Requests whose service started (work actually done). */
  get executed(): number {
    return this.#executed;
  }

  /** Requests whose service finished. */
  get completed(): number {
    return this.#completed;
  }

  /**
   * Stops the whole server for `ms` from now: no service starts or finishes until then (a pause
   * already running is extended, never shortened).
   */
  pause(ms: number): void {
    this.#pausedUntilMs = Math.max(this.#pausedUntilMs, this.#clock.now() + ms);
  }

  /**
   * Serves one request: resolves true once its service has finished (false if `beforeService`
   * declined it).
   * @throws the signal's reason when it aborts first
   */
  async serve(options: ServeOptions = {}): Promise<boolean> {
    const { signal } = options;
    this.#received++;
    signal?.throwIfAborted();
    await this.#acquire(signal);
    try {
      const stall = this.#options.stall;
      if (stall !== undefined && stall.random.chance(stall.rate)) await this.#sleep(stall.ms, signal);
      await this.#unpaused(signal);
      if (options.beforeService !== undefined && !options.beforeService()) return false;
      this.#executed++;
      const serviceSignal = options.serviceSignal ?? signal;
      await this.#sleep(options.serviceMs ?? this.#options.serviceMs(), serviceSignal);
      await this.#unpaused(serviceSignal);
      this.#completed++;
      return true;
    } finally {
      this.#release();
    }
  }

  #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (this.#busy < this.#options.workers) {
      this.#busy++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.#busy++;
        resolve();
      };
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal!.reason);
      };
      this.#waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(): void {
    this.#busy--;
    this.#waiting.shift()?.();
  }

  /** Resolves when no pause is running (at once if none). */
  async #unpaused(signal: AbortSignal | undefined): Promise<void> {
    while (this.#clock.now() < this.#pausedUntilMs) await this.#sleep(this.#pausedUntilMs - this.#clock.now(), signal);
  }

  #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = this.#clock.setTimer(Math.max(0, ms), () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = (): void => {
        timer.cancel();
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
