--[[
One page of a workspace's overview snapshot, read atomically with the snapshot's meta (so a page
never mixes two snapshots).
KEYS[1] meta (string, JSON); KEYS[2] an order (sorted set, all scores 0, member = sort key: the risk
order, or the status order for a filtered page);
KEYS[3] rows (hash: identity id -> row JSON).
ARGV[1] lex min; ARGV[2] lex max; ARGV[3] how many.
Reply: { meta|false, key 1, row 1, key 2, row 2, ... }
]]
local meta = redis.call('GET', KEYS[1])
local out = { meta or false }
if not meta then return out end
local keys = redis.call('ZRANGE', KEYS[2], ARGV[1], ARGV[2], 'BYLEX', 'LIMIT', 0, tonumber(ARGV[3]))
for _, k in ipairs(keys) do
  local id = string.sub(k, string.find(k, '|', 1, true) + 1)
  out[#out + 1] = k
  out[#out + 1] = redis.call('HGET', KEYS[3], id) or false
end
return out
