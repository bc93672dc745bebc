/**
 * Blast radius: which calls a fault may touch. A selector by key (the adapter decides what a key
 * is: a cache key, a tenant, a route), and a deterministic seeded choice of a fraction of keys:
 * a key is chosen when xxh32(key, seed) / 2^32 < fraction, so the same keys fault on every
 * instance and every rerun with the same seed — and growing the fraction keeps the keys already
 * chosen. O(len(key)) per call.
 */
import { xxh32 } from '../core/hash.js';
import { chaosOption, probabilityOption } from './errors.js';

/** Which keys a fault may touch; every given condition must hold. */
export interface SelectorSpec {
  /** Exactly these keys. */
  readonly keys?: readonly string[];
  /** Keys matching this pattern (a RegExp, or its source as a string). */
  readonly pattern?: RegExp | string;
  /** Keys starting with this prefix (e.g. a route `'/api/orders'` or a tenant `'tenant-7:'`). */
  readonly prefix?: string;
  /** Any predicate of your own. */
  readonly match?: (key: string) => boolean;
  /** A deterministic share of keys in [0, 1], chosen by hashing with `seed`. */
  readonly fraction?: number;
  /** Seed of the deterministic choice (default 0); the same seed chooses the same keys everywhere. */
  readonly seed?: number;
}

/** A compiled selector: true when the fault may touch a call with this key. */
export type Selector = (key: string | undefined) => boolean;

/**
 * True when `key` falls in the seeded `fraction` of all keys: the choice depends only on
 * (key, seed), never on the process, the order of calls or a random stream.
 * @example seededChoice('user:42', 0.1, 7) // the same answer on every machine
 */
export function seededChoice(key: string, fraction: number, seed: number): boolean {
  return xxh32(key, seed >>> 0) / 4294967296 < fraction;
}

/**
 * Compiles a {@link SelectorSpec}; no spec selects every call. A call without a key is never
 * selected by a spec that has conditions.
 * @throws HR_CHAOS_INVALID_OPTION naming `option` when a condition is malformed
 */
export function compileSelector(spec: SelectorSpec | undefined, option = 'select'): Selector {
  if (spec === undefined) return () => true;
  if (typeof spec !== 'object' || spec === null)
    throw chaosOption(option, spec, 'use an object with keys, pattern, prefix, match or fraction');
  const tests: ((key: string) => boolean)[] = [];
  if (spec.keys !== undefined) {
    if (!Array.isArray(spec.keys) || !spec.keys.every((k) => typeof k === 'string'))
      throw chaosOption(`${option}.keys`, spec.keys, 'use an array of strings');
    const set = new Set(spec.keys);
    tests.push((k) => set.has(k));
  }
  if (spec.pattern !== undefined) {
    let re: RegExp;
    try {
      re = typeof spec.pattern === 'string' ? new RegExp(spec.pattern) : spec.pattern;
    } catch {
      throw chaosOption(`${option}.pattern`, spec.pattern, 'use a valid regular expression');
    }
    if (!(re instanceof RegExp)) throw chaosOption(`${option}.pattern`, spec.pattern, 'use a RegExp or its source string');
    tests.push((k) => {
      re.lastIndex = 0;
      return re.test(k);
    });
  }
  if (spec.prefix !== undefined) {
    if (typeof spec.prefix !== 'string') throw chaosOption(`${option}.prefix`, spec.prefix, 'use a string');
    const prefix = spec.prefix;
    tests.push((k) => k.startsWith(prefix));
  }
  if (spec.match !== undefined) {
    if (typeof spec.match !== 'function') throw chaosOption(`${option}.match`, spec.match, 'use a function (key) => boolean');
    tests.push(spec.match);
  }
  if (spec.fraction !== undefined || spec.seed !== undefined) {
    const fraction = probabilityOption(`${option}.fraction`, spec.fraction, 1);
    const seed = spec.seed ?? 0;
    if (!Number.isInteger(seed)) throw chaosOption(`${option}.seed`, seed, 'use an integer seed');
    tests.push((k) => seededChoice(k, fraction, seed));
  }
  if (tests.length === 0) return () => true;
  return (key) => key !== undefined && tests.every((t) => t(key));
}
