/** A handle that undoes a registration; calling `dispose` twice is harmless. */
export interface Disposable {
  /** Removes the registration. Idempotent. */
  dispose(): void;
}

/** A listener receiving one event. */
export type Listener<E> = (event: E) => void;

/**
 * A tiny synchronous event emitter: `on(listener)` returns a {@link Disposable}.
 * A listener that throws does not stop the others; its error goes to `onListenerError`.
 *
 * @example
 * ```ts
 * const events = new Emitter<{ type: 'hit'; key: string }>();
 * const sub = events.on((e) => console.log(e.type));
 * events.emit({ type: 'hit', key: 'a' });
 * sub.dispose();
 * ```
 */
export class Emitter<E> {
  #listeners: Listener<E>[] = [];
  readonly #onListenerError: (error: unknown) => void;

  /** @param onListenerError - receives errors thrown by listeners; default rethrows on a microtask */
  constructor(onListenerError: (error: unknown) => void = rethrowLater) {
    this.#onListenerError = onListenerError;
  }

  /** True when at least one listener is registered (lets hot paths skip building events). */
  get active(): boolean {
    return this.#listeners.length > 0;
  }

  /** Registers a listener; returns a handle that removes it. */
  on(listener: Listener<E>): Disposable {
    this.#listeners = [...this.#listeners, listener];
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.#listeners = this.#listeners.filter((l) => l !== listener);
      },
    };
  }

  /** Delivers `event` to every listener registered now, in registration order. */
  emit(event: E): void {
    const listeners = this.#listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}

/**
 * Reports a listener's error as an uncaught exception once `emit()` has returned. Not timing: the
 * microtask orders nothing that a policy decides, and nothing waits on it, under any clock.
 */
function rethrowLater(error: unknown): void {
  // eslint-disable-next-line no-restricted-globals -- reporting an error, not scheduling work (see above)
  queueMicrotask(() => {
    throw error;
  });
}
