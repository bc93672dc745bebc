/**
 * Detects an abrupt popularity shift from the cache's own hit rate, so W-TinyLFU can forget
 * frequencies that no longer predict anything.
 *
 * The policy reports hits (in batches, from its read-buffer replay) and misses (its inserts).
 * Every sample — a quarter of the entries held, at least `MIN_SAMPLE` accesses — the sample's
 * hit rate is compared with a slow moving average of the previous samples: a drop of
 * `COLLAPSE` (5 points) or more below it is a collapse. The average moves 1/32 of the way per
 * sample (a time constant of about eight cache sizes of accesses), so a short spike in hit rate
 * does not lift it enough for the fall back to the usual level to look like a collapse, while a
 * stationary workload's sampling noise stays far below the threshold. Nothing is sampled before
 * the cache is first full: while it fills the hit rate only rises.
 *
 * A scan also collapses the hit rate, and forgetting then would hand the cache to the scan. The
 * two differ in what misses: after a shift the new favourites miss again and again (they keep
 * losing admission), during a scan the misses are keys never seen. So each miss reports whether
 * the sketch had seen its key more than once, and a collapse counts only when the sample's share
 * of such recurring misses is at least half its moving average. (More than once: count-min
 * over-counting makes 7–10% of a pure scan's keys look seen once.) A shift is reported only
 * after two such samples in a row: a sample that straddles the start of a scan is half normal
 * traffic and can pass the test alone. A scan mixed with normal traffic can still pass it — its
 * misses include the normal traffic's recurring ones — and then costs a refill (the benchmark's
 * one-off-scan trace: 0.6–2.4 points of hit ratio, still above LRU; docs/cache.md), and so can
 * the late part of a very long pure scan (20× capacity), once the averages have come down.
 *
 * Idea after the restart rule of Caffeine's hill climber (Einziger, Eytan, Friedman, Manes,
 * "Adaptive Software Cache Management", Middleware 2018), which restarts its search when the
 * sampled hit rate changes by 5 points or more.
 *
 * Complexity: O(1) per report, no allocation.
 */

/** Smallest sample, in accesses: below it sampling noise alone could reach the threshold. */
const MIN_SAMPLE = 2048;
/** A sample hit rate this far below the moving average is a collapse. */
const COLLAPSE = 0.05;
/** Weight of each new sample in the moving averages. */
const SMOOTHING = 1 / 32;
/** A collapse counts when the recurring-miss share is at least this part of its moving average. */
const RECURRING_SHARE = 0.5;

/** Samples a cache's hit rate and reports abrupt popularity shifts (see the file comment). */
export class ShiftDetector {
  #hits = 0;
  #misses = 0;
  /** Misses in this sample whose key the sketch had seen. */
  #recurring = 0;
  /** Moving average of the sampled hit rate; -1 before the first sample. */
  #average = -1;
  /** Moving average of the sampled share of recurring misses. */
  #recurringAverage = 0;
  /** Whether the previous sample collapsed with recurring misses (a shift is then reported). */
  #suspect = false;

  /** Records `count` hits. */
  hits(count: number): void {
    this.#hits += count;
  }

  /**
   * Records a miss and closes the sample when it is complete.
   *
   * @param recurring - whether the frequency sketch had seen the missed key
   * @param entries - entries held now (sizes the sample)
   * @param full - whether the cache has been full yet (before that nothing is sampled)
   * @returns true when the closed sample's hit rate collapsed and its misses recur (a shift)
   */
  miss(recurring: boolean, entries: number, full: boolean): boolean {
    const misses = ++this.#misses;
    if (recurring) this.#recurring++;
    const total = this.#hits + misses;
    if (total < MIN_SAMPLE || total < entries >>> 2) return false;
    const rate = this.#hits / total;
    const recurringShare = this.#recurring / misses;
    this.#hits = 0;
    this.#misses = 0;
    this.#recurring = 0;
    if (!full) return false;
    const average = this.#average;
    if (average < 0) {
      this.#average = rate;
      this.#recurringAverage = recurringShare;
      return false;
    }
    const collapsed = rate <= average - COLLAPSE && recurringShare >= RECURRING_SHARE * this.#recurringAverage;
    if (collapsed && this.#suspect) {
      this.#suspect = false;
      this.#average = rate;
      return true;
    }
    this.#suspect = collapsed;
    // Every other sample moves the averages (a collapse only by 1/32 of its drop, so the next
    // sample is still judged against the level before it): a lasting change of workload becomes
    // the new normal instead of leaving the detector compared with a level that is gone.
    this.#average = average + SMOOTHING * (rate - average);
    this.#recurringAverage += SMOOTHING * (recurringShare - this.#recurringAverage);
    return false;
  }

  /** Forgets the samples. */
  clear(): void {
    this.#hits = 0;
    this.#misses = 0;
    this.#recurring = 0;
    this.#average = -1;
    this.#recurringAverage = 0;
    this.#suspect = false;
  }
}
