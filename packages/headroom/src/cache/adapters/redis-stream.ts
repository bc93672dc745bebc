/**
 * The Redis Stream under the durable write-behind queue (redis-write-behind.ts): the node-redis
 * surface it uses, its Lua scripts (enqueue with "newest id per key", settle, drain lock) and
 * the parsing of stream replies.
 */
import { BUFFER_REPLIES } from './client-node-redis.js';

/** The node-redis surface the queue uses. */
export interface StreamClient {
  eval(script: string, options: { keys: string[]; arguments: (string | Buffer)[] }): Promise<unknown>;
  sendCommand(args: (string | Buffer)[], options?: { typeMapping: Record<number, unknown> }): Promise<unknown>;
  duplicate(overrides?: Record<string, unknown>): unknown;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  readonly isOpen: boolean;
}

/** XADD + record as newest for the key. KEYS: stream, latest. ARGV: key, op, payload. */
export const ENQUEUE = `
local id = redis.call('XADD', KEYS[1], '*', 'k', ARGV[1], 'op', ARGV[2], 'v', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], id)
return id`;
/** Forget the key's newest id if it is still `id`. KEYS: latest. ARGV: key, id. */
export const SETTLE = `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 1`;
/** Take or renew the lock if free or ours. KEYS: lock. ARGV: token, ttl. */
export const LOCK = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
/** Release the lock if ours. KEYS: lock. ARGV: token. */
export const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;
/** The consumer group of every drainer. */
export const GROUP = 'hr-drain';
/** Replies as Buffers: queued values may be binary. */
export const BINARY = { typeMapping: BUFFER_REPLIES };

/** An XREADGROUP reply: one stream, its entries as [id, fields] (fields null once deleted). */
export type StreamReply = [Buffer, [Buffer, Buffer[]][]][] | null;

/** The entries of `reply` that still hold data. */
export function streamEntries(reply: StreamReply): [Buffer, Buffer[]][] {
  // Entries deleted while pending come back with null fields: nothing left to do for them.
  return (reply?.[0]?.[1] ?? []).filter((e) => Array.isArray(e[1]));
}

/** Ids of pending entries whose data was already deleted: only their acknowledgement is left. */
export function deletedEntries(reply: StreamReply): string[] {
  return (reply?.[0]?.[1] ?? []).filter((e) => !Array.isArray(e[1])).map((e) => e[0].toString());
}

/** The k(ey), op and v(alue) fields of an entry. */
export function fieldsOf(fields: readonly Buffer[]): { k: string; op: string; v: Buffer } {
  const out: Record<string, Buffer> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!.toString()] = fields[i + 1]!;
  return { k: out['k']?.toString() ?? '', op: out['op']?.toString() ?? 'set', v: out['v'] ?? Buffer.alloc(0) };
}

/** A codec's output as a Buffer (no copy for bytes). */
export function toBuffer(payload: string | Uint8Array): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}
