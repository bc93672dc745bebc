/**
 * Waiting for the replicas to finish the work a segment left them before the next case starts.
 *
 * A replica's store gate runs every query it queued, even for a request whose client gave up at
 * its deadline (the gate does not cancel queued work). Round-robin sends the slow replica 2.5× what
 * it can serve, so it ends its segment with a backlog of several seconds of store queries that no
 * HTTP request stands for any more: the LoadReporter counts requests in flight, so the replica
 * reports a RIF near 0 while every new request queues behind that backlog. Whichever case ran next
 * inherited it — in the quiet runs of 2026-12-06 every one of Prequal's failures was a request to
 * the slow replica in the segment that followed round-robin's. So between segments the scenario
 * waits until no replica has started a store query for {@link DrainOptions.quietMs}.
 */
import { type Clock, sleep } from 'headroom';

/** Options of {@link drainReplicas}. */
export interface DrainOptions {
  /** Time source of the waits. */
  readonly clock: Clock;
  /** Time between two reads of the counters, ms. */
  readonly pollMs: number;
  /** How long no counter may move before the replicas count as idle, ms (longer than one query). */
  readonly quietMs: number;
  /** Give up after this long, ms (the result then says so). */
  readonly maxMs: number;
  /** Aborts the wait. */
  readonly signal?: AbortSignal;
}

/** How a {@link drainReplicas} wait ended. */
export interface DrainResult {
  /** Time from the first read to the verdict, ms. */
  readonly waitedMs: number;
  /** False when `maxMs` ran out while a counter was still moving. */
  readonly idle: boolean;
}

/**
 * Reads `counters` (each replica's store queries started so far) every `pollMs` until none has
 * changed for `quietMs`, or `maxMs` has passed.
 * @throws the signal's reason when it aborts
 */
export async function drainReplicas(counters: () => Promise<readonly number[]>, options: DrainOptions): Promise<DrainResult> {
  const { clock, pollMs, quietMs, maxMs, signal } = options;
  const startMs = clock.now();
  let last = await counters();
  let changedAtMs = startMs;
  for (;;) {
    const now = clock.now();
    if (now - changedAtMs >= quietMs) return { waitedMs: now - startMs, idle: true };
    if (now - startMs >= maxMs) return { waitedMs: now - startMs, idle: false };
    await sleep(clock, pollMs, signal);
    const next = await counters();
    if (next.length !== last.length || next.some((v, i) => v !== last[i])) changedAtMs = clock.now();
    last = next;
  }
}
