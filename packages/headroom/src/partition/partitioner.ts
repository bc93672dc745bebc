/**
 * The Partitioner seam: every placement algorithm answers `locate(key) → node id` and, where it
 * can, `locateN(key, n) → n distinct node ids` (replicas, primary first). Partitioners are
 * immutable: `withNode` / `withoutNode` return a new instance, so a router swaps one reference
 * atomically and in-flight lookups keep a consistent view.
 *
 * Node ids are strings; weights are positive numbers (default 1) relative to one another.
 */
import {
  duplicateNodeError,
  invalidKeyError,
  invalidNodeError,
  invalidOptionError,
  invalidWeightError,
  noNodesError,
  notEnoughNodesError,
  unknownNodeError,
  weightsUnsupportedError,
} from './errors.js';

/** A key to place: a string (hashed as its UTF-8 bytes) or raw bytes. */
export type PartitionKey = string | Uint8Array;

/** A node as callers describe it: an id, optionally a weight (default 1). */
export interface NodeSpec {
  /** Stable, unique id (e.g. `"10.0.0.7:6379"` or `"cache-3"`); it is what gets hashed. */
  readonly id: string;
  /** Relative share of keys; a positive finite number, default 1. */
  readonly weight?: number;
}

/** A node as a partitioner holds it: id and resolved weight. */
export interface PartitionNode {
  /** Unique id. */
  readonly id: string;
  /** Relative weight (> 0). */
  readonly weight: number;
}

/** Either a bare id or a {@link NodeSpec}. */
export type NodeInput = string | NodeSpec;

/** Places keys on nodes. Implementations are immutable and synchronous. */
export interface Partitioner {
  /** Algorithm name, e.g. `"jump"`, `"ketama"`. */
  readonly algorithm: string;
  /** The member nodes, in the order the partitioner numbers them. */
  readonly nodes: readonly PartitionNode[];
  /**
   * The owner of `key`.
   * @throws HR_PARTITION_INVALID_KEY when the key is not a string or Uint8Array
   */
  locate(key: PartitionKey): string;
  /** The owner of `key` as an index into {@link Partitioner.nodes} (no string lookup, for array-indexed routers). */
  locateIndex(key: PartitionKey): number;
  /**
   * `n` distinct nodes for `key`, primary first (the primary equals `locate(key)`).
   * @throws HR_PARTITION_NOT_ENOUGH_NODES when `n` exceeds the node count
   * @throws HR_PARTITION_INVALID_OPTION when `n` is not a positive integer
   */
  locateN(key: PartitionKey, n: number): string[];
  /**
   * A new partitioner with `node` added.
   * @throws HR_PARTITION_DUPLICATE_NODE when the id is already a member
   */
  withNode(node: NodeInput): Partitioner;
  /**
   * A new partitioner without the node `id`.
   * @throws HR_PARTITION_UNKNOWN_NODE when `id` is not a member
   * @throws HR_PARTITION_NO_NODES when it was the last node
   */
  withoutNode(id: string): Partitioner;
  /** Index of node `id` in {@link Partitioner.nodes}, or -1. */
  indexOf(id: string): number;
}

/**
 * Validates and resolves a node list: at least one node, non-empty unique ids, positive finite weights.
 * @throws HR_PARTITION_NO_NODES, HR_PARTITION_INVALID_NODE, HR_PARTITION_DUPLICATE_NODE, HR_PARTITION_INVALID_WEIGHT
 */
export function normalizeNodes(input: readonly NodeInput[], option = 'nodes'): PartitionNode[] {
  if (!Array.isArray(input)) throw invalidNodeError(option, input);
  if (input.length === 0) throw noNodesError(option);
  const seen = new Set<string>();
  return input.map((raw, i) => {
    const node = normalizeNode(raw, `${option}[${i}]`);
    if (seen.has(node.id)) throw duplicateNodeError(`${option}[${i}].id`, node.id);
    seen.add(node.id);
    return node;
  });
}

function normalizeNode(raw: NodeInput, option: string): PartitionNode {
  if (typeof raw === 'string') {
    if (raw === '') throw invalidNodeError(option, raw);
    return { id: raw, weight: 1 };
  }
  if (typeof raw !== 'object' || raw === null || typeof raw.id !== 'string' || raw.id === '') throw invalidNodeError(option, raw);
  const weight = raw.weight ?? 1;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) throw invalidWeightError(`${option}.weight`, weight);
  return { id: raw.id, weight };
}

/** Throws HR_PARTITION_WEIGHTS_UNSUPPORTED unless every weight is 1. */
export function requireUnitWeights(algorithm: string, nodes: readonly PartitionNode[]): void {
  nodes.forEach((node, i) => {
    if (node.weight !== 1) throw weightsUnsupportedError(algorithm, `nodes[${i}].weight`, node.weight);
  });
}

/**
 * Throws HR_PARTITION_INVALID_KEY unless `key` is a string or Uint8Array. Kept tiny so V8 inlines
 * it into every lookup.
 */
export function checkKey(key: unknown): void {
  if (typeof key !== 'string' && !(key instanceof Uint8Array)) throw invalidKeyError(key);
}

/** Validates a replica count against the node count. */
export function checkReplicaCount(n: number, available: number): void {
  if (!Number.isInteger(n) || n < 1) throw invalidOptionError('n', n, 'use a positive integer replica count');
  if (n > available) throw notEnoughNodesError(n, available);
}

/**
 * Shared plumbing of the partitioners: node bookkeeping, id lookup and immutable membership
 * changes. Subclasses implement `locateIndex`, `locateN` and `rebuild`.
 */
export abstract class BasePartitioner implements Partitioner {
  abstract readonly algorithm: string;
  readonly nodes: readonly PartitionNode[];
  /** ids[i] === nodes[i].id, as a plain array for the lookup hot path. */
  protected readonly ids: readonly string[];
  readonly #index: Map<string, number>;

  protected constructor(nodes: readonly PartitionNode[]) {
    this.nodes = Object.freeze(nodes.slice());
    this.ids = nodes.map((n) => n.id);
    this.#index = new Map(this.ids.map((id, i) => [id, i]));
  }

  abstract locateIndex(key: PartitionKey): number;
  abstract locateN(key: PartitionKey, n: number): string[];
  /** A new instance of the same algorithm and options over `nodes` (already validated). */
  protected abstract rebuild(nodes: PartitionNode[]): this;

  locate(key: PartitionKey): string {
    return this.ids[this.locateIndex(key)]!;
  }

  indexOf(id: string): number {
    return this.#index.get(id) ?? -1;
  }

  withNode(node: NodeInput): this {
    return this.rebuild(normalizeNodes([...this.nodes, node]));
  }

  withoutNode(id: string): this {
    const i = this.indexOf(id);
    if (i < 0) throw unknownNodeError('id', id);
    if (this.nodes.length === 1) throw noNodesError('nodes');
    return this.rebuild(this.nodesWithout(i));
  }

  /** The node list after removing index `i`; order-sensitive algorithms (jump) override it. */
  protected nodesWithout(i: number): PartitionNode[] {
    return this.nodes.filter((_, j) => j !== i);
  }

  /**
   * Replicas for algorithms with no natural successor order (hash-mod, jump, ranges): the owner,
   * then the next nodes in list order, cyclically.
   * @throws HR_PARTITION_INVALID_OPTION when n is not a positive integer; HR_PARTITION_NOT_ENOUGH_NODES when n exceeds the node count
   */
  protected cyclicReplicas(key: PartitionKey, n: number): string[] {
    checkReplicaCount(n, this.ids.length);
    const first = this.locateIndex(key);
    const out: string[] = [];
    for (let r = 0; r < n; r++) out.push(this.ids[(first + r) % this.ids.length]!);
    return out;
  }
}
