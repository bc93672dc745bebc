/**
 * headroom/partition — place keys on nodes, move little when nodes change, find and spread hot
 * keys, and fan multi-key requests out to their owners. See docs/partition.md.
 */
export { type Partitioner, type PartitionKey, type PartitionNode, type NodeSpec, type NodeInput, normalizeNodes } from './partitioner.js';
export { HashModPartitioner, type HashModOptions } from './algorithms/hash-mod.js';
export { KetamaRing, ketamaDigestCount, type KetamaOptions, type KetamaPointsFormula } from './algorithms/ketama.js';
export { WeightTooSmallError } from './errors.js';
export { VnodeRing, type VnodeRingOptions } from './algorithms/vnode-ring.js';
export { JumpPartitioner, jumpHash, type JumpOptions } from './algorithms/jump.js';
export { RendezvousPartitioner, type RendezvousOptions } from './algorithms/rendezvous.js';
export { MaglevPartitioner, isPrime, nextPrime, type MaglevOptions } from './algorithms/maglev.js';
export { BoundedLoadRing, BoundedLoadAssigner, type BoundedLoadOptions, type BoundedLoadMove } from './algorithms/bounded-load.js';
export { keySlot, SLOT_COUNT, SlotPartitioner, rangesFromOwners, type SlotRange, type SlotPartitionerOptions } from './algorithms/slots.js';
export { RangePartitioner, compareKeys, type RangeInfo, type RangePartitionerOptions } from './algorithms/range.js';
export {
  planRangeMaintenance,
  applyRangeActions,
  type RangeStats,
  type RangePolicyOptions,
  type RangeAction,
} from './algorithms/range-policy.js';
export { Continuum } from './algorithms/ring-core.js';
export { crc16String, crc16Bytes } from './compat/crc16.js';
export { md5Into, ketamaHash } from './compat/md5.js';
export {
  planKeyMoves,
  diffPartitionTables,
  planPartitionRebalance,
  type KeyMove,
  type KeyMovePlan,
  type PartitionMove,
  type PartitionPlan,
  type PartitionRebalanceOptions,
} from './rebalance.js';
export { SpaceSaving, type TopKEntry } from './hot-keys/space-saving.js';
export { CountMinSketch, type CountMinOptions } from './hot-keys/count-min.js';
export { HotKeyDetector, type HotKeyDetectorOptions, type HotKey } from './hot-keys/detector.js';
export { HotKeyPolicy, HotKeyRouter, type HotKeyPolicyOptions, type HotKeyRouterOptions, type RouteTarget } from './hot-keys/router.js';
export {
  scatterGather,
  groupByOwner,
  groupBySlot,
  type ScatterOptions,
  type ScatterResult,
  type ShardOutcome,
  type ShardStatus,
} from './scatter.js';
