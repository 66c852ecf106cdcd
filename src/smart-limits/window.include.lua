--[[
window_available_at(key, now, win, max, cost, count): the one owner of "when does this sliding
window have room" (guard.lua, read-windows.lua, usage.lua).

key    the window (sorted set; score = ms the unit was recorded)
win    its length in ms; an entry counts while its score > now - win
max    the limit's threshold; cost the units that must fit; count what the window holds at `now`
Returns:
  now   there is room already (count + cost <= max)
  ms    the moment room for `cost` frees: the (count + cost - max)-th oldest entry leaving the window.
        In an over-full window (count > max, e.g. after an override lowered the threshold) that is
        not the oldest entry but a later one: every entry above the threshold must leave first.
  -2    never: cost > max (a threshold below the cost, e.g. an override of 0)
Never -1 (callers use -1 / nil for "not applicable" or "no entry", never for a time).
]]
local function window_available_at(key, now, win, max, cost, count)
  if count + cost <= max then return now end
  if cost > max then return -2 end
  local must_leave = count + cost - max
  local e = redis.call('ZRANGEBYSCORE', key, '(' .. (now - win), '+inf', 'WITHSCORES', 'LIMIT', must_leave - 1, 1)
  return tonumber(e[2]) + win
end
