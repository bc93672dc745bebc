/**
 * The global kill switch: one process-wide flag that stops every fault at once — every
 * {@link FaultInjector} stops deciding to fault, and every chaos proxy drops its toxics. It lives
 * on `globalThis` under a `Symbol.for` key, so duplicate installs of the library share it.
 */
import { Emitter, type Disposable, type Listener } from '../core/events.js';

/** A process-wide on/off switch for all chaos. */
export class KillSwitch {
  #engaged = false;
  readonly #events = new Emitter<boolean>();

  /** True while every fault is stopped. */
  get engaged(): boolean {
    return this.#engaged;
  }

  /** Stops every fault now; listeners (proxies) remove their toxics. Idempotent. */
  engage(): void {
    if (this.#engaged) return;
    this.#engaged = true;
    this.#events.emit(true);
  }

  /** Lets faults fire again (toxics removed by {@link engage} stay removed). */
  release(): void {
    if (!this.#engaged) return;
    this.#engaged = false;
    this.#events.emit(false);
  }

  /** Calls `listener(engaged)` on every change. */
  on(listener: Listener<boolean>): Disposable {
    return this.#events.on(listener);
  }
}

const KEY = Symbol.for('headroom.chaos.kill-switch');
const holder = globalThis as unknown as Record<symbol, KillSwitch | undefined>;

/**
 * The process-wide kill switch.
 * @example process.on('SIGUSR2', () => killSwitch.engage());
 */
export const killSwitch: KillSwitch = (holder[KEY] ??= new KillSwitch());
