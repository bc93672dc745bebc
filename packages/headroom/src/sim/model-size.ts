/**
 * A model too large for this machine is refused before anything is built, with the memory it
 * would need — instead of allocating for minutes and dying of a heap out of memory (a count typed
 * with three zeros too many). Two limits: the JavaScript heap of the thread that runs it (V8's
 * `heap_size_limit`: 4 GB by default on this machine, whatever its memory; the process dies when
 * it is reached) and the machine's memory (the heap plus the typed arrays, which live outside
 * it). The estimates are floors: each server's objects and numbers, and each client's per-server
 * tables, at the least they take.
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { invalidOption } from './errors.js';
import type { ModelSpec } from './model-spec.js';

/**
 * Bytes one server takes at the least, heap and typed arrays: its object, its region of the slab
 * and its job places, and a client's load metric for it (`npm run bench -- sim/model-memory`: 547–594 B
 * of resident memory at 10⁶ single-worker servers and one client).
 */
export const SERVER_BYTES = 400;
/** … of which on the JavaScript heap (the same bench: 373 B, 408 with peak-EWMA). */
export const HEAP_SERVER_BYTES = 350;
/** Bytes per (client, server) pair: each client's metric and count in flight per server (the same bench: 39 B of heap, 74 with peak-EWMA). */
const PAIR_BYTES = 40;
/** … of which on the heap. */
const HEAP_PAIR_BYTES = 36;
/** … and with `network.links`, the link tables built per pair (typed arrays). */
const LINK_PAIR_BYTES = 12;

/** The limits a model is checked against. */
export interface MemoryLimits {
  /** The machine's memory, bytes. */
  readonly memoryBytes: number;
  /** The running thread's JavaScript heap limit, bytes. */
  readonly heapBytes: number;
}

/** This machine's memory and this thread's heap limit. */
export function memoryLimits(): MemoryLimits {
  return { memoryBytes: totalmem(), heapBytes: getHeapStatistics().heap_size_limit };
}

/**
 * Throws when `spec` needs more heap than this thread has, or more memory than the machine has.
 * Counts that are not positive integers are left to the checks that name them.
 * @throws HR_SIM_INVALID_OPTION at `servers`, with the estimate and the limit it exceeds
 */
export function checkModelSize(spec: ModelSpec, limits: MemoryLimits = memoryLimits()): void {
  const counted = (n: unknown, otherwise: number): number => (Number.isInteger(n) && (n as number) > 0 ? (n as number) : otherwise);
  const servers = spec.servers.reduce((n, g) => n + counted(g.count, 0), 0);
  const clients = counted(spec.clients?.count, 1);
  const pair = PAIR_BYTES + (spec.network?.links === undefined ? 0 : LINK_PAIR_BYTES);
  const heap = servers * HEAP_SERVER_BYTES + clients * servers * HEAP_PAIR_BYTES;
  const bytes = servers * SERVER_BYTES + clients * servers * pair;
  const gb = (b: number): string => `${Number((b / 2 ** 30).toPrecision(3))} GB`;
  const what = `${servers} servers and ${clients} client(s)`;
  if (bytes > limits.memoryBytes)
    throw invalidOption(
      'servers',
      what,
      `a model this large needs at least ${gb(bytes)} of memory (≥ ${SERVER_BYTES} B a server, ${pair} B a client per server), more than this machine's ${gb(limits.memoryBytes)}; simulate fewer servers or clients`,
    );
  if (heap > limits.heapBytes)
    throw invalidOption(
      'servers',
      what,
      `a model this large needs at least ${gb(heap)} of JavaScript heap (≥ ${HEAP_SERVER_BYTES} B a server, ${HEAP_PAIR_BYTES} B a client per server), more than this thread's limit of ${gb(limits.heapBytes)}; simulate fewer servers or clients, or raise the limit: NODE_OPTIONS=--max-old-space-size=${Math.ceil((heap * 1.5) / 2 ** 20)} (MB; headroom sim's worker threads get the same)`,
    );
}
