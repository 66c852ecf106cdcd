--[[
Replaces every cooldown mirror of one identity in one atomic step, so the guard never sees half of
a change (all keys share the workspace hash tag: one Cluster slot).

KEYS[i]        a mirror key (the identity's, then one per limit)
ARGV[2i - 1]   its JSON value, or "" to delete the key
ARGV[2i]       its TTL in ms, or "0" for none (a cooldown that waits for a person)

Reply: the number of keys that now hold a cooldown.
]]
local held = 0
for i = 1, #KEYS do
  local value = ARGV[2 * i - 1]
  if value == '' then
    redis.call('DEL', KEYS[i])
  else
    local ttl = tonumber(ARGV[2 * i])
    if ttl > 0 then
      redis.call('SET', KEYS[i], value, 'PX', ttl)
    else
      redis.call('SET', KEYS[i], value)
    end
    held = held + 1
  end
end
return held
