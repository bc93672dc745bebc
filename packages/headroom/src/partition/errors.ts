/**
 * The partition module's typed input errors. Every constructor and lookup that rejects bad input
 * throws one of these (an `InvalidOptionError` with an `HR_PARTITION_*` code), so callers can
 * branch on `isHeadroomError(e, code)` and the message names the option, the value and the fix.
 * The codes are listed in docs/errors.md (section "partition").
 */
import { InvalidOptionError, describe, type ErrorDetails } from '../core/errors.js';

/** The node list is empty. */
export function noNodesError(option: string): InvalidOptionError {
  return new InvalidOptionError(option, [], 'pass at least one node, e.g. [{ id: "cache-1" }]', 'HR_PARTITION_NO_NODES');
}

/** Two nodes share an id. */
export function duplicateNodeError(option: string, id: string): InvalidOptionError {
  return new InvalidOptionError(option, id, `give every node a distinct id (${describe(id)} appears twice)`, 'HR_PARTITION_DUPLICATE_NODE');
}

/** A node is not a non-empty string id or a `{ id, weight? }` object. */
export function invalidNodeError(option: string, value: unknown): InvalidOptionError {
  return new InvalidOptionError(
    option,
    value,
    'use a non-empty string id or an object { id: string, weight?: number }',
    'HR_PARTITION_INVALID_NODE',
  );
}

/** A weight is not a positive finite number. */
export function invalidWeightError(option: string, value: unknown): InvalidOptionError {
  return new InvalidOptionError(option, value, 'use a positive finite number (default 1)', 'HR_PARTITION_INVALID_WEIGHT');
}

/** The algorithm cannot honour weights but a node has a weight other than 1. */
export function weightsUnsupportedError(algorithm: string, option: string, value: unknown): InvalidOptionError {
  return new InvalidOptionError(
    option,
    value,
    `${algorithm} gives every node the same share: drop the weight, or use rendezvous, maglev or the vnode ring for weighted nodes`,
    'HR_PARTITION_WEIGHTS_UNSUPPORTED',
  );
}

/** `withoutNode` / a plan named a node that is not in the set. */
export function unknownNodeError(option: string, id: unknown): InvalidOptionError {
  return new InvalidOptionError(option, id, 'name a node that is currently a member', 'HR_PARTITION_UNKNOWN_NODE');
}

/** A key is neither a string nor a Uint8Array. */
export function invalidKeyError(value: unknown): InvalidOptionError {
  return new InvalidOptionError(
    'key',
    value,
    'pass a string (hashed as UTF-8) or a Uint8Array/Buffer; convert numbers with String(n)',
    'HR_PARTITION_INVALID_KEY',
  );
}

/** A Maglev table size is not a prime. */
export function notPrimeError(option: string, value: unknown, suggestion: number): InvalidOptionError {
  return new InvalidOptionError(option, value, `use a prime (Maglev's permutations need it), e.g. ${suggestion}`, 'HR_PARTITION_NOT_PRIME');
}

/** More distinct replicas were asked for than there are nodes. */
export function notEnoughNodesError(requested: number, available: number): InvalidOptionError {
  return new InvalidOptionError(
    'n',
    requested,
    `ask for at most ${available} replicas (the number of nodes), or add nodes`,
    'HR_PARTITION_NOT_ENOUGH_NODES',
  );
}

/**
 * A node's weight is too small for it to get a single point on a ketama continuum (⌊pct·40·n⌋ = 0
 * digests): no key could ever map to it. libmemcached and libketama keep such a server in their
 * list and silently never pick it; we refuse the node list instead, so every ring we build places
 * keys exactly as they do.
 */
export class WeightTooSmallError extends InvalidOptionError {
  /** The node's id. */
  readonly node: string;
  /** Its weight. */
  readonly weight: number;
  /** The smallest weight that gives it a point, the other weights unchanged (an integer when all weights are). */
  readonly minimumWeight: number;
  declare readonly details: ErrorDetails;

  /**
   * @param option - the weight's option path, e.g. `nodes[1].weight`
   * @param why - the rounding that gave no digest, for the message
   */
  constructor(option: string, node: string, weight: number, minimumWeight: number, why: string) {
    super(
      option,
      weight,
      `node ${describe(node)} would get no point on the ketama continuum (${why}), so no key could ever map to it; ` +
        `give it a weight of at least ${minimumWeight} next to the others, or lower theirs`,
      'HR_PARTITION_WEIGHT_TOO_SMALL',
    );
    this.node = node;
    this.weight = weight;
    this.minimumWeight = minimumWeight;
    this.details = { ...this.details, node, weight, minimumWeight };
  }
}

/** A generic partition option is out of range. */
export function invalidOptionError(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, 'HR_PARTITION_INVALID_OPTION');
}

/** A range split or merge does not fit the table (split key on a boundary, merge past the end). */
export function invalidRangeError(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, 'HR_PARTITION_INVALID_RANGE');
}

/** A slot table is incomplete or names slots outside 0..16383. */
export function invalidSlotTableError(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, 'HR_PARTITION_INVALID_SLOT_TABLE');
}
