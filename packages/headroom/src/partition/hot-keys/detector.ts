/**
 * Hot-key detection over a sliding notion of "recent": every access is weighted by forward
 * exponential decay (Cormode, Shkapenyuk, Srivastava, Xu, "Forward Decay: A Practical Time Decay
 * Model for Streaming Systems", ICDE 2009) — an access at time tᵢ is added as e^{λ(tᵢ−L)} for a
 * landmark L, and read back divided by e^{λ(t−L)}, so nothing is ever rescanned to decay. With
 * λ = ln 2 / halfLifeMs a steady rate r (per ms) settles at a decayed count of r/λ, which is how
 * counts turn into rates. Landmarks move (all counters rescaled) before e^{λ(t−L)} grows past
 * 2^46, keeping float64 precision.
 *
 * A count-min sketch answers "how hot is this key?" for any key; a space-saving summary keeps the
 * heaviest candidates for `top()`. Complexity O(depth + log capacity) per access. Limits: rates
 * are underestimated during the first few half-lives; estimates overcount by at most the sketch
 * error (see count-min.ts). Time comes from the injected Clock.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { parsePositiveDuration, type Duration } from '../../core/duration.js';
import { invalidKeyError, invalidOptionError } from '../errors.js';
import { CountMinSketch, type CountMinOptions } from './count-min.js';
import { SpaceSaving } from './space-saving.js';

/** Options of {@link HotKeyDetector}. */
export interface HotKeyDetectorOptions {
  /** Time source; default the system clock. */
  readonly clock?: Clock;
  /** Half-life of an access's weight, ms or '10s'; default 10 s (TiKV's load split also looks at 10 s). */
  readonly halfLife?: Duration;
  /** Candidate counters for `top()`; default 256. */
  readonly capacity?: number;
  /** A key is hot when it carries at least this fraction of recent traffic; default 0.01. */
  readonly hotShare?: number;
  /** …and at least this many accesses per second; default 100. */
  readonly minRatePerSec?: number;
  /** Sketch dimensions; defaults as in {@link CountMinSketch}. */
  readonly sketch?: CountMinOptions;
}

/** A hot key as reported by {@link HotKeyDetector.top}. */
export interface HotKey {
  /** The key. */
  readonly key: string;
  /** Estimated recent rate, accesses per second. */
  readonly ratePerSec: number;
  /** Estimated share of all recent accesses (0..1). */
  readonly share: number;
}

const RENORMALISE_EXPONENT = 32; // e^32 ≈ 2^46

/**
 * Finds hot keys in a stream of accesses.
 * @throws HR_CORE_INVALID_DURATION for a half-life that is not a positive duration; HR_PARTITION_INVALID_OPTION for a share outside (0, 1] or a negative rate
 * @example
 * ```ts
 * const hot = new HotKeyDetector({ clock, halfLife: '10s', hotShare: 0.01 });
 * if (hot.record(key)) metrics.hotKeyHit(key);
 * hot.top(10); // [{ key, ratePerSec, share }]
 * ```
 */
export class HotKeyDetector {
  /** Half-life in ms. */
  readonly halfLifeMs: number;
  readonly #clock: Clock;
  readonly #lambda: number;
  readonly #hotShare: number;
  readonly #minRatePerSec: number;
  readonly #sketch: CountMinSketch;
  readonly #top: SpaceSaving;
  #landmark: number;
  #total = 0;

  constructor(options: HotKeyDetectorOptions = {}) {
    const halfLifeMs = parsePositiveDuration(options.halfLife, 'halfLife', 10_000);
    const hotShare = options.hotShare ?? 0.01;
    const minRate = options.minRatePerSec ?? 100;
    if (!(hotShare > 0 && hotShare <= 1)) throw invalidOptionError('hotShare', hotShare, 'use a fraction in (0, 1], e.g. 0.01');
    if (!(Number.isFinite(minRate) && minRate >= 0)) throw invalidOptionError('minRatePerSec', minRate, 'use a rate ≥ 0');
    this.halfLifeMs = halfLifeMs;
    this.#clock = options.clock ?? systemClock;
    this.#lambda = Math.LN2 / halfLifeMs;
    this.#hotShare = hotShare;
    this.#minRatePerSec = minRate;
    this.#sketch = new CountMinSketch(options.sketch);
    this.#top = new SpaceSaving(options.capacity ?? 256);
    this.#landmark = this.#clock.now();
  }

  /** The clock in use (the router reads cooldowns from it). */
  get clock(): Clock {
    return this.#clock;
  }

  /** e^{λ(now − L)}, moving the landmark first if it grew too large. */
  #gain(now: number): number {
    const exponent = this.#lambda * (now - this.#landmark);
    if (exponent <= RENORMALISE_EXPONENT) return Math.exp(exponent);
    const factor = Math.exp(-exponent);
    this.#sketch.scale(factor);
    this.#top.scale(factor);
    this.#total *= factor;
    this.#landmark = now;
    return 1;
  }

  /** Decayed count → accesses per second. */
  #toRate(decayed: number): number {
    return decayed * this.#lambda * 1000;
  }

  #isHot(decayedKey: number, decayedTotal: number): boolean {
    return decayedKey >= this.#hotShare * decayedTotal && this.#toRate(decayedKey) >= this.#minRatePerSec;
  }

  /**
   * Records an access (or `weight` of them) to `key` now; returns whether the key is hot.
   * @throws HR_PARTITION_INVALID_KEY when the key is not a string
   */
  record(key: string, weight = 1): boolean {
    if (typeof key !== 'string') throw invalidKeyError(key);
    const g = this.#gain(this.#clock.now());
    const w = weight * g;
    this.#total += w;
    const estimate = this.#sketch.add(key, w);
    this.#top.add(key, w);
    return this.#isHot(estimate / g, this.#total / g);
  }

  /** Whether `key` is hot now. */
  isHot(key: string): boolean {
    const g = this.#gain(this.#clock.now());
    return this.#isHot(this.#sketch.estimate(key) / g, this.#total / g);
  }

  /** Estimated recent rate of `key`, accesses per second. */
  ratePerSec(key: string): number {
    const g = this.#gain(this.#clock.now());
    return this.#toRate(this.#sketch.estimate(key) / g);
  }

  /** Estimated recent rate of all accesses, per second. */
  totalRatePerSec(): number {
    const g = this.#gain(this.#clock.now());
    return this.#toRate(this.#total / g);
  }

  /**
   * The heaviest recent keys, hottest first (hot or not: compare `share` with your threshold).
   * @param n - how many, default 10
   */
  top(n = 10): HotKey[] {
    const g = this.#gain(this.#clock.now());
    const total = this.#total / g;
    return this.#top
      .top(n)
      .map(({ key, count }) => {
        // Both summaries overestimate; the smaller is the tighter bound.
        const decayed = Math.min(count, this.#sketch.estimate(key)) / g;
        return { key, ratePerSec: this.#toRate(decayed), share: total > 0 ? decayed / total : 0 };
      })
      .sort((a, b) => b.ratePerSec - a.ratePerSec);
  }
}
