--[[
Release a recorded action that was not performed: its units leave every window at once.
KEYS[i] (i < #KEYS) = the windows of the action's limits; KEYS[#KEYS] = the identity's marker.
ARGV[1] = action member; ARGV[2] = now in ms, or "" for Redis TIME.
Reply: { units removed (0 when the action was not recorded; -1 when the marker is missing: the
identity's state must be rebuilt first, nothing was changed), score of the released recording
(-1 when none), now } — the score names the recording in the journal, so its release cancels
exactly that one.
]]
local member = ARGV[1]
local now = script_now(ARGV[2])
if redis.call('EXISTS', KEYS[#KEYS]) == 0 then return { -1, -1, now } end
local removed = 0
local score = -1
for i = 1, #KEYS - 1 do
  if score == -1 then
    local s = redis.call('ZSCORE', KEYS[i], member)
    if s then score = tonumber(s) end
  end
  local r = redis.call('ZREM', KEYS[i], member)
  if r == 1 then
    local k = 2
    while redis.call('ZREM', KEYS[i], member .. '#' .. k) == 1 do k = k + 1 end
    if i == 1 or removed == 0 then removed = k - 1 end
  end
end
return { removed, score, now }
