/**
 * headroom/partition — place keys on nodes, move little when nodes change, find and spread hot
 * keys, and fan multi-key requests out to their owners. See docs/partition.md.
 */
export {
  type Partitioner, type PartitionKey, type PartitionNode, type NodeSpec, type NodeInput, normalizeNodes,
} from './partitioner.js';
export { VnodeRing, type VnodeRingOptions } from './algorithms/vnode-ring.js';
export {
  BoundedLoadRing, BoundedLoadAssigner, type BoundedLoadOptions, type BoundedLoadMove,
} from './algorithms/bounded-load.js';
export {
  keySlot, SLOT_COUNT, SlotPartitioner, rangesFromOwners, type SlotRange, type SlotPartitionerOptions,
} from './algorithms/slots.js';
export { crc16String, crc16Bytes } from './compat/crc16.js';
export {
  planKeyMoves, diffPartitionTables, planPartitionRebalance,
  type KeyMove, type KeyMovePlan, type PartitionMove, type PartitionPlan, type PartitionRebalanceOptions,
} from './rebalance.js';
