/**
 * The model's network, compiled: the fleet-wide one-way delay and loss, and — when `network.links`
 * is given — a table from each (client, server) pair to the delay and loss of its link. Entries
 * of `links` apply in order, each setting the fields it has for the pairs it matches; pairs are
 * resolved once here into a few distinct links, so a message costs one table read.
 */
import { sampler, type Sampler } from './distributions.js';
import { invalidOption } from './errors.js';
import type { NetworkSpec, ServerGroupSpec } from './model-spec.js';

/** The compiled network of a fleet of `clients` clients and the servers of `groups`. */
export class Network {
  /** Fleet-wide one-way delay (undefined: 0). */
  readonly delay: Sampler | undefined;
  /** Fleet-wide loss probability. */
  readonly loss: number;
  /** Link of each pair (client × servers + server) as an index into `delays` and `losses`; undefined without `links`. */
  readonly link: Uint32Array | undefined;
  /** One-way delay of each distinct link (undefined: 0). */
  readonly delays: readonly (Sampler | undefined)[] = [];
  /** Loss probability of each distinct link. */
  readonly losses: Float64Array;
  /** Servers in the fleet (a pair's index in `link` is client × servers + server). */
  readonly servers: number;

  /**
   * @throws HR_SIM_INVALID_OPTION naming the field (e.g. `network.links.1.servers.0`)
   */
  constructor(spec: NetworkSpec | undefined, clients: number, groups: readonly ServerGroupSpec[]) {
    if (spec !== undefined && !isObject(spec))
      throw invalidOption('network', spec, 'use an object, e.g. { "delay": { "type": "constant", "value": "1ms" }, "loss": 0.001 }');
    const net: NetworkSpec = spec ?? {};
    this.delay = net.delay === undefined ? undefined : sampler(net.delay, 'network.delay');
    this.loss = lossOf(net.loss, 'network.loss', 0);
    this.servers = groups.reduce((n, g) => n + g.count, 0);
    if (net.links === undefined) {
      this.link = undefined;
      this.losses = new Float64Array(0);
      return;
    }
    if (!Array.isArray(net.links))
      throw invalidOption('network.links', net.links, 'use a list of { clients, servers, delay, loss } entries');
    const servers = this.servers;
    // Per pair, the entry that last set its delay and its loss (-1: the fleet-wide value).
    const delayFrom = new Int32Array(clients * servers).fill(-1);
    const lossFrom = new Int32Array(clients * servers).fill(-1);
    const delays: (Sampler | undefined)[] = [];
    const losses: number[] = [];
    net.links.forEach((l, i) => {
      const path = `network.links.${i}`;
      if (!isObject(l)) throw invalidOption(path, l, 'use an object { clients?, servers?, delay?, loss? }');
      if (l.delay === undefined && l.loss === undefined) throw invalidOption(path, l, 'give the link a delay, a loss or both');
      delays.push(l.delay === undefined ? undefined : sampler(l.delay, `${path}.delay`));
      losses.push(lossOf(l.loss, `${path}.loss`, 0));
      const cs = l.clients === undefined ? range(0, clients) : indexes(l.clients, `${path}.clients`, clients, 'client');
      const ss = l.servers === undefined ? range(0, servers) : serverIndexes(l.servers, `${path}.servers`, servers, groups);
      for (const c of cs)
        for (const s of ss) {
          if (l.delay !== undefined) delayFrom[c * servers + s] = i;
          if (l.loss !== undefined) lossFrom[c * servers + s] = i;
        }
    });
    // Distinct (delay source, loss source) combinations become the links.
    const ids = new Map<number, number>();
    const linkDelays: (Sampler | undefined)[] = [];
    const linkLosses: number[] = [];
    const link = new Uint32Array(clients * servers);
    const width = net.links.length + 1;
    for (let p = 0; p < link.length; p++) {
      const d = delayFrom[p]!;
      const q = lossFrom[p]!;
      const key = (d + 1) * width + (q + 1);
      let id = ids.get(key);
      if (id === undefined) {
        id = linkDelays.length;
        ids.set(key, id);
        linkDelays.push(d < 0 ? this.delay : delays[d]);
        linkLosses.push(q < 0 ? this.loss : losses[q]!);
      }
      link[p] = id;
    }
    this.link = link;
    this.delays = linkDelays;
    this.losses = Float64Array.from(linkLosses);
  }

  /** The one-way delay of the link from `client` to `server` (undefined: none). */
  delayOf(client: number, server: number): Sampler | undefined {
    const link = this.link;
    return link === undefined ? this.delay : this.delays[link[client * this.servers + server]!];
  }

  /** The loss probability of a message on the link from `client` to `server`. */
  lossOf(client: number, server: number): number {
    const link = this.link;
    return link === undefined ? this.loss : this.losses[link[client * this.servers + server]!]!;
  }
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lossOf(v: unknown, path: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (!(typeof v === 'number' && v >= 0 && v < 1)) throw invalidOption(path, v, 'use a probability from 0 to below 1, e.g. 0.001');
  return v;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

function indexes(v: unknown, path: string, count: number, what: string): readonly number[] {
  if (!Array.isArray(v) || v.length === 0) throw invalidOption(path, v, `use a non-empty list of ${what} indexes from 0 to ${count - 1}`);
  v.forEach((x, j) => {
    if (!(Number.isInteger(x) && (x as number) >= 0 && (x as number) < count))
      throw invalidOption(`${path}.${j}`, x, `use a ${what} index from 0 to ${count - 1}`);
  });
  return v as number[];
}

function serverIndexes(v: unknown, path: string, servers: number, groups: readonly ServerGroupSpec[]): readonly number[] {
  if (!isObject(v)) return indexes(v, path, servers, 'server');
  const g = (v as { group?: unknown }).group;
  if (!(Number.isInteger(g) && (g as number) >= 0 && (g as number) < groups.length))
    throw invalidOption(`${path}.group`, g, `use a server group index from 0 to ${groups.length - 1}`);
  const first = groups.slice(0, g as number).reduce((n, x) => n + x.count, 0);
  return range(first, first + groups[g as number]!.count);
}
