--[[
Frees the identity's in-flight lease when this action holds it (its outcome was reported): a
compare-and-delete, so a late report never frees another action's lease.
KEYS[1] = the identity's lease ("<ends_at ms>:<action_id>"). ARGV[1] = action_id.
Reply: 1 freed, 0 not held by it.
]]
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, string.find(v, ':', 1, true) + 1) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
