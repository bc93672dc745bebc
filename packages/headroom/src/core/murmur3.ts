/**
 * MurmurHash3 x86_128 (Austin Appleby, SMHasher, public domain) and the 64-bit placement hash
 * built on it. Identical to the reference `MurmurHash3_x86_128` (pinned by golden vectors and a
 * property test against murmurhash3js-revisited).
 *
 * Why this is the 64-bit placement hash rather than xxHash64: it is built from 32-bit multiplies
 * only, which JavaScript does natively (`Math.imul`), while xxHash64's 64-bit multiplies must be
 * emulated through 16-bit limbs. On short keys it costs about as much as xxh32 and a third of
 * xxh64 in TypeScript (docs/core.md has the figures). O(n) in the key's length, no allocation.
 */
import { keyBytes, loadKey, type HashInput } from './key-bytes.js';

const C1 = 0x239b961b;
const C2 = 0xab0e9789 | 0;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93 | 0;

function fmix32(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function read32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function mixK1(k: number): number {
  const m = Math.imul(k, C1);
  return Math.imul((m << 15) | (m >>> 17), C2);
}

function mixK2(k: number): number {
  const m = Math.imul(k, C2);
  return Math.imul((m << 16) | (m >>> 16), C3);
}

function mixK3(k: number): number {
  const m = Math.imul(k, C3);
  return Math.imul((m << 17) | (m >>> 15), C4);
}

function mixK4(k: number): number {
  const m = Math.imul(k, C4);
  return Math.imul((m << 18) | (m >>> 14), C1);
}

/**
 * MurmurHash3 x86_128 of the input, written into `out` as four unsigned 32-bit words h1..h4
 * (the reference's output order; its hex digest is the four words in order, each as 8 hex digits).
 * @param input - a string (hashed as UTF-8) or bytes
 * @param out - receives [h1, h2, h3, h4]; length ≥ 4
 * @param seed - 32-bit seed, default 0
 */
export function murmur3x86128Into(input: HashInput, out: Uint32Array, seed = 0): void {
  const len = loadKey(input);
  const b = keyBytes;
  let h1 = seed | 0,
    h2 = h1,
    h3 = h1,
    h4 = h1;
  const blocks = len & ~15;
  let i = 0;
  for (; i < blocks; i += 16) {
    h1 ^= mixK1(read32(b, i));
    h1 = (h1 << 19) | (h1 >>> 13);
    h1 = (h1 + h2) | 0;
    h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    h2 ^= mixK2(read32(b, i + 4));
    h2 = (h2 << 17) | (h2 >>> 15);
    h2 = (h2 + h3) | 0;
    h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    h3 ^= mixK3(read32(b, i + 8));
    h3 = (h3 << 15) | (h3 >>> 17);
    h3 = (h3 + h4) | 0;
    h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    h4 ^= mixK4(read32(b, i + 12));
    h4 = (h4 << 13) | (h4 >>> 19);
    h4 = (h4 + h1) | 0;
    h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  // Tail: up to 15 bytes, little-endian into k1..k4 (the reference's fall-through switch).
  const tail = len - i;
  if (tail > 12) h4 ^= mixK4(partial(b, i + 12, tail - 12));
  if (tail > 8) h3 ^= mixK3(tail >= 12 ? read32(b, i + 8) : partial(b, i + 8, tail - 8));
  if (tail > 4) h2 ^= mixK2(tail >= 8 ? read32(b, i + 4) : partial(b, i + 4, tail - 4));
  if (tail > 0) h1 ^= mixK1(tail >= 4 ? read32(b, i) : partial(b, i, tail));
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix32(h1);
  h2 = fmix32(h2);
  h3 = fmix32(h3);
  h4 = fmix32(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  out[0] = h1;
  out[1] = h2;
  out[2] = h3;
  out[3] = h4;
}

/** 1–3 trailing bytes (or 4 when called for a full word by the caller's choice) as a little-endian word. */
function partial(b: Uint8Array, i: number, n: number): number {
  let k = 0;
  for (let j = n - 1; j >= 0; j--) k = (k << 8) | b[i + j]!;
  return k;
}

const wide = new Uint32Array(4);

/**
 * The 64-bit placement hash: the first 64 bits of MurmurHash3 x86_128, written into `out` as
 * [high word, low word] = [h1, h2] without allocating. Use it where 64 bits matter (jump
 * consistent hash keys, large rings); use `xxh32` where 32 bits are enough.
 * @param input - a string (hashed as UTF-8) or bytes
 * @param out - receives [high, low]
 * @param seed - 32-bit seed, default 0
 * @example
 * ```ts
 * const pair = new Uint32Array(2);
 * hash64Into('user:42', pair); // pair[0] = high word, pair[1] = low word
 * ```
 */
export function hash64Into(input: HashInput, out: Uint32Array, seed = 0): void {
  murmur3x86128Into(input, wide, seed);
  out[0] = wide[0]!;
  out[1] = wide[1]!;
}

/**
 * The top 53 bits of {@link hash64Into} as a non-negative safe integer: for code that wants one
 * plain number (ring positions, scores) and no BigInt.
 * @param input - a string (hashed as UTF-8) or bytes
 * @param seed - 32-bit seed, default 0
 */
export function hash53(input: HashInput, seed = 0): number {
  murmur3x86128Into(input, wide, seed);
  return wide[0]! * 2097152 + (wide[1]! >>> 11);
}
