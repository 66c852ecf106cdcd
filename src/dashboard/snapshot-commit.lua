--[[
Publishes a freshly built overview snapshot in one step, or only gives up the build lock.
KEYS[1..3] built risk order, built status order, built rows; KEYS[4..6] the live ones;
KEYS[7] meta; KEYS[8] build lock.
ARGV[1] "commit" or "abort"; ARGV[2] builder's lock token; ARGV[3] meta JSON; ARGV[4] TTL ms.
Only a builder that still holds the lock publishes: one whose lock lapsed may be older than the
builder that took the lock over, and must not overwrite its snapshot. The lock is released only
when it still holds this builder's token (compare-and-delete).
Reply: 1 when the lock was ours (and, for a commit, the snapshot published).
]]
local ours = redis.call('GET', KEYS[8]) == ARGV[2]
if ARGV[1] == 'commit' and ours then
  local ttl = tonumber(ARGV[4])
  for i = 1, 3 do
    if redis.call('EXISTS', KEYS[i]) == 1 then
      redis.call('RENAME', KEYS[i], KEYS[i + 3])
      redis.call('PEXPIRE', KEYS[i + 3], ttl)
    else
      redis.call('DEL', KEYS[i + 3])
    end
  end
  redis.call('SET', KEYS[7], ARGV[3], 'PX', ttl)
else
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
end
if ours then
  redis.call('DEL', KEYS[8])
  return 1
end
return 0
