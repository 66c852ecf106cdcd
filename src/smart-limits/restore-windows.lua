--[[
Restores one identity's windows from the journal, then sets its marker: one atomic step on the
workspace's slot, so a guard sees either no marker (and waits for the rebuild) or the whole state.
Entries are added (ZADD: a member already there keeps counting once), never removed, so nothing
the windows still hold is lost; entries that have left their window by the script's clock are skipped.

KEYS[1]       the identity's marker
KEYS[1 + i]   the window of limit i
ARGV[1]       now in ms, or "" for Redis TIME
ARGV[2]       number of limits n
ARGV[2 + i]   window of limit i in ms
ARGV[2 + n + i]  how many entries limit i gets
then, limit after limit, its entries as score, member pairs

Reply: { now, entries added }
]]
local now = script_now(ARGV[1])
local n = tonumber(ARGV[2])
local pos = 3 + 2 * n
local added = 0
for i = 1, n do
  local key = KEYS[1 + i]
  local win = tonumber(ARGV[2 + i])
  local count = tonumber(ARGV[2 + n + i])
  local newest = -1
  for _ = 1, count do
    local score = tonumber(ARGV[pos])
    local member = ARGV[pos + 1]
    pos = pos + 2
    if score > now - win then
      added = added + redis.call('ZADD', key, score, member)
      if score > newest then newest = score end
    end
  end
  if newest >= 0 then
    -- The guard's own expiry rule: the key goes once its newest entry has left the window.
    local want = newest + win - now + 1000
    if redis.call('PTTL', key) < want then redis.call('PEXPIRE', key, want) end
  end
end
redis.call('SET', KEYS[1], now)
return { now, added }
