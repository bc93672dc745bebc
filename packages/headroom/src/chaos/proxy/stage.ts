/**
 * The plumbing shared by toxic stages: a chunk of the byte stream, the output a stage writes to,
 * and a FIFO that releases items at given times on the injected clock (one timer at a time).
 */
import type { Clock, TimerHandle } from '../../core/clock.js';

/** Bytes read from one socket, stamped with the clock's `now()` when read (or when a latency released them). */
export interface Chunk {
  readonly data: Uint8Array;
  readonly atMs: number;
}

/** Where a stage sends what it lets through. */
export interface StageOutput {
  /** Passes a chunk on. */
  data(chunk: Chunk): void;
  /** The input ended (EOF): end this direction after what was passed on. */
  end(): void;
  /** Close the whole connection after flushing what was passed on (limit_data, timeout). */
  close(): void;
  /** Reset the whole connection now: RST to both peers, pending bytes dropped (reset_peer). */
  reset(): void;
  /** Answer the client directly (HTTP toxics): bytes written to the client side. */
  reply(data: Uint8Array): void;
}

/** One toxic's instance on one connection's direction. */
export interface Stage {
  write(chunk: Chunk): void;
  end(): void;
  /** The toxic is removed or replaced: hand on everything held, cancel timers. */
  detach(): void;
}

/** A stage that lets everything through (also used when a connection's toxicity draw says no). */
export function passThrough(out: StageOutput): Stage {
  return { write: (c) => out.data(c), end: () => out.end(), detach: () => undefined };
}

type Item = { readonly chunk: Chunk; readonly atMs: number } | { readonly end: true; readonly atMs: number };

/**
 * Releases chunks (and the end of input) in order, each no earlier than its time and no earlier
 * than the one before it.
 */
export class TimedQueue {
  readonly #clock: Clock;
  readonly #out: StageOutput;
  readonly #items: Item[] = [];
  #timer: TimerHandle | undefined;
  #lastAtMs = -Infinity;

  constructor(clock: Clock, out: StageOutput) {
    this.#clock = clock;
    this.#out = out;
  }

  /** The release time of the last item queued (−∞ when none yet). */
  get lastAtMs(): number {
    return this.#lastAtMs;
  }

  /** Queues `chunk` for release at `atMs` (or after the previous item, if later). */
  push(chunk: Chunk, atMs: number): void {
    this.#lastAtMs = Math.max(atMs, this.#lastAtMs);
    this.#items.push({ chunk, atMs: this.#lastAtMs });
    this.#pump();
  }

  /** Queues the end of input after everything queued. */
  end(atMs = this.#lastAtMs): void {
    this.#lastAtMs = Math.max(atMs, this.#lastAtMs);
    this.#items.push({ end: true, atMs: this.#lastAtMs });
    this.#pump();
  }

  /** Releases everything now (the toxic was removed) and stops. */
  flush(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    const items = this.#items.splice(0);
    for (const item of items) this.#release(item);
  }

  #pump(): void {
    if (this.#timer !== undefined) return;
    const now = this.#clock.now();
    while (this.#items.length > 0 && this.#items[0]!.atMs <= now) this.#release(this.#items.shift()!);
    const head = this.#items[0];
    if (head === undefined) return;
    this.#timer = this.#clock.setTimer(head.atMs - now, () => {
      this.#timer = undefined;
      this.#pump();
    });
  }

  #release(item: Item): void {
    if ('end' in item) this.#out.end();
    // Like Toxiproxy, a delayed chunk carries its release time onward, so latencies add up once.
    else this.#out.data(item.atMs > item.chunk.atMs ? { data: item.chunk.data, atMs: item.atMs } : item.chunk);
  }
}
