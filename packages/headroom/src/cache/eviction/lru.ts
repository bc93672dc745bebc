/**
 * Least-recently-used eviction: one list, hits move to the head, the tail is the victim.
 *
 * Source: the classic policy (e.g. Mattson et al., 1970, for its stack property). O(1) per
 * operation. Limits: a single scan of cold keys flushes the whole cache, and frequency is
 * ignored — prefer `tinylfu` unless the workload is purely recency-driven.
 */
import type { EvictionPolicy } from './policy.js';
import { Segments } from './segments.js';

export class LruPolicy implements EvictionPolicy {
  readonly kind = 'lru';
  readonly maximum: number;
  readonly #lists: Segments;

  /**
   * @param maximum - maximum total weight (entries when unweighted)
   * @param capacity - initial number of slots
   * @param weighted - whether slots carry weights
   */
  constructor(maximum: number, capacity: number, weighted: boolean) {
    this.maximum = maximum;
    this.#lists = new Segments(capacity, weighted);
  }

  get weight(): number {
    return this.#lists.weights[0]!;
  }

  ensureSlots(capacity: number): void {
    this.#lists.ensureSlots(capacity);
  }

  insert(slot: number, _hash: number, weight: number): void {
    this.#lists.pushHead(0, slot, weight);
  }

  access(slot: number): void {
    this.#lists.touch(slot);
  }

  update(slot: number, weight: number): void {
    this.#lists.setWeight(slot, weight);
    this.#lists.touch(slot);
  }

  remove(slot: number): void {
    this.#lists.unlink(slot);
  }

  victim(): number {
    return this.#lists.tails[0]!;
  }

  clear(): void {
    this.#lists.clear();
  }
}
