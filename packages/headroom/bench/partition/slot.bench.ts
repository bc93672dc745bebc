/**
 * Redis Cluster slot computation against `cluster-key-slot` (used by ioredis) in the same run:
 * plain ASCII keys, hash-tagged keys, non-ASCII keys and Buffers. 4,096 distinct keys per case.
 */
import clusterKeySlot from 'cluster-key-slot';
import { do_not_optimize } from 'mitata';
import { keySlot } from '../../src/partition/index.js';
import { report } from '../harness.js';
import { interleaved } from '../interleaved.js';

function cycle<T>(list: readonly T[]): () => T {
  let i = 0;
  return () => list[(i = (i + 1) & 4095)]!;
}

for (const [label, make] of [
  ['ASCII key (user:1234567)', (i: number) => `user:${1_234_567 + i}`],
  ['hash-tagged key ({tenant:42}:order:<n>)', (i: number) => `{tenant:42}:order:${100_000 + i}`],
  ['non-ASCII key (корзина:<n>)', (i: number) => `корзина:${100_000 + i}`],
] as const) {
  const strings = Array.from({ length: 4096 }, (_, i) => make(i));
  const buffers = strings.map((s) => Buffer.from(s));
  const nextString = cycle(strings);
  const nextBuffer = cycle(buffers);
  report(`partition slot: ${label}`, () =>
    interleaved(
      {
        'cluster-key-slot (string)': () => do_not_optimize(clusterKeySlot(nextString())),
        'headroom keySlot (string)': () => do_not_optimize(keySlot(nextString())),
        'cluster-key-slot (Buffer)': () => do_not_optimize(clusterKeySlot(nextBuffer())),
        'headroom keySlot (Buffer)': () => do_not_optimize(keySlot(nextBuffer())),
      },
      'cluster-key-slot (string)',
    ),
  );
}
