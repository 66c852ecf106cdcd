--[[
Release a recorded action that was not performed: its units leave every window at once (a planned
action's slots too, and it leaves the identity's schedule), and the identity's in-flight lease goes
if this action holds it (compare-and-delete: never another's).
KEYS[1..n] = the windows of the action's limits; KEYS[n + 1] = the identity's lease
("<ends_at ms>:<action_id>"); KEYS[n + 2] = the identity's marker; KEYS[n + 3] = the identity's
schedule (sorted set of planned actions).
ARGV[1] = action member; ARGV[2] = now in ms, or "" for Redis TIME; ARGV[3] = action_id as the caller
gave it; ARGV[4] = its schedule entry ("<action slug> <action_id>").
Reply: { units removed (0 when the action was not recorded; -1 when the marker is missing: the
identity's state must be rebuilt first, nothing was changed), score of the released recording
(-1 when none), now } — the score names the recording in the journal, so its release cancels
exactly that one.
]]
local member = ARGV[1]
local now = script_now(ARGV[2])
local n = #KEYS - 3
if redis.call('EXISTS', KEYS[n + 2]) == 0 then return { -1, -1, now } end
local removed = 0
local score = -1
for i = 1, n do
  if score == -1 then
    local s = redis.call('ZSCORE', KEYS[i], member)
    if s then score = tonumber(s) end
  end
  local r = redis.call('ZREM', KEYS[i], member)
  if r == 1 then
    local k = 2
    while redis.call('ZREM', KEYS[i], member .. '#' .. k) == 1 do k = k + 1 end
    if removed < k - 1 then removed = k - 1 end
  end
end
redis.call('ZREM', KEYS[n + 3], ARGV[4])
local lease = redis.call('GET', KEYS[n + 1])
if lease and string.sub(lease, string.find(lease, ':', 1, true) + 1) == ARGV[3] then redis.call('DEL', KEYS[n + 1]) end
return { removed, score, now }
