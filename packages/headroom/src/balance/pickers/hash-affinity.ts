/**
 * Hash affinity with bounded load: a request's key (user, session, tenant) goes to the same
 * endpoint every time — warm caches, sticky state — unless that endpoint already carries more
 * than its share of the in-flight requests, in which case the key walks on to the next endpoint
 * on the ring. Source: Mirrokni, Thorup, Zadimoghaddam, "Consistent Hashing with Bounded Loads"
 * (SODA 2018), as in HAProxy's `hash-balance-factor` and Vimeo's Skyfire; the ring and the walk
 * are `headroom/partition`'s `BoundedLoadRing`, over the in-flight counts the balancer keeps.
 *
 * A pick costs one key hash plus the walk (O(1) expected, bounded by O(1/ε²) for c = 1 + ε), no
 * allocation. The ring (160 vnodes per unit weight) is rebuilt in O(P log P) when the candidate
 * list or a weight changes — so ejections and health flips move only the affected keys.
 * Limits: a key's endpoint depends on the current load, so under load some keys are served
 * away from home; keys must be strings.
 */
import { BoundedLoadRing } from '../../partition/index.js';
import type { Candidates, Picker, PickerFactory } from '../picker.js';
import { invalidOption } from '../options.js';

/** Options of {@link hashAffinity}. */
export interface HashAffinityOptions {
  /** Load factor c ≥ 1: an endpoint takes at most ⌈c × its weighted share⌉ of in-flight requests; default 1.25. */
  readonly loadFactor?: number;
  /** Virtual nodes per unit of weight on the ring; default 160. */
  readonly vnodes?: number;
  /** Ring hash seed; default 0 (every client with the same endpoints agrees on placement). */
  readonly seed?: number;
}

class HashAffinityPicker implements Picker {
  readonly #options: HashAffinityOptions;
  #ring: BoundedLoadRing | undefined;
  #weightVersion = -1;

  constructor(options: HashAffinityOptions) {
    this.#options = options;
  }

  #rebuild(c: Candidates): BoundedLoadRing {
    const nodes = Array.from({ length: c.size }, (_, i) => ({ id: c.id(i), weight: c.weight(i) }));
    this.#ring = new BoundedLoadRing(nodes, this.#options);
    this.#weightVersion = c.weightVersion;
    return this.#ring;
  }

  pick(c: Candidates, _now: number, key: string | undefined): number {
    if (c.size === 0) return -1;
    const ring = c.weightVersion === this.#weightVersion ? this.#ring! : this.#rebuild(c);
    return ring.pickIndex(key ?? '', c.inflight, c.totalInflight);
  }
}

/**
 * Key affinity (consistent hashing) with bounded load, over `headroom/partition`'s ring.
 * Every call needs a `key`.
 * @param options.loadFactor - c ≥ 1, default 1.25 (lower: flatter load, more keys away from home)
 * @throws HR_BALANCE_INVALID_OPTION when `loadFactor` is below 1 (ring options are checked by `headroom/partition`)
 * @example
 * ```ts
 * const balancer = new Balancer({ endpoints, picker: hashAffinity({ loadFactor: 1.25 }) });
 * await balancer.call((ep) => getCart(ep.target, userId), { key: userId });
 * ```
 */
export function hashAffinity(options: HashAffinityOptions = {}): PickerFactory {
  const loadFactor = options.loadFactor ?? 1.25;
  if (!(loadFactor >= 1 && Number.isFinite(loadFactor))) {
    throw invalidOption('hashAffinity.loadFactor', loadFactor, 'use a number ≥ 1, e.g. 1.25');
  }
  // Validate the ring options now rather than on the first pick.
  new BoundedLoadRing(['probe'], { ...options, loadFactor });
  return {
    name: 'hash-affinity',
    supportsSlowStart: false,
    needsKey: true,
    create: () => new HashAffinityPicker({ ...options, loadFactor }),
  };
}
