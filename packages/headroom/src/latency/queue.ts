/**
 * PriorityLifoQueue: the limiter's waiting room. Higher priority first; within a priority, newest
 * first (LIFO), because under overload the oldest waiters are the likeliest to have been given up
 * by their callers already (Facebook's "adaptive LIFO", and Netflix's LifoBlockingLimiter).
 * The eviction victim is the oldest entry of the lowest priority.
 *
 * One stack per distinct priority (few in practice: O(levels) to find one), O(1) push/pop, O(1)
 * removal by lazy deletion (an entry's `queued` flag), compacted when dead entries dominate.
 */

/** What the queue needs from an entry. */
export interface QueueEntry {
  /** Larger is served first. */
  readonly priority: number;
  /** True while in the queue; the queue clears it when the entry leaves. */
  queued: boolean;
}

interface Level<E> {
  readonly priority: number;
  items: E[];
  head: number;
  live: number;
}

/** A bounded-by-the-caller priority queue, LIFO within a priority. */
export class PriorityLifoQueue<E extends QueueEntry> {
  // Sorted by priority, highest first.
  readonly #levels: Level<E>[] = [];
  #size = 0;

  /** Entries waiting. */
  get size(): number {
    return this.#size;
  }

  /** Adds an entry on top of its priority's stack. */
  push(entry: E): void {
    const levels = this.#levels;
    let i = 0;
    while (i < levels.length && levels[i]!.priority > entry.priority) i++;
    let level = levels[i];
    if (level === undefined || level.priority !== entry.priority) {
      level = { priority: entry.priority, items: [], head: 0, live: 0 };
      levels.splice(i, 0, level);
    }
    level.items.push(entry);
    level.live++;
    entry.queued = true;
    this.#size++;
  }

  /** Removes and returns the newest entry of the highest priority. */
  pop(): E | undefined {
    for (const level of this.#levels) {
      while (level.items.length > level.head) {
        const entry = level.items.pop()!;
        if (entry.queued) return this.#taken(level, entry);
      }
    }
    return undefined;
  }

  /** The entry {@link evict} would remove: the oldest of the lowest priority. */
  peekVictim(): E | undefined {
    for (let i = this.#levels.length - 1; i >= 0; i--) {
      const level = this.#levels[i]!;
      while (level.head < level.items.length) {
        const entry = level.items[level.head]!;
        if (entry.queued) return entry;
        level.head++;
      }
    }
    return undefined;
  }

  /** Removes and returns the oldest entry of the lowest priority. */
  evict(): E | undefined {
    const victim = this.peekVictim();
    if (victim === undefined) return undefined;
    const level = this.#levels.find((l) => l.priority === victim.priority)!;
    level.head++;
    return this.#taken(level, victim);
  }

  /** Removes an entry wherever it is (no-op when it already left). */
  remove(entry: E): void {
    if (!entry.queued) return;
    const level = this.#levels.find((l) => l.priority === entry.priority)!;
    this.#taken(level, entry);
    // Lazy deletion: the dead slot stays until popped past; compact when the dead dominate.
    if (level.items.length - level.head > 2 * level.live + 32) {
      level.items = level.items.slice(level.head).filter((e) => e.queued);
      level.head = 0;
    }
  }

  #taken(level: Level<E>, entry: E): E {
    entry.queued = false;
    level.live--;
    this.#size--;
    if (level.live === 0) {
      level.items.length = 0;
      level.head = 0;
    }
    return entry;
  }
}
