/**
 * Where the servers of one fleet keep their state: each server's clocks, slow-down factor, random
 * stream and completion times live in a region of a few large typed arrays shared by the fleet,
 * and its jobs in service in a region of one array shared by the fleet, not in arrays and boxed
 * fields of their own. A server's numbers are 128 bytes (4 workers), two cache lines that one
 * event reads together, and its jobs 32 bytes; 10,000 servers take 1.6 MB in two places instead
 * of a typed array, a job list, a boxed double and a random-stream object per server scattered
 * over the heap — at fleet scale each of those is a cache miss per event.
 *
 * A server's random stream is sfc32, step for step the numbers of `new SeededRandom(seed)`
 * (core/random.ts), with its state in the region: the server draws through the slab's one
 * {@link RegionRandom}, pointed at its region just before the draw.
 */
import { InvalidOptionError } from '../core/errors.js';
import { SeededRandom, type Random } from '../core/random.js';
import { xxh32 } from '../core/hash.js';

/** Doubles per chunk of the slab: 512 KiB. */
const CHUNK = 65_536;
/** Regions start on a cache line (8 doubles). */
const LINE = 8;

/** A region of a slab: numbers from `f[base]` (the same bytes as `i32[2 · base]` onward), job places from `jobs[jobBase]`. */
export interface Region {
  readonly f: Float64Array;
  readonly i32: Int32Array;
  readonly base: number;
  readonly jobs: unknown[];
  readonly jobBase: number;
}

/** The regions of one fleet's servers, handed out from chunks of 512 KiB. */
export class ServerSlab {
  /** The one random stream view of this slab's servers (see {@link RegionRandom}). */
  readonly random = new RegionRandom();
  #f = new Float64Array(0);
  #i32 = new Int32Array(0);
  #used = 0;
  readonly #jobs: unknown[] = [];

  /** A zeroed region of `doubles` doubles (rounded up to a cache line) and `places` empty job places; one too large for a chunk gets arrays of its own. */
  take(doubles: number, places: number): Region {
    const n = Math.ceil(doubles / LINE) * LINE;
    if (n > CHUNK) return own(n, places);
    const jobBase = this.#jobs.length;
    for (let i = 0; i < places; i++) this.#jobs.push(undefined);
    if (this.#used + n > this.#f.length) {
      const buffer = new ArrayBuffer(CHUNK * 8);
      this.#f = new Float64Array(buffer);
      this.#i32 = new Int32Array(buffer);
      this.#used = 0;
    }
    const base = this.#used;
    this.#used += n;
    return { f: this.#f, i32: this.#i32, base, jobs: this.#jobs, jobBase };
  }
}

/** A region in arrays of its own (a server that outgrew its place in the slab). */
export function own(doubles: number, places: number): Region {
  const buffer = new ArrayBuffer(doubles * 8);
  return {
    f: new Float64Array(buffer),
    i32: new Int32Array(buffer),
    base: 0,
    jobs: new Array<unknown>(places).fill(undefined),
    jobBase: 0,
  };
}

/**
 * The random streams of a slab's servers, one at a time: {@link RegionRandom.seed | seed} a
 * stream's six 32-bit integers (sfc32's a, b, c, d, then the seed) at `i32[at]`, then
 * {@link RegionRandom.select | select} it before each draw. Its numbers are those of
 * `new SeededRandom(seed)`, draw for draw.
 */
export class RegionRandom implements Random {
  #s: Int32Array = new Int32Array(6);
  #at = 0;

  /** Starts a stream at `state[at]` (six integers) as `new SeededRandom(seed)` starts. */
  static init(state: Int32Array, at: number, seed: number): void {
    if (!Number.isInteger(seed)) throw new InvalidOptionError('seed', seed, 'use an integer seed');
    state[at] = 0x9e3779b9 | 0;
    state[at + 1] = 0x243f6a88 | 0;
    state[at + 2] = 0xb7e15162 | 0;
    state[at + 3] = seed | 0;
    state[at + 4] = seed | 0;
    for (let i = 0; i < 12; i++) step(state, at);
  }

  /** Points this view at the stream at `state[at]`; returns it, to draw from at once. */
  select(state: Int32Array, at: number): this {
    this.#s = state;
    this.#at = at;
    return this;
  }

  /** The selected stream's seed (its low 32 bits, as `SeededRandom.seed`). */
  get seed(): number {
    return this.#s[this.#at + 4]! >>> 0;
  }

  next(): number {
    return step(this.#s, this.#at) / 4294967296;
  }

  int(n: number): number {
    if (!(Number.isInteger(n) && n > 0 && n <= 4294967296)) {
      throw new InvalidOptionError('n', n, 'use a positive integer no larger than 2^32');
    }
    const limit = 4294967296 - (4294967296 % n);
    let x = step(this.#s, this.#at);
    while (x >= limit) x = step(this.#s, this.#at);
    return x % n;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  fork(label: string): Random {
    return new SeededRandom(xxh32(label, this.seed));
  }
}

/** One sfc32 step of the stream at `s[at]` (as `SeededRandom`'s): the next 32-bit output. */
function step(s: Int32Array, at: number): number {
  const a = s[at]!;
  const b = s[at + 1]!;
  const c = s[at + 2]!;
  const d = s[at + 3]!;
  const t = (((a + b) | 0) + d) | 0;
  s[at + 3] = (d + 1) | 0;
  s[at] = b ^ (b >>> 9);
  s[at + 1] = (c + (c << 3)) | 0;
  s[at + 2] = (((c << 21) | (c >>> 11)) + t) | 0;
  return t >>> 0;
}
