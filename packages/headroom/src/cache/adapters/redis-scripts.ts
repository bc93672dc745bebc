/**
 * The Lua scripts of the Redis tier. Each runs atomically on the node owning its keys (a value
 * and its lease share a hash tag, hence a slot). Keys and tags are passed as KEYS/ARGV, never
 * spliced into the source. Scripts are sent by SHA (EVALSHA) and loaded on NOSCRIPT.
 *
 * Any script may run late: a call that timed out on the client can still reach a stalled server
 * and run when it resumes. Each is written so that running late does no harm — a late ACQUIRE or
 * CLAIM leaves at most a lease nobody renews (it lapses within the grace, and its caller's
 * RELEASE follows it on the same connection); a late SET_LEASED is refused once anything newer
 * touched the key (its lease is gone); late DELETE, BUMP, RENEW and RELEASE only invalidate or
 * touch their own token.
 */
import { createHash } from 'node:crypto';
import type { GuardedCall } from '../call-guard.js';
import type { RedisConnection } from './redis-connection.js';

/** A script with its SHA1. */
export interface Script {
  readonly source: string;
  readonly sha: string;
  /** True when running it grants a lease: it must not be sent again after its call timed out. */
  readonly grantsLease: boolean;
}

function script(source: string, grantsLease = false): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex'), grantsLease };
}

/**
 * Get-or-lease. KEYS: value, lease. ARGV: token, grace ms (the lease lapses unless renewed),
 * force ('1' skips the value check). Returns {1, value} (present), {2} (lease granted) or
 * {3, remaining lease ms, holder's token} (busy).
 */
export const ACQUIRE = script(
  `
if ARGV[3] ~= '1' then
  local v = redis.call('GET', KEYS[1])
  if v then return {1, v} end
end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
return {3, redis.call('PTTL', KEYS[2]), redis.call('GET', KEYS[2]) or ''}
`,
  true,
);

/** Keep a held lease alive. KEYS: lease. ARGV: token, px. Returns 1, or 0 when the lease is no longer this token's. */
export const RENEW = script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`);

/**
 * First step of a direct write: drop the value and take the lease over whoever holds it (their
 * late store is then refused), and announce the change. The value is stored by SET_LEASED once
 * this step's reply came back, so a write whose first step ran late never stores anything.
 * KEYS: value, lease. ARGV: token, grace ms, channel ('' = no message), message.
 */
export const CLAIM = script(
  `
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return 1
`,
  true,
);

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

/** Delete value and lease together. KEYS: value, lease. ARGV: channel, message. */
export const DELETE = script(`
redis.call('DEL', KEYS[1], KEYS[2])
if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return 1
`);

/**
 * Give back a lease (unused, or in doubt after a timeout), waking the processes waiting for it.
 * KEYS: lease. ARGV: token, channel ('' = no message), message.
 */
export const RELEASE = script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return 1
`);

/** Bump a version counter (tag or namespace) and announce it. KEYS: counter. ARGV: channel, message prefix. Returns the new version. */
export const BUMP = script(`
local v = redis.call('INCR', KEYS[1])
if ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2] .. v .. ']') end
return v
`);

/**
 * EVALSHA straight on the connection, then EVAL on NOSCRIPT — unless the script grants a lease
 * and its call was already given up (`call.settled`): that fallback would be sent after the
 * caller's in-order release, and grant a lease nobody holds. (A late invalidation, store or
 * release is harmless, and is still sent.)
 */
export async function runScript(
  connection: RedisConnection,
  script: Script,
  keys: string[],
  args: (string | Buffer)[],
  call?: GuardedCall,
): Promise<unknown> {
  try {
    return await connection.evalSha(script.sha, keys, args);
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('NOSCRIPT') && !(script.grantsLease && call?.settled === true)) {
      return connection.eval(script.source, keys, args);
    }
    throw error;
  }
}
