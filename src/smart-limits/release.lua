--[[
Release a recorded action that was not performed: its units leave every window at once.
KEYS[i] = the windows of the action's limits. ARGV[1] = action member.
Reply: number of units removed (0 when the action was not recorded).
]]
local member = ARGV[1]
local removed = 0
for i = 1, #KEYS do
  local r = redis.call('ZREM', KEYS[i], member)
  if r == 1 then
    local k = 2
    while redis.call('ZREM', KEYS[i], member .. '#' .. k) == 1 do k = k + 1 end
    if i == 1 or removed == 0 then removed = k - 1 end
  end
end
return removed
