/**
 * The simulator's {@link SimEngine} as the event queue of a bench's typed-array loop (`bare-fleet.ts`,
 * `policy-fleet.ts` with `queue: 'engine'`): one handler for every event, the loop's call or
 * attempt index as the event's argument, so the loop runs on the model's own queue with nothing
 * else of the model.
 */
import { SimEngine } from '../../src/sim/index.js';

/** A loop's view of the engine. */
export interface EngineQueue {
  /** Schedules event `kind` of index `id` at `t`; returns the engine's id, for {@link EngineQueue.cancel}. */
  at(t: number, kind: number, id: number): number;
  /** Takes a pending event out of the queue. */
  cancel(eventId: number): void;
  /** Runs every event up to `endMs`, then on while `busy()` says calls are in flight; returns the time it stopped at. */
  drain(endMs: number, busy: () => boolean): number;
}

/**
 * An engine seeded with `seed` whose events run `handle(now, kind, id)`.
 * @example const queue = engineQueue(1, (now, kind, id) => { … }); queue.at(5, 0, 0); queue.drain(100, () => false);
 */
export function engineQueue(seed: number, handle: (now: number, kind: number, id: number) => void): EngineQueue {
  const engine = new SimEngine({ seed });
  const handler = { handle: (kind: number, id: number): void => handle(engine.now, kind, id) };
  return {
    at: (t, kind, id) => engine.at(t, handler, kind, id),
    cancel: (eventId) => engine.cancel(eventId),
    drain: (endMs, busy) => {
      engine.run(endMs);
      while (busy() && engine.step()) {
        /* drain the calls in flight */
      }
      return engine.now;
    },
  };
}

/**
 * How a loop schedules its events: on its own heap (`push(t, id · 4 + kind)`; the returned id is
 * -1) or, with `queue: 'engine'`, on an {@link engineQueue} that runs `handle`, returned too so the
 * loop can cancel and drain it.
 */
export function loopSchedule(
  queue: 'heap' | 'engine',
  seed: number,
  push: (t: number, val: number) => void,
  handle: (now: number, kind: number, id: number) => void,
): { readonly schedule: (t: number, kind: number, id: number) => number; readonly engine: EngineQueue | undefined } {
  if (queue === 'engine') {
    const engine = engineQueue(seed, handle);
    return { schedule: engine.at, engine };
  }
  return {
    schedule: (t, kind, id) => {
      push(t, (id << 2) | kind);
      return -1;
    },
    engine: undefined,
  };
}
