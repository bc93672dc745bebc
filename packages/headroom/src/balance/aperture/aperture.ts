/**
 * Deterministic aperture (Finagle's `DeterministicAperture`, `ProcessCoordinate`): each client
 * talks only to a slice of the servers, chosen so that every server gets the same share of the
 * clients' traffic. Clients and servers are laid on the same unit ring: client i of C sits at
 * offset i/C (unit width 1/C); servers, ordered by id so every client sees the same ring, each own
 * 1/S. A client's slice starts at its offset and is wide enough to hold the minimum aperture A
 * (default 12, Finagle's) while wrapping the ring a whole number of times over all clients:
 *
 *   width = min(1, ⌈A·C / S⌉ / C)
 *
 * so the C slices cover every point of the ring exactly ⌈A·C/S⌉ times and each server's expected
 * load is the same. A client opens connections only to the servers its slice touches — about
 * width·S + 1 of them — so 1,000 clients × 1,000 servers open ≈ 12,000 connections instead of 10⁶.
 *
 * Within the slice it is power of two choices over the balancer's load ÷ weight, with each server
 * drawn in proportion to how much of it the slice covers (a point uniform in the slice). O(1) per
 * pick; the ring order is rebuilt (a sort by id) only when the candidates change. Limits: the
 * coordinate is given, not discovered (Finagle learns it from its deployment's instance id); when
 * candidates fall out (health, ejection) the ring is rebuilt over the rest, so slices shift.
 */
import type { Random } from '../../core/random.js';
import { invalidOption, requireInteger } from '../options.js';
import type { Candidates, Picker, PickerFactory } from '../picker.js';

/** Where this client sits among its peers: `index` of `count` (e.g. a pod's ordinal and the replica count). */
export interface ProcessCoordinate {
  readonly index: number;
  readonly count: number;
}

/** Options of {@link aperture}. */
export interface ApertureOptions {
  /** This client's coordinate. */
  readonly coordinate: ProcessCoordinate;
  /** Minimum servers per slice, A; default 12 (Finagle's minimum deterministic aperture). */
  readonly minAperture?: number;
}

/** One client's slice of the server ring. */
export interface ApertureSlice {
  /** Start on the unit ring. */
  readonly offset: number;
  /** Width on the unit ring, (0, 1]. */
  readonly width: number;
  /** Servers the slice touches (the connections this client opens). */
  readonly servers: number;
  /** Ring position of the first of them. */
  readonly first: number;
}

/**
 * The slice of client `coordinate` over `servers` servers.
 * @throws HR_BALANCE_INVALID_OPTION for a coordinate outside 0 ≤ index < count
 */
export function apertureSlice(coordinate: ProcessCoordinate, servers: number, minAperture = 12): ApertureSlice {
  const { index, count } = checkCoordinate(coordinate);
  if (servers <= 0) return { offset: index / count, width: 1, servers: 0, first: 0 };
  const a = Math.min(minAperture, servers);
  const width = Math.min(1, Math.ceil((a * count) / servers) / count);
  const offset = index / count;
  const first = Math.floor(offset * servers + 1e-9);
  const last = Math.ceil((offset + width) * servers - 1e-9); // exclusive
  return { offset, width, servers: Math.min(servers, last - first), first };
}

function checkCoordinate(c: ProcessCoordinate): ProcessCoordinate {
  if (typeof c !== 'object' || c === null) throw invalidOption('aperture.coordinate', c, 'use { index, count } with 0 ≤ index < count');
  requireInteger('aperture.coordinate.count', c.count, 1, '10');
  if (!(Number.isInteger(c.index) && c.index >= 0 && c.index < c.count))
    throw invalidOption('aperture.coordinate.index', c.index, `use an integer from 0 to count − 1 (${c.count - 1})`);
  return c;
}

class AperturePicker implements Picker {
  readonly #random: Random;
  readonly #coordinate: ProcessCoordinate;
  readonly #minAperture: number;
  #order = new Int32Array(0);
  #listVersion = -1;
  #slice: ApertureSlice = { offset: 0, width: 1, servers: 0, first: 0 };

  constructor(random: Random, coordinate: ProcessCoordinate, minAperture: number) {
    this.#random = random;
    this.#coordinate = coordinate;
    this.#minAperture = minAperture;
  }

  pick(c: Candidates, now: number): number {
    const n = c.size;
    if (n <= 1) return n - 1;
    if (c.listVersion !== this.#listVersion) this.#rebuild(c);
    const a = this.#draw(n);
    if (this.#slice.servers <= 1) return a;
    let b = this.#draw(n);
    for (let tries = 0; b === a && tries < 8; tries++) b = this.#draw(n);
    if (b === a) return a;
    return c.load(b, now) / c.weight(b) < c.load(a, now) / c.weight(a) ? b : a;
  }

  /** A candidate drawn in proportion to its overlap with the slice. */
  #draw(n: number): number {
    const u = this.#slice.offset + this.#random.next() * this.#slice.width;
    const position = Math.floor((u - Math.floor(u)) * n);
    return this.#order[position < n ? position : n - 1]!;
  }

  #rebuild(c: Candidates): void {
    this.#listVersion = c.listVersion;
    const ids = Array.from({ length: c.size }, (_, i) => i).sort((x, y) => (c.id(x) < c.id(y) ? -1 : c.id(x) > c.id(y) ? 1 : 0));
    this.#order = Int32Array.from(ids);
    this.#slice = apertureSlice(this.#coordinate, c.size, this.#minAperture);
  }

  /** The current slice (for reports). */
  get slice(): ApertureSlice {
    return this.#slice;
  }
}

/**
 * Deterministic aperture over power of two choices.
 * @throws HR_BALANCE_INVALID_OPTION for a bad coordinate or minimum aperture
 * @example new Balancer({ endpoints, picker: aperture({ coordinate: { index: podOrdinal, count: replicas } }), load: peakEwma() })
 */
export function aperture(options: ApertureOptions): PickerFactory {
  const coordinate = checkCoordinate(options?.coordinate);
  const minAperture = requireInteger('aperture.minAperture', options.minAperture ?? 12, 1, '12');
  return {
    name: 'aperture',
    supportsSlowStart: true,
    needsKey: false,
    create: ({ random }) => new AperturePicker(random, coordinate, minAperture),
  };
}
