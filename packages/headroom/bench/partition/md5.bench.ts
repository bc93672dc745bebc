/**
 * ketama's key hash: the TypeScript MD5 of src/partition/compat/md5.ts against Node's
 * `crypto.createHash('md5')` on short keys — the figure in that file's header. Run:
 * `npm run bench -- "partition md5"`. 4,096 distinct keys per case, interleaved
 * (bench/interleaved.ts).
 */
import { createHash } from 'node:crypto';
import { do_not_optimize } from 'mitata';
import { ketamaHash } from '../../src/partition/index.js';
import { report } from '../harness.js';
import { interleaved } from '../interleaved.js';

const keys = Array.from({ length: 4096 }, (_, i) => `user:${1_234_567 + i}`);
let i = 0;
const next = (): string => keys[(i = (i + 1) & 4095)]!;

report('partition md5: ketama key hash of a 12-byte key (user:1234567)', () =>
  interleaved(
    {
      'crypto createHash md5 + readUInt32LE': () => do_not_optimize(createHash('md5').update(next()).digest().readUInt32LE(0)),
      'headroom ketamaHash (TS MD5)': () => do_not_optimize(ketamaHash(next())),
    },
    'crypto createHash md5 + readUInt32LE',
  ),
);
