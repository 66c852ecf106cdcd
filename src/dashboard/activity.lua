--[[
Activity of one identity: how many units each limit's window recorded per bucket, from the window's
chunk totals and at most a ZCOUNT per bucket edge (no entries travel). Read-only.
KEYS[i] the window of limit i (all keys of one identity share its workspace's hash tag).
ARGV[1] now ms or ""; ARGV[2] span ms; ARGV[3] bucket ms; ARGV[3 + i] the window ms of limit i.
Bucket j covers (now - span + j*bucket, now - span + (j+1)*bucket], so the buckets of a span equal to
a window add up to what that window holds. A bucket that starts before a limit's own window is
reported as -1: entries that old may already be trimmed, so its count is not known.
Reply: { now, per limit: count of bucket 1 .. count of bucket n }
]]
local now = script_now(ARGV[1])
local span = tonumber(ARGV[2])
local bucket = tonumber(ARGV[3])
local n = math.floor(span / bucket)
local from = now - span
local out = { now }
local st = {}
if #KEYS > 0 then
  local head = w_head_of(KEYS[1])
  local fields = {}
  for i = 1, #KEYS do
    local _, f = w_head_of(KEYS[i])
    fields[i] = f
  end
  st = redis.call('HMGET', head, unpack(fields))
end
for i = 1, #KEYS do
  local win = tonumber(ARGV[3 + i])
  local horizon = now - win
  local w = w_open(KEYS[i], st[i], win)
  for j = 0, n - 1 do
    local lo = from + j * bucket
    if lo < horizon then
      out[#out + 1] = -1
    else
      out[#out + 1] = w_count(w, lo, lo + bucket)
    end
  end
end
return out
