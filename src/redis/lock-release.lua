--[[
Releases a lock only while it still holds the caller's token (compare-and-delete), so a holder whose
TTL lapsed never frees the lock another one took since.
KEYS[1] the lock; ARGV[1] the token. Reply: 1 released, 0 not held by this token.
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
