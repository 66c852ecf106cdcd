--[[
Run leases: a sorted set per workspace, member = run id, score = lease expiry (ms). Crashed runs'
leases simply expire (PITFALLS 10: no leaked slots).
KEYS[1] the workspace's leases
ARGV[1] now ms or "", ARGV[2] op ("take" | "renew" | "free"), ARGV[3] run id, ARGV[4] lease ms,
ARGV[5] concurrent runs allowed
Reply: { code, active, earliest_expiry_ms, this_expiry_ms }
code: 1 taken (new), 2 renewed/already held, 0 refused (full), -1 unknown run (renew/free), 3 freed
]]
local now = script_now(ARGV[1])
local key, op, run, lease, max = KEYS[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
local held = redis.call('ZSCORE', key, run)
local function earliest()
  local e = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return e[2] and tonumber(e[2]) or -1
end
if op == 'free' then
  if not held then return { -1, redis.call('ZCARD', key), earliest(), -1 } end
  redis.call('ZREM', key, run)
  return { 3, redis.call('ZCARD', key), earliest(), -1 }
end
if op == 'renew' and not held then return { -1, redis.call('ZCARD', key), earliest(), -1 } end
if not held and redis.call('ZCARD', key) >= max then
  return { 0, redis.call('ZCARD', key), earliest(), -1 }
end
redis.call('ZADD', key, now + lease, run)
local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', key, tonumber(top[2]) - now + 1000)
return { held and 2 or 1, redis.call('ZCARD', key), earliest(), now + lease }
