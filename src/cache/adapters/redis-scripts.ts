/**
 * The Lua scripts of the Redis tier. Each runs atomically on the node owning its keys (a value
 * and its lease share a hash tag, hence a slot). Keys and tags are passed as KEYS/ARGV, never
 * spliced into the source. Scripts are sent by SHA (EVALSHA) and loaded on NOSCRIPT.
 */
import { createHash } from 'node:crypto';

/** A script with its SHA1. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * Get-or-lease. KEYS: value, lease. ARGV: token, lease ttl ms, force ('1' skips the value check),
 * Returns {1, value} (present), {2} (lease granted) or {3, remaining lease ms} (busy).
 */
export const ACQUIRE = script(`
if ARGV[3] ~= '1' then
  local v = redis.call('GET', KEYS[1])
  if v then return {1, v} end
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
return {3, redis.call('PTTL', KEYS[2])}
`);

/**
 * Store under a lease. KEYS: value, lease. ARGV: token, payload, px ms ('0' = no expiry),
 * channel ('' = no message), message. Refused (0) when the lease is gone or another's — a
 * delete or a direct write voided it, so this load's value is older than what replaced it.
 */
export const SET_LEASED = script(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
if ARGV[3] == '0' then redis.call('SET', KEYS[1], ARGV[2]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
if ARGV[4] ~= '' then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return 1
`);

/** Direct write: voids any lease (a newer value beats a load in flight). KEYS: value, lease. ARGV: payload, px, channel, message. */
export const SET_DIRECT = script(`
redis.call('DEL', KEYS[2])
if ARGV[2] == '0' then redis.call('SET', KEYS[1], ARGV[1]) else redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return 1
`);

/** Delete value and lease together. KEYS: value, lease. ARGV: channel, message. */
export const DELETE = script(`
redis.call('DEL', KEYS[1], KEYS[2])
if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return 1
`);

/** Give back an unused lease. KEYS: lease. ARGV: token. */
export const RELEASE = script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`);

/** Bump a version counter (tag or namespace) and announce it. KEYS: counter. ARGV: channel, message prefix. Returns the new version. */
export const BUMP = script(`
local v = redis.call('INCR', KEYS[1])
if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2] .. v .. ']') end
return v
`);
