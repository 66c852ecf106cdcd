--[[
Restores one identity's windows from the journal, then sets its marker: one atomic step on the
workspace's slot, so a guard sees either no marker (and waits for the rebuild) or the whole state.
Entries are added (an action a window already holds keeps counting once), never removed, so nothing
the windows still hold is lost; entries that have left their window by the script's clock are skipped.
The windows are written in the layout of window.include.lua (chunks, dedup shards, their states in
the identity's window-state hash), the same calls the guard makes, so a rebuilt window is the guard's own.

KEYS[1]       the identity's marker
KEYS[1 + i]   the window of limit i
ARGV[1]       now in ms, or "" for Redis TIME
ARGV[2]       number of limits n
ARGV[2 + i]   window of limit i in ms
ARGV[2 + n + i]  how many entries limit i gets
then, limit after limit, its entries (ascending scores appends best) as score, action digest, units triples

Reply: { now, entries added }
]]
local now = script_now(ARGV[1])
local n = tonumber(ARGV[2])
local pos = 3 + 2 * n
local added = 0
local head = nil
local fields, st = {}, {}
if n > 0 then
  head = w_head_of(KEYS[2])
  for i = 1, n do
    local _, f = w_head_of(KEYS[1 + i])
    fields[i] = f
  end
  st = redis.call('HMGET', head, unpack(fields))
end
local set = {}
for i = 1, n do
  local win = tonumber(ARGV[2 + i])
  local count = tonumber(ARGV[2 + n + i])
  local w = w_open(KEYS[1 + i], st[i], win)
  for _ = 1, count do
    local score, d, units = tonumber(ARGV[pos]), ARGV[pos + 1], tonumber(ARGV[pos + 2])
    pos = pos + 3
    if score > now - win and not w_has(w, d) then
      w_add(w, d, score, units)
      added = added + 1
    end
  end
  local p = w_save(w, now)
  if p and p ~= '' then
    set[#set + 1] = fields[i]
    set[#set + 1] = p
  end
end
if #set > 0 then redis.call('HSET', head, unpack(set)) end
redis.call('SET', KEYS[1], now)
return { now, added }
