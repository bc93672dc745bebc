/**
 * A read buffer: hits are recorded here and replayed into the eviction policy in batches.
 *
 * Source: Caffeine (B. Manes) records reads in buffers and replays them under the eviction
 * lock, so a hit does not pay for reordering lists and updating the frequency sketch on its own
 * path. Here there is no lock to avoid — JavaScript runs one thread — but the same idea pays for
 * memory latency: on a large table every hit's sketch block and list links are cache misses, and
 * a replay loop over many independent slots lets the CPU overlap those misses (memory-level
 * parallelism), where one hit at a time waits for each in turn.
 *
 * Unlike Caffeine's lossy buffer, nothing is dropped: the owning policy replays the buffer before
 * any other operation (insert, update, remove, victim), so the policy sees exactly the same
 * sequence of events as without a buffer and makes exactly the same decisions.
 *
 * Complexity: O(1) per recorded hit; a replay is O(buffered). Limits: a buffered slot must stay
 * tracked until the replay, which the replay-before-any-change rule guarantees.
 */

/** Hits buffered before a replay: enough to overlap many misses, small enough to stay in L1. */
export const READ_BUFFER_SIZE = 64;

/** Fixed-size buffer of slot numbers awaiting replay. */
export class ReadBuffer {
  /** Buffered slots, `0 … count-1`. */
  readonly slots = new Int32Array(READ_BUFFER_SIZE);
  /** Number of buffered slots. */
  count = 0;

  /** Records `slot`; true when the buffer is now full and must be replayed. */
  record(slot: number): boolean {
    this.slots[this.count++] = slot;
    return this.count === READ_BUFFER_SIZE;
  }
}
