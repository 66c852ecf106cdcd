--[[
Publishes a freshly built overview snapshot in one step, or only gives up the build lock.
KEYS[1] built order; KEYS[2] built rows; KEYS[3] order; KEYS[4] rows; KEYS[5] meta; KEYS[6] build lock.
ARGV[1] "commit" or "abort"; ARGV[2] builder's lock token; ARGV[3] meta JSON; ARGV[4] TTL ms.
The lock is released only when it still holds this builder's token (compare-and-delete).
Reply: 1 when the lock was ours.
]]
if ARGV[1] == 'commit' then
  local ttl = tonumber(ARGV[4])
  if redis.call('EXISTS', KEYS[1]) == 1 then
    redis.call('RENAME', KEYS[1], KEYS[3])
    redis.call('PEXPIRE', KEYS[3], ttl)
  else
    redis.call('DEL', KEYS[3])
  end
  if redis.call('EXISTS', KEYS[2]) == 1 then
    redis.call('RENAME', KEYS[2], KEYS[4])
    redis.call('PEXPIRE', KEYS[4], ttl)
  else
    redis.call('DEL', KEYS[4])
  end
  redis.call('SET', KEYS[5], ARGV[3], 'PX', ttl)
else
  redis.call('DEL', KEYS[1], KEYS[2])
end
if redis.call('GET', KEYS[6]) == ARGV[2] then
  redis.call('DEL', KEYS[6])
  return 1
end
return 0
