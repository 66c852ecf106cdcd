--[[
Release a recorded action that was not performed: its units leave every window at once, and the
identity's in-flight lease goes if this action holds it (compare-and-delete: never another's).
KEYS[1..n] = the windows of the action's limits, KEYS[n + 1] = the identity's lease ("<ends_at ms>:<action_id>").
ARGV[1] = action member, ARGV[2] = action_id as the caller gave it.
Reply: number of units removed (0 when the action was not recorded).
]]
local member = ARGV[1]
local n = #KEYS - 1
local removed = 0
for i = 1, n do
  local r = redis.call('ZREM', KEYS[i], member)
  if r == 1 then
    local k = 2
    while redis.call('ZREM', KEYS[i], member .. '#' .. k) == 1 do k = k + 1 end
    if removed < k - 1 then removed = k - 1 end
  end
end
local lease = redis.call('GET', KEYS[n + 1])
if lease and string.sub(lease, string.find(lease, ':', 1, true) + 1) == ARGV[2] then redis.call('DEL', KEYS[n + 1]) end
return removed
