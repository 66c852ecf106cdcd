--[[
How full the windows of many identities of one workspace are, for the overview snapshot: ZCOUNT per
window (what it holds now: planned actions count from their time), and only for a full window the time one more unit fits. One call for a batch of identities
(their keys share the workspace's hash tag), so the per-call cost is paid once per batch. Lighter than
read-windows.lua: no oldest/newest, no mirrors (the overview takes cooldowns from PostgreSQL). Read-only.
KEYS: the windows, identity by identity, each identity's limits in the same order.
ARGV[1] now ms or ""; ARGV[2] m, the limits per identity; ARGV[2 + j] the window ms of limit j;
ARGV[2 + m + k] the max of window k (k = 1 .. #KEYS).
Reply: { now, per window: consumed, available_at (room for one more: now, a later ms, or -2 never; window.include.lua) }
]]
local now = script_now(ARGV[1])
local m = tonumber(ARGV[2])
local wins = {}
for j = 1, m do wins[j] = tonumber(ARGV[2 + j]) end
local out = { now }
-- One HMGET per identity: its windows' states are fields of its marker hash (window.include.lua).
for first = 1, #KEYS, m do
  local head = w_head_of(KEYS[first])
  local fields = {}
  for j = 1, m do
    local _, f = w_head_of(KEYS[first + j - 1])
    fields[j] = f
  end
  local st = redis.call('HMGET', head, unpack(fields))
  for j = 1, m do
    local k = first + j - 1
    local w = w_open(KEYS[k], st[j], wins[j])
    local count = w_count(w, now - wins[j], now)
    out[#out + 1] = count
    out[#out + 1] = window_available_at(w, now, tonumber(ARGV[2 + m + k]), 1, count)
  end
end
return out
