--[[
The one owner of "when does a sliding window have room" (guard.lua, read-windows.lua, usage.lua),
with scheduled actions (SPEC 4b schedule mode) in the windows: a window of length W holds, at the
instant τ, the units with a score in (τ - W, τ]. An action placed at t enters every window instant
of [t, t + W), so it fits at t only when none of those instants already holds more than max - cost:
with units recorded ahead of t, checking the instant t alone is not enough.

window_bad_runs(scores, start, win, lim): the instants τ >= start at which the window holds more
than lim units, as half-open runs {a, b} (τ in [a, b)), ascending. `scores` is ascending and holds
every unit with a score > start - win (older ones are ignored).

window_forbidden(scores, start, win, lim, out): appends to `out` the times t at which an action of
cost max - lim cannot be placed: t in [a - win + 1, b) for each bad run (integer ms), merged.

window_available_at(key, now, win, max, cost, count): the earliest t >= now at which `cost` more
units fit at every instant of [t, t + win).
  count  the units the window holds at `now` (scores in (now - win, now])
  Returns now (room already), a later ms, or -2 never (cost > max, e.g. an override of 0).
  Without units ahead of `now` this is the (count + cost - max)-th oldest unit leaving the window
  (in an over-full window not the oldest one: every unit above the threshold must leave first).
Never -1 (callers use -1 / nil for "not applicable" or "no entry", never for a time).
]]
local function window_bad_runs(scores, start, win, lim)
  local n = #scores
  local enter, leave = 1, 1
  while enter <= n and scores[enter] <= start do enter = enter + 1 end
  while leave < enter and scores[leave] <= start - win do leave = leave + 1 end
  local c = enter - leave
  local runs, from = {}, nil
  if c > lim then from = start end
  while leave < enter or enter <= n do
    local x = math.huge
    if enter <= n then x = scores[enter] end
    if leave < enter and scores[leave] + win < x then x = scores[leave] + win end
    while leave < enter and scores[leave] + win == x do
      leave = leave + 1
      c = c - 1
    end
    while enter <= n and scores[enter] == x do
      enter = enter + 1
      c = c + 1
    end
    if from and c <= lim then
      runs[#runs + 1] = { from, x }
      from = nil
    elseif not from and c > lim then
      from = x
    end
  end
  return runs
end

-- Appends {lo, hi} to a list of ascending, disjoint half-open intervals, merging what touches.
local function add_interval(out, lo, hi)
  if hi <= lo then return end
  local last = out[#out]
  if last and lo <= last[2] then
    if hi > last[2] then last[2] = hi end
  else
    out[#out + 1] = { lo, hi }
  end
end

local function window_forbidden(scores, start, win, lim, out)
  for _, r in ipairs(window_bad_runs(scores, start, win, lim)) do add_interval(out, r[1] - win + 1, r[2]) end
  return out
end

-- Ascending scores of the units in (from, +inf) of a window.
local function window_scores(key, from)
  local es = redis.call('ZRANGEBYSCORE', key, '(' .. from, '+inf', 'WITHSCORES')
  local s = {}
  for j = 2, #es, 2 do s[#s + 1] = tonumber(es[j]) end
  return s
end

local function window_available_at(key, now, win, max, cost, count)
  if cost > max then return -2 end
  local ahead = redis.call('ZRANGEBYSCORE', key, '(' .. now, '+inf', 'LIMIT', 0, 1)
  -- Room at every instant of [now, now + win) when even all it could see would fit.
  if #ahead > 0 and redis.call('ZCOUNT', key, '(' .. (now - win), '(' .. (now + win)) + cost <= max then return now end
  if #ahead == 0 then
    if count + cost <= max then return now end
    local must_leave = count + cost - max
    local e = redis.call('ZRANGEBYSCORE', key, '(' .. (now - win), '+inf', 'WITHSCORES', 'LIMIT', must_leave - 1, 1)
    return tonumber(e[2]) + win
  end
  local forbidden = window_forbidden(window_scores(key, now - win), now, win, max - cost, {})
  local f = forbidden[1]
  if f and f[1] <= now and now < f[2] then return f[2] end
  return now
end
