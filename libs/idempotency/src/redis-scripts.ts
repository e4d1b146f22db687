// The store's Lua scripts. Each touches exactly one key (KEYS[1]), so a batch is one pipeline of
// per-key script calls: atomic per key, one round trip per batch, and no multi-key script that
// would pin every key of a batch to one Redis Cluster slot.
//
// Stored values: a reservation is "r:" .. owner (with the reservation TTL); a committed key is
// "d" (with the long TTL). Any other value (e.g. a "1" written by an older SET NX scheme) counts
// as committed, so a foreign marker is never overwritten or treated as free.

/** Reply codes of RESERVE_LUA, in the order of the outcomes they stand for. */
export const RESERVE_REPLY = { reserved: 0, duplicate: 1, 'in-flight': 2 } as const;

// ARGV[1] = our reservation value, ARGV[2] = reservation TTL in ms.
// A reservation we already hold is renewed and reported 'reserved' again, so a batch retried
// after a failed round trip (some keys reserved, the reply lost) gets its own keys back.
export const RESERVE_LUA = `
local held = redis.call('GET', KEYS[1])
if (not held) or held == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 0
end
if string.sub(held, 1, 2) == 'r:' then return 2 end
return 1
`;

/** Reply codes of COMMIT_LUA. */
export const COMMIT_REPLY = { committed: 0, 'already-committed': 1, 'committed-unreserved': 2 } as const;

// ARGV[1] = our reservation value, ARGV[2] = done TTL in ms.
// The record has been written, so it is remembered as done even if our reservation expired or
// another owner took it meanwhile (reply 2): forgetting it would let it be processed again.
// An existing done marker is left as it is (its TTL too): committing twice changes nothing.
export const COMMIT_LUA = `
local held = redis.call('GET', KEYS[1])
if held and string.sub(held, 1, 2) ~= 'r:' then return 1 end
redis.call('SET', KEYS[1], 'd', 'PX', ARGV[2])
if held == ARGV[1] then return 0 end
return 2
`;

// ARGV[1] = our reservation value. Compare-and-delete: only our own reservation is removed,
// never another owner's, never a done marker. Reply 1 = released, 0 = not ours (or gone).
export const RELEASE_LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

export const RESERVATION_VALUE_PREFIX = 'r:';
