/**
 * Placement hash candidates on short string keys: our TypeScript xxHash32, xxHash64 and
 * MurmurHash3 x86_128 against the WASM (xxhash-wasm), native (@node-rs/xxhash) and plain-JS
 * (murmurhash3js-revisited) packages. Cases run interleaved (bench/interleaved.ts) so a burst of
 * outside load on this shared machine hits them all alike. Keys rotate through 1,024 distinct
 * strings so no case can cache a result.
 */
import xxhashWasm from 'xxhash-wasm';
import { xxh32 as nativeXxh32, xxh64 as nativeXxh64 } from '@node-rs/xxhash';
import { do_not_optimize } from 'mitata';
import { xxh32, xxh64, xxh64Into } from '../../src/core/hash.js';
import { hash64Into, murmur3x86128Into } from '../../src/core/murmur3.js';
import murmur from 'murmurhash3js-revisited';
import { report } from '../harness.js';
import { interleaved } from '../interleaved.js';

const wasm = await xxhashWasm();
const out = new Uint32Array(2);
const out4 = new Uint32Array(4);
const encoder = new TextEncoder();

function keys(make: (i: number) => string): () => string {
  const list = Array.from({ length: 1024 }, (_, i) => make(i));
  let i = 0;
  return () => list[(i = (i + 1) & 1023)]!;
}

for (const [label, make] of [
  ['12-byte ASCII key (user:123456)', (i: number) => `user:${String(100000 + i)}`],
  ['40-byte ASCII key', (i: number) => `tenant-42/catalog/product/${String(1e12 + i)}`],
  ['10-char non-ASCII key', (i: number) => `ключ-${String(1000 + i)}`],
] as const) {
  const next = keys(make);
  report(`hash: ${label}`, () =>
    interleaved(
      {
        'headroom xxh32 (TS)': () => do_not_optimize(xxh32(next())),
        'headroom xxh64Into (TS, no BigInt)': () => {
          xxh64Into(next(), out);
          do_not_optimize(out[1]);
        },
        'headroom hash64Into (TS murmur3 x86_128, 64 bits)': () => {
          hash64Into(next(), out);
          do_not_optimize(out[1]);
        },
        'headroom murmur3x86128Into (TS, 128 bits)': () => {
          murmur3x86128Into(next(), out4);
          do_not_optimize(out4[3]);
        },
        'murmurhash3js-revisited x86 hash128 (JS)': () => do_not_optimize(murmur.x86.hash128(encoder.encode(next()))),
        'headroom xxh64 → bigint (TS)': () => do_not_optimize(xxh64(next())),
        'xxhash-wasm h32': () => do_not_optimize(wasm.h32(next())),
        'xxhash-wasm h64 → bigint': () => do_not_optimize(wasm.h64(next())),
        '@node-rs/xxhash xxh32 (native)': () => do_not_optimize(nativeXxh32(next())),
        '@node-rs/xxhash xxh64 (native)': () => do_not_optimize(nativeXxh64(next())),
      },
      '@node-rs/xxhash xxh64 (native)',
    ),
  );
}
