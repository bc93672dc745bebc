/**
 * A model too large for this machine is refused before anything is built, with the memory it
 * would need — instead of allocating for minutes and dying of a heap out of memory (a count typed
 * with three zeros too many). The estimate is a floor: each server's objects and numbers, and
 * each client's per-server tables, at the least they take.
 */
import { totalmem } from 'node:os';
import { invalidOption } from './errors.js';
import type { ModelSpec } from './model-spec.js';

/**
 * Bytes one server takes at the least: its object, its region of the slab and its job places,
 * and a client's load metric for it. Measured at 10⁶ and 10⁷ single-worker servers (one client):
 * ≈ 540 B each of resident memory.
 */
export const SERVER_BYTES = 400;
/** Bytes per (client, server) pair: each client's count in flight per server. */
const PAIR_BYTES = 4;
/** … and with `network.links`, the link tables built per pair. */
const LINK_PAIR_BYTES = 12;

/**
 * Throws when `spec` needs more memory than `memoryBytes` (default: this machine's).
 * Counts that are not positive integers are left to the checks that name them.
 * @throws HR_SIM_INVALID_OPTION at `servers`, with the estimate and the machine's memory
 */
export function checkModelSize(spec: ModelSpec, memoryBytes = totalmem()): void {
  const counted = (n: unknown, otherwise: number): number => (Number.isInteger(n) && (n as number) > 0 ? (n as number) : otherwise);
  const servers = spec.servers.reduce((n, g) => n + counted(g.count, 0), 0);
  const clients = counted(spec.clients?.count, 1);
  const pair = PAIR_BYTES + (spec.network?.links === undefined ? 0 : LINK_PAIR_BYTES);
  const bytes = servers * SERVER_BYTES + clients * servers * pair;
  if (bytes <= memoryBytes) return;
  const gb = (b: number): string => `${Number((b / 2 ** 30).toPrecision(3))} GB`;
  throw invalidOption(
    'servers',
    `${servers} servers and ${clients} client(s)`,
    `a model this large needs at least ${gb(bytes)} of memory (≥ ${SERVER_BYTES} B a server, ${pair} B a client per server), more than this machine's ${gb(memoryBytes)}; simulate fewer servers or clients`,
  );
}
