/**
 * Keys and partitioners in the model: each call carries a key — a rank drawn from the real Zipf
 * sampler of `headroom/scale`, or the next key of a recorded trace — and, with a partitioner, goes
 * to the key's owner as a real `headroom/partition` partitioner places it (ketama, rendezvous,
 * jump, maglev, or consistent hashing with bounded loads over the client's in-flight counts)
 * instead of the server the picker would choose. A hedge goes to the key's next replica
 * (`locateN`). A crash fault takes its server out of the partitioner and a restart puts it back,
 * as a membership service would, so the keys move as they would in production.
 *
 * Cost: nothing when the model has no keys; one sampler draw per call with them; a partitioner
 * lookup per call, cached per key between membership changes except for bounded loads (whose
 * owner depends on the loads, so every dispatch walks the ring over an O(servers) load copy).
 */
import { readFileSync } from 'node:fs';
import {
  BoundedLoadRing,
  JumpPartitioner,
  KetamaRing,
  MaglevPartitioner,
  RendezvousPartitioner,
  type Partitioner,
} from '../partition/index.js';
import { ZipfSampler } from '../scale/index.js';
import type { Random } from '../core/random.js';
import { invalidOption, relabelled } from './errors.js';

/** Where the calls' keys come from. */
export type KeySpec =
  /** Ranks 0 … count − 1 drawn with probability ∝ (rank + 1)^−exponent (0 is the most popular). */
  | { readonly type: 'zipf'; readonly count: number; readonly exponent: number }
  /**
   * A recorded trace: the calls take its keys in order, starting over at the end. Inline (`keys`)
   * or a text file with one key per line (`file`: a path from the working directory, read when the
   * model is built; blank lines skipped).
   */
  | { readonly type: 'trace'; readonly keys?: readonly (string | number)[]; readonly file?: string };

/** A partitioner of `headroom/partition`, by name (with its options). */
export type PartitionerSpec =
  | 'ketama'
  | 'rendezvous'
  | 'jump'
  | 'maglev'
  | 'bounded-load'
  | { readonly type: 'ketama' | 'rendezvous' | 'jump' | 'maglev' }
  /** Consistent hashing with bounded loads: no server above ⌈loadFactor · m / n⌉ of the client's m in-flight calls. */
  | { readonly type: 'bounded-load'; readonly loadFactor?: number };

const PARTITIONERS = ['ketama', 'rendezvous', 'jump', 'maglev', 'bounded-load'];

/** The keys of the calls, as ranks, with the string each rank is hashed as. */
export class KeySource {
  readonly #zipf: ZipfSampler | undefined;
  readonly #trace: Int32Array | undefined;
  readonly #names: readonly string[] | undefined;
  #next = 0;

  /**
   * @throws HR_SIM_INVALID_OPTION naming the field (`keys.exponent`, `keys.file`, …)
   */
  constructor(spec: KeySpec, random: Random) {
    if (spec?.type === 'zipf') {
      if (!(Number.isSafeInteger(spec.count) && spec.count >= 1 && spec.count <= 1 << 24))
        throw invalidOption('keys.count', spec.count, 'use a number of distinct keys from 1 to 16,777,216, e.g. 100000');
      if (!(typeof spec.exponent === 'number' && Number.isFinite(spec.exponent) && spec.exponent >= 0))
        throw invalidOption('keys.exponent', spec.exponent, 'use a Zipf exponent ≥ 0, e.g. 0.99 (0 = uniform)');
      this.#zipf = new ZipfSampler({ n: spec.count, exponent: spec.exponent, random });
    } else if (spec?.type === 'trace') {
      const raw = spec.keys ?? (spec.file === undefined ? undefined : readTrace(spec.file));
      if (raw === undefined || raw.length === 0)
        throw invalidOption(
          'keys',
          spec,
          'give the trace inline ({ "type": "trace", "keys": [...] }) or as a file of one key per line ("file")',
        );
      const ranks = new Map<string, number>();
      this.#trace = Int32Array.from(raw, (k) => {
        const name = String(k);
        let r = ranks.get(name);
        if (r === undefined) ranks.set(name, (r = ranks.size));
        return r;
      });
      this.#names = [...ranks.keys()];
    } else {
      throw invalidOption('keys.type', (spec as { type?: unknown } | undefined)?.type, 'use "zipf" or "trace"');
    }
  }

  /** Number of distinct keys. */
  get count(): number {
    return this.#zipf?.n ?? this.#names!.length;
  }

  /** The next call's key (a rank). */
  next(): number {
    if (this.#zipf !== undefined) return this.#zipf.next();
    const t = this.#trace!;
    const r = t[this.#next]!;
    this.#next = this.#next + 1 === t.length ? 0 : this.#next + 1;
    return r;
  }

  /** The string a partitioner hashes for `rank`. */
  name(rank: number): string {
    return this.#names === undefined ? `key:${rank}` : this.#names[rank]!;
  }
}

function readTrace(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw invalidOption(
      'keys.file',
      file,
      `use a readable text file of one key per line (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    );
  }
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

/** What the router reads of the client that dispatches: requests in flight per server. */
export interface InflightView {
  readonly inflight: ArrayLike<number>;
  /** Servers in the fleet (the length of `inflight`). */
  readonly size: number;
  /** Sum of `inflight`. */
  readonly totalInflight: number;
}

/** Sends each keyed call to its owner under a real partitioner, following crash/restart churn. */
export class KeyRouter {
  #partitioner: Partitioner;
  readonly #bounded: boolean;
  readonly #keys: KeySource;
  /** Server index of partitioner node i. */
  #serverOf: Int32Array;
  /** Cached owner (server index) per key rank, -1 when not looked up since the last change. */
  readonly #owner: Int32Array | undefined;
  #loads: Float64Array;
  /** Partitioners in force before, by membership ({@link membership}). */
  readonly #known = new Map<string, Partitioner>();
  /** The c of ⌈c·m/n⌉ that {@link KeyRouter.placements} are checked against: the ring's, or 1.25 for the other partitioners. */
  readonly capFactor: number;
  /** First attempts placed (every call, warm-up included). */
  placements = 0;
  /** Placements that left their server above ⌈c·m/n⌉ (m: the client's requests in flight to the n servers in the ring, this one included). */
  aboveCap = 0;
  /** The largest load ÷ ⌈c·m/n⌉ a placement left. */
  worstOverCap = 0;

  /**
   * @param servers - servers in the fleet (node ids `s0`, `s1`, …)
   * @throws HR_SIM_INVALID_OPTION naming the field (`partitioner`, `partitioner.loadFactor`)
   */
  constructor(spec: PartitionerSpec, servers: number, keys: KeySource) {
    const type = typeof spec === 'string' ? spec : (spec as { type?: string } | null)?.type;
    if (type === undefined || !PARTITIONERS.includes(type))
      throw invalidOption('partitioner', spec, `use one of ${PARTITIONERS.join(', ')}, or { "type": "bounded-load", "loadFactor": 1.25 }`);
    const ids = Array.from({ length: servers }, (_, i) => `s${i}`);
    this.#partitioner = relabelled('partitioner', () =>
      build(type, ids, typeof spec === 'object' && 'loadFactor' in spec ? spec.loadFactor : undefined),
    );
    this.#bounded = type === 'bounded-load';
    this.capFactor = this.#bounded ? (this.#partitioner as BoundedLoadRing).loadFactor : 1.25;
    this.#keys = keys;
    this.#owner = this.#bounded ? undefined : new Int32Array(keys.count).fill(-1);
    this.#serverOf = new Int32Array(0);
    this.#loads = new Float64Array(0);
    this.#membershipChanged();
  }

  /** The partitioner in force. */
  get partitioner(): Partitioner {
    return this.#partitioner;
  }

  /** The server that takes attempt `attempt` (0 = the first, then hedges) of a call with key `rank` from `client`. */
  owner(rank: number, attempt: number, client: InflightView): number {
    const p = this.#partitioner;
    if (attempt > 0) {
      const nodes = p.nodes.length;
      return attempt < nodes ? this.#serverOf[p.indexOf(p.locateN(this.#keys.name(rank), attempt + 1)[attempt]!)]! : -1;
    }
    const loads = this.#loads;
    const inflight = client.inflight;
    let total = 0;
    let server: number;
    if (this.#bounded) {
      for (let i = 0; i < loads.length; i++) total += loads[i] = inflight[this.#serverOf[i]!]!;
      server = this.#serverOf[(p as BoundedLoadRing).pickIndex(this.#keys.name(rank), loads, total)]!;
    } else {
      // the cap check needs only the total: O(1) while the ring holds every server (no crash has taken one out)
      if (loads.length === client.size) total = client.totalInflight;
      else for (let i = 0; i < loads.length; i++) total += inflight[this.#serverOf[i]!]!;
      const cache = this.#owner!;
      const known = cache[rank]!;
      server = known >= 0 ? known : (cache[rank] = this.#serverOf[p.locateIndex(this.#keys.name(rank))]!);
    }
    this.#checkCap(inflight[server]! + 1, total + 1);
    return server;
  }

  /** Counts a placement that leaves `load` on its server with `m` in flight to the ring's servers. */
  #checkCap(load: number, m: number): void {
    this.placements++;
    const cap = Math.ceil((this.capFactor * m) / this.#loads.length - 1e-9);
    if (load > cap) this.aboveCap++;
    if (load / cap > this.worstOverCap) this.worstOverCap = load / cap;
  }

  /** A server crashed: its keys move to the others. Keeps at least one server. */
  leave(server: number): void {
    const p = this.#partitioner;
    if (p.indexOf(`s${server}`) < 0 || p.nodes.length === 1) return;
    this.#remember();
    this.#partitioner = this.#known.get(membership(this.#serverOf, -1, server)) ?? p.withoutNode(`s${server}`);
    this.#membershipChanged();
  }

  /**
   * A server restarted: it takes its keys back. A membership seen before gets its partitioner
   * back, not a rebuilt one: jump (and maglev) place by node order, and `withNode` appends, so
   * after crash + restart the restarted server would take another server's keys (under jump, it
   * and the last server swap theirs).
   */
  join(server: number): void {
    const p = this.#partitioner;
    if (p.indexOf(`s${server}`) >= 0) return;
    this.#remember();
    this.#partitioner = this.#known.get(membership(this.#serverOf, server, -1)) ?? p.withNode(`s${server}`);
    this.#membershipChanged();
  }

  /** Keeps the partitioner in force under its membership (the few memberships a run's faults visit). */
  #remember(): void {
    this.#known.set(membership(this.#serverOf, -1, -1), this.#partitioner);
  }

  #membershipChanged(): void {
    const nodes = this.#partitioner.nodes;
    this.#serverOf = Int32Array.from(nodes, (n) => Number(n.id.slice(1)));
    this.#loads = new Float64Array(nodes.length);
    this.#owner?.fill(-1);
  }
}

/** A membership's key: the sorted server indices of `servers`, plus `add`, less `drop` (-1: none). */
function membership(servers: Int32Array, add: number, drop: number): string {
  const ids = Array.from(servers).filter((s) => s !== drop);
  if (add >= 0) ids.push(add);
  return ids.sort((a, b) => a - b).join(',');
}

function build(type: string, ids: string[], loadFactor: number | undefined): Partitioner {
  switch (type) {
    case 'ketama':
      return new KetamaRing(ids);
    case 'rendezvous':
      return new RendezvousPartitioner(ids);
    case 'jump':
      return new JumpPartitioner(ids);
    case 'maglev':
      return new MaglevPartitioner(ids);
    default:
      return new BoundedLoadRing(ids, loadFactor === undefined ? {} : { loadFactor });
  }
}
