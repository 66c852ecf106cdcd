--[[
Release a recorded action that was not performed: its units leave every window at once (a planned
action's slots too, and it leaves the identity's schedule), and the identity's in-flight lease goes
if this action holds it (compare-and-delete: never another's).
KEYS[1..n] = the windows of the action's limits; KEYS[n + 1] = the identity's lease
("<ends_at ms>:<action_id>"); KEYS[n + 2] = the identity's marker; KEYS[n + 3] = the identity's
schedule (sorted set of planned actions).
ARGV[1] = action digest (action-member.ts); ARGV[2] = now in ms, or "" for Redis TIME; ARGV[3] = action_id as the caller
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
local head = nil
local fields, hd = {}, {}
if n > 0 then
  head = w_head_of(KEYS[1])
  for i = 1, n do
    local _, f = w_head_of(KEYS[i])
    fields[i] = f
  end
  hd = redis.call('HMGET', head, unpack(fields))
end
local removed = 0
local score = -1
local set, del = {}, {}
for i = 1, n do
  -- The window's own length does not matter here: nothing is added, so no expiry is renewed.
  local w = w_open(KEYS[i], hd[i], 0)
  local c, s = W().remove(w, member)
  if c then
    if score == -1 then score = s end
    if c > removed then removed = c end
    local p = w_save(w, now)
    if p == '' then
      del[#del + 1] = fields[i]
    elseif p then
      set[#set + 1] = fields[i]
      set[#set + 1] = p
    end
  end
end
if #set > 0 then redis.call('HSET', head, unpack(set)) end
if #del > 0 then redis.call('HDEL', head, unpack(del)) end
redis.call('ZREM', KEYS[n + 3], ARGV[4])
local lease = redis.call('GET', KEYS[n + 1])
if lease and string.sub(lease, string.find(lease, ':', 1, true) + 1) == ARGV[3] then redis.call('DEL', KEYS[n + 1]) end
return { removed, score, now }
