/**
 * Placement hashes: xxHash32 and xxHash64 (Yann Collet, XXH spec rev. 0.1.1), in TypeScript
 * without BigInt on the hot path. Strings are hashed as their UTF-8 bytes; ASCII keys are read
 * with `charCodeAt` straight into a scratch buffer, others go through `TextEncoder.encodeInto`.
 *
 * Why hand-written: for short keys a call into WASM or a native addon costs more than the hash
 * itself, and both return BigInt for 64-bit results (see docs/core.md for the measured figures).
 * Outputs are pinned by golden vectors identical to the reference implementation.
 */

import { keyBytes, loadKey, type HashInput } from './key-bytes.js';

export type { HashInput } from './key-bytes.js';

const P32_1 = 0x9e3779b1 | 0;
const P32_2 = 0x85ebca77 | 0;
const P32_3 = 0xc2b2ae3d | 0;
const P32_4 = 0x27d4eb2f | 0;
const P32_5 = 0x165667b1 | 0;

function rotl32(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** Little-endian 32-bit word as a signed int32 (kept signed so V8 stores it as a small integer). */
function read32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function round32(acc: number, lane: number): number {
  return Math.imul(rotl32((acc + Math.imul(lane, P32_2)) | 0, 13), P32_1);
}

/**
 * xxHash32 of the input's bytes.
 * @param input - a string (hashed as UTF-8) or bytes
 * @param seed - 32-bit seed, default 0
 * @returns an unsigned 32-bit integer
 * @example xxh32('a') === 0x550d7456
 */
export function xxh32(input: HashInput, seed = 0): number {
  const len = loadKey(input);
  const b = keyBytes;
  let i = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (seed + P32_1 + P32_2) | 0;
    let v2 = (seed + P32_2) | 0;
    let v3 = seed | 0;
    let v4 = (seed - P32_1) | 0;
    const limit = len - 16;
    do {
      v1 = round32(v1, read32(b, i));
      v2 = round32(v2, read32(b, i + 4));
      v3 = round32(v3, read32(b, i + 8));
      v4 = round32(v4, read32(b, i + 12));
      i += 16;
    } while (i <= limit);
    h = (rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18)) | 0;
  } else {
    h = (seed + P32_5) | 0;
  }
  h = (h + len) | 0;
  for (; i + 4 <= len; i += 4) {
    h = Math.imul(rotl32((h + Math.imul(read32(b, i), P32_3)) | 0, 17), P32_4);
  }
  for (; i < len; i++) {
    h = Math.imul(rotl32((h + Math.imul(b[i]!, P32_5)) | 0, 11), P32_1);
  }
  h ^= h >>> 15;
  h = Math.imul(h, P32_2);
  h ^= h >>> 13;
  h = Math.imul(h, P32_3);
  h ^= h >>> 16;
  return h >>> 0;
}

// ---- xxHash64 on (hi, lo) pairs of unsigned 32-bit halves -------------------------------------

const P1H = 0x9e3779b1 | 0,
  P1L = 0x85ebca87 | 0;
const P2H = 0xc2b2ae3d | 0,
  P2L = 0x27d4eb4f | 0;
const P3H = 0x165667b1 | 0,
  P3L = 0x9e3779f9 | 0;
const P4H = 0x85ebca77 | 0,
  P4L = 0xc2b2ae63 | 0;
const P5H = 0x27d4eb2f | 0,
  P5L = 0x165667c5 | 0;
// 2^64 - P1 (two's complement), used for v4 = seed - P1.
const NEG_P1H = ~P1H,
  NEG_P1L = -P1L | 0;

// Result registers of the 64-bit helpers (module-level to avoid allocating pairs).
let rh = 0;
let rl = 0;

// Words are stored as signed int32 (`| 0`): values above 2^31 as unsigned would be boxed as heap
// numbers by V8 on every store, which costs more than the arithmetic.
function add64(ah: number, al: number, bh: number, bl: number): void {
  const lo = (al >>> 0) + (bl >>> 0);
  rl = lo | 0;
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) | 0;
}

/** (ah:al) * (bh:bl) mod 2^64. */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff,
    a1 = al >>> 16,
    b0 = bl & 0xffff,
    b1 = bl >>> 16;
  const t = a0 * b0;
  const m1 = a1 * b0 + (t >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  const hiOfLo = a1 * b1 + (m1 >>> 16) + (m2 >>> 16);
  rl = Math.imul(al, bl);
  rh = (hiOfLo + Math.imul(ah, bl) + Math.imul(al, bh)) | 0;
}

function rotl64(h: number, l: number, r: number): void {
  if (r < 32) {
    rh = (h << r) | (l >>> (32 - r));
    rl = (l << r) | (h >>> (32 - r));
  } else {
    const s = r - 32;
    rh = (l << s) | (h >>> (32 - s));
    rl = (h << s) | (l >>> (32 - s));
  }
}

/** round(acc, lane) = rotl(acc + lane * P2, 31) * P1; result in (rh, rl). */
function round64(acch: number, accl: number, laneh: number, lanel: number): void {
  mul64(laneh, lanel, P2H, P2L);
  add64(acch, accl, rh, rl);
  rotl64(rh, rl, 31);
  mul64(rh, rl, P1H, P1L);
}

function mergeRound(hh: number, hl: number, vh: number, vl: number): void {
  round64(0, 0, vh, vl);
  const xh = hh ^ rh,
    xl = hl ^ rl;
  mul64(xh, xl, P1H, P1L);
  add64(rh, rl, P4H, P4L);
}

/**
 * xxHash64 of the input, written into `out` as two unsigned 32-bit halves without allocating:
 * `out[0]` is the high word, `out[1]` the low word. The hot-path form for placement code.
 * @param input - a string (hashed as UTF-8) or bytes
 * @param out - receives [high, low]
 * @param seedHi - high 32 bits of the 64-bit seed, default 0
 * @param seedLo - low 32 bits of the 64-bit seed, default 0
 */
export function xxh64Into(input: HashInput, out: Uint32Array, seedHi = 0, seedLo = 0): void {
  const len = loadKey(input);
  const b = keyBytes;
  let i = 0;
  let hh: number, hl: number;
  if (len >= 32) {
    add64(seedHi, seedLo, P1H, P1L);
    add64(rh, rl, P2H, P2L);
    let v1h = rh,
      v1l = rl;
    add64(seedHi, seedLo, P2H, P2L);
    let v2h = rh,
      v2l = rl;
    let v3h = seedHi | 0,
      v3l = seedLo | 0;
    // seed - P1 = seed + (2^64 - P1)
    add64(seedHi, seedLo, NEG_P1H, NEG_P1L);
    let v4h = rh,
      v4l = rl;
    const limit = len - 32;
    do {
      round64(v1h, v1l, read32(b, i + 4), read32(b, i));
      v1h = rh;
      v1l = rl;
      round64(v2h, v2l, read32(b, i + 12), read32(b, i + 8));
      v2h = rh;
      v2l = rl;
      round64(v3h, v3l, read32(b, i + 20), read32(b, i + 16));
      v3h = rh;
      v3l = rl;
      round64(v4h, v4l, read32(b, i + 28), read32(b, i + 24));
      v4h = rh;
      v4l = rl;
      i += 32;
    } while (i <= limit);
    rotl64(v1h, v1l, 1);
    let ah = rh,
      al = rl;
    rotl64(v2h, v2l, 7);
    add64(ah, al, rh, rl);
    ah = rh;
    al = rl;
    rotl64(v3h, v3l, 12);
    add64(ah, al, rh, rl);
    ah = rh;
    al = rl;
    rotl64(v4h, v4l, 18);
    add64(ah, al, rh, rl);
    mergeRound(rh, rl, v1h, v1l);
    mergeRound(rh, rl, v2h, v2l);
    mergeRound(rh, rl, v3h, v3l);
    mergeRound(rh, rl, v4h, v4l);
    hh = rh;
    hl = rl;
  } else {
    add64(seedHi, seedLo, P5H, P5L);
    hh = rh;
    hl = rl;
  }
  add64(hh, hl, 0, len);
  hh = rh;
  hl = rl;
  for (; i + 8 <= len; i += 8) {
    round64(0, 0, read32(b, i + 4), read32(b, i));
    rotl64(hh ^ rh, hl ^ rl, 27);
    mul64(rh, rl, P1H, P1L);
    add64(rh, rl, P4H, P4L);
    hh = rh;
    hl = rl;
  }
  if (i + 4 <= len) {
    mul64(0, read32(b, i), P1H, P1L);
    rotl64(hh ^ rh, hl ^ rl, 23);
    mul64(rh, rl, P2H, P2L);
    add64(rh, rl, P3H, P3L);
    hh = rh;
    hl = rl;
    i += 4;
  }
  for (; i < len; i++) {
    mul64(0, b[i]!, P5H, P5L);
    rotl64(hh ^ rh, hl ^ rl, 11);
    mul64(rh, rl, P1H, P1L);
    hh = rh;
    hl = rl;
  }
  // avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32
  hl ^= hh >>> 1;
  mul64(hh, hl, P2H, P2L);
  hh = rh;
  hl = rl;
  hl ^= (hl >>> 29) | (hh << 3);
  hh ^= hh >>> 29;
  mul64(hh, hl, P3H, P3L);
  hh = rh;
  hl = rl;
  hl ^= hh;
  out[0] = hh;
  out[1] = hl;
}

const pair = new Uint32Array(2);

/**
 * xxHash64 of the input as a BigInt (allocates; use {@link xxh64Into} on hot paths).
 * @param input - a string (hashed as UTF-8) or bytes
 * @param seed - 64-bit seed, default 0n
 */
export function xxh64(input: HashInput, seed = 0n): bigint {
  const s = BigInt.asUintN(64, seed);
  xxh64Into(input, pair, Number(s >> 32n), Number(s & 0xffffffffn));
  return (BigInt(pair[0]!) << 32n) | BigInt(pair[1]!);
}
