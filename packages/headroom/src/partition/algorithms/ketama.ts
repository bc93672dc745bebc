/**
 * Ketama, the consistent-hash continuum of libketama (Last.fm, 2007) and libmemcached's
 * MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED mode. For each server, h = ⌊pct · 40 · n⌋ MD5 digests of
 * "<name>-<k>" (k = 0..h−1, pct = weight / total weight), each giving four points (the digest's
 * little-endian words); a key goes to the first point ≥ the first little-endian word of MD5(key),
 * wrapping to the first point.
 *
 * Compatibility, checked in test/partition/ketama.test.ts: a real libmemcached 1.1.4 (fixtures
 * from fixtures/libmemcached-ketama.c: 100 and 7 equal servers, mixed weights and ports),
 * libketama's output via its Python binding and libmemcached's via pylibmc (100,000 keys each)
 * and libmemcached's own ketama test vectors — the last three shipped by the `hashring` package.
 * The implementations differ only in how they round h: libmemcached in float32 (100 equal
 * servers get 39 digests), libketama in float64 narrowed to float32, `hashring` in float64 (7
 * equal servers get 39); `pointsFormula` selects which, default libmemcached.
 *
 * A server whose weight rounds to zero digests would get no point: the C libraries keep it and
 * never pick it; we refuse the node list (`HR_PARTITION_WEIGHT_TOO_SMALL`, naming the node and the
 * least weight that gets a point), so every ring built here is one the C libraries build, key for
 * key, and every node can be returned by `locateN`.
 *
 * Complexity: O(1) expected lookup plus one MD5 of the key; build O(160·n log n). Limits: MD5 is
 * slower than xxHash (use the vnode ring when you need no memcached interop); duplicate points
 * keep the server order (libmemcached's qsort order for equal points is unspecified).
 */
import {
  BasePartitioner,
  checkKey,
  checkReplicaCount,
  normalizeNodes,
  type NodeInput,
  type PartitionKey,
  type PartitionNode,
} from '../partitioner.js';
import { invalidOptionError, WeightTooSmallError } from '../errors.js';
import { ketamaHash, md5Into } from '../compat/md5.js';
import { Continuum } from './ring-core.js';

/** How the number of digests per server is rounded (the implementations differ in float precision). */
export type KetamaPointsFormula = 'libmemcached' | 'libketama' | 'hashring';

/** Options of {@link KetamaRing}. */
export interface KetamaOptions {
  /**
   * Port that is left out of the hashed name, as libmemcached does for 11211: a node
   * `"10.0.0.1:11211"` is hashed as `"10.0.0.1-k"`. Default: none (the id is hashed as given,
   * like libketama and `hashring` without its 'default port' option).
   */
  readonly defaultPort?: number;
  /** Rounding of the digest count; default `'libmemcached'`. */
  readonly pointsFormula?: KetamaPointsFormula;
}

const f32 = Math.fround;

/** Digests (of four points each) for a server with weight `w` out of `total`, among `n` servers. */
export function ketamaDigestCount(w: number, total: number, n: number, formula: KetamaPointsFormula): number {
  switch (formula) {
    case 'hashring':
      return Math.floor((w / total) * 40 * n);
    case 'libketama': {
      // floorf(pct * 40.0 * (float)n): double arithmetic, then narrowed to float by floorf's parameter.
      const pct = f32(f32(w) / f32(total));
      return Math.floor(f32(pct * 40 * n));
    }
    case 'libmemcached': {
      // floor((float)(pct * 160 / 4 * (float)n + 1e-10)): float arithmetic throughout.
      const pct = f32(f32(w) / f32(total));
      return Math.floor(f32(f32(f32(f32(pct * 160) / 4) * n) + 1e-10));
    }
  }
}

/** Digests per node, with the total summed in list order as the C libraries do. */
function digestCounts(weights: readonly number[], formula: KetamaPointsFormula): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  return weights.map((w) => ketamaDigestCount(w, total, weights.length, formula));
}

/**
 * The least weight that gives node `i` at least one digest, the other weights unchanged: an
 * integer when every weight is one (libmemcached's weights are), else rounded up to 3 significant
 * digits. Exact arithmetic puts it at others / (40·n − 1); the float rounding of each formula is
 * then checked, not assumed.
 */
function minimumWeight(weights: readonly number[], i: number, formula: KetamaPointsFormula): number {
  const others = weights.reduce((s, w, j) => (j === i ? s : s + w), 0);
  const getsPoint = (w: number): boolean =>
    digestCounts(
      weights.map((x, j) => (j === i ? w : x)),
      formula,
    )[i]! >= 1;
  const estimate = others / (40 * weights.length - 1);
  if (weights.every(Number.isInteger)) {
    let w = Math.max(1, Math.ceil(estimate));
    while (!getsPoint(w)) w++;
    while (w > 1 && getsPoint(w - 1)) w--;
    return w;
  }
  const step = 10 ** (Math.floor(Math.log10(estimate)) - 2);
  let w = Number((Math.ceil(estimate / step) * step).toPrecision(3));
  while (!getsPoint(w)) w = Number((w + step).toPrecision(3));
  for (let lower = Number((w - step).toPrecision(3)); lower > 0 && getsPoint(lower); lower = Number((lower - step).toPrecision(3)))
    w = lower;
  return w;
}

/**
 * A ketama continuum compatible with libketama / libmemcached (weighted ketama).
 * @throws HR_PARTITION_NO_NODES / HR_PARTITION_DUPLICATE_NODE / HR_PARTITION_INVALID_WEIGHT for a bad node list
 * @throws HR_PARTITION_WEIGHT_TOO_SMALL ({@link WeightTooSmallError}) when a node's weight is too small
 * for a single point next to the others' (it names the node and the least weight that gets one)
 * @throws HR_PARTITION_INVALID_OPTION for a bad `defaultPort` or `pointsFormula`
 * @example
 * ```ts
 * const ring = new KetamaRing(['10.0.1.1:11211', '10.0.1.2:11211'], { defaultPort: 11211 });
 * ring.locate('user:42'); // the server libmemcached would pick
 * ```
 */
export class KetamaRing extends BasePartitioner {
  readonly algorithm = 'ketama';
  /** The continuum (4 points per digest). */
  readonly continuum: Continuum;
  readonly #options: KetamaOptions;

  constructor(nodes: readonly NodeInput[], options: KetamaOptions = {}) {
    const resolved = normalizeNodes(nodes);
    super(resolved);
    const formula = options.pointsFormula ?? 'libmemcached';
    if (!['libmemcached', 'libketama', 'hashring'].includes(formula)) {
      throw invalidOptionError('pointsFormula', formula, "use 'libmemcached', 'libketama' or 'hashring'");
    }
    const port = options.defaultPort;
    if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
      throw invalidOptionError('defaultPort', port, 'use a TCP port number (1..65535), e.g. 11211');
    }
    this.#options = options;
    const weights = resolved.map((n) => n.weight);
    const counts = digestCounts(weights, formula);
    const starved = counts.indexOf(0);
    if (starved >= 0) {
      const node = resolved[starved]!;
      const total = weights.reduce((s, w) => s + w, 0);
      throw new WeightTooSmallError(
        `nodes[${starved}].weight`,
        node.id,
        node.weight,
        minimumWeight(weights, starved, formula),
        `⌊${node.weight}/${total} · 40 · ${resolved.length}⌋ = 0 digests with ${formula}'s rounding`,
      );
    }
    const positions: number[] = [];
    const owners: number[] = [];
    const digest = new Uint32Array(4);
    const suffix = port === undefined ? undefined : `:${port}`;
    resolved.forEach((node, i) => {
      const name = suffix !== undefined && node.id.endsWith(suffix) ? node.id.slice(0, -suffix.length) : node.id;
      for (let k = 0; k < counts[i]!; k++) {
        md5Into(`${name}-${k}`, digest);
        for (let h = 0; h < 4; h++) {
          positions.push(digest[h]!);
          owners.push(i);
        }
      }
    });
    this.continuum = new Continuum(positions, owners);
  }

  /** ketama's hash of `key` (first MD5 word, little-endian). */
  hashOf(key: PartitionKey): number {
    if (typeof key !== 'string') checkKey(key);
    return ketamaHash(key);
  }

  locateIndex(key: PartitionKey): number {
    if (typeof key !== 'string') checkKey(key);
    return this.continuum.ownerOf(ketamaHash(key));
  }

  locateN(key: PartitionKey, n: number): string[] {
    checkReplicaCount(n, this.ids.length);
    // Every node has points (the constructor refuses one without), so the walk finds n owners.
    return this.continuum.distinctOwners(this.hashOf(key), n).map((i) => this.ids[i]!);
  }

  protected rebuild(nodes: PartitionNode[]): this {
    return new KetamaRing(nodes, this.#options) as this;
  }
}
