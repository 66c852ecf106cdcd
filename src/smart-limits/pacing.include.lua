--[[
Pacing rules over an identity's windows (SPEC 4b). Each function answers "the earliest time >= t at
which this rule passes" (windows and bursts: window_available_at, window.include.lua), reading the
same sorted sets the windows use (member = action member, "#k" suffix for the k-th unit of a cost > 1; score = ms): no per-action
memory beyond the windows, so a window rebuilt from the journal paces exactly as before.
-2 means never (a threshold below the cost).
]]

-- The jitter of a recorded action for one limit, uniform in [0, jit] ms, drawn from the action's
-- member (its "#k" unit suffix stripped) and the limit: the same on every call and every instance,
-- kept without storing it, and the same after a rebuild of the window.
local function member_jitter(member, slug, jit)
  if jit <= 0 then return 0 end
  local base = string.match(member, '^[^#]*')
  return tonumber(string.sub(redis.sha1hex(base .. '|' .. slug), 1, 8), 16) % (jit + 1)
end

-- Earliest time >= t at least `gap` + its own jitter after every recorded action of the limit;
-- also returns the score of the action that binds (-1 when none does).
local function gap_free_at(key, t, gap, jit, slug)
  local es = redis.call('ZRANGEBYSCORE', key, '(' .. (t - gap - jit), '+inf', 'WITHSCORES')
  local at, last = t, -1
  local seen = {}
  for j = 1, #es, 2 do
    local base = string.match(es[j], '^[^#]*')
    if not seen[base] then
      seen[base] = true
      local f = tonumber(es[j + 1]) + gap + member_jitter(base, slug, jit)
      if f > at then at, last = f, tonumber(es[j + 1]) end
    end
  end
  return at, last
end

-- intervals: flat list s1, e1, s2, e2, ... ascending (end exclusive), or nil for "always open".
-- Returns t when open at t, the next opening after t, or -3 past the calendar's horizon.
local function open_at_or_after(intervals, t)
  if not intervals then return t end
  for j = 1, #intervals, 2 do
    if t < intervals[j + 1] then
      if t >= intervals[j] then return t end
      return intervals[j]
    end
  end
  return -3
end

-- The in-flight lease: "<ends_at ms>:<action_id>". Its end is compared with the script's clock (the
-- one clock of every window), so a lease ends at the same instant for every instance; the key's PX
-- only collects it. Returns holder, ends_at; nil when there is none or it has ended.
local function lease_of(key, now)
  local v = redis.call('GET', key)
  if not v then return nil, -1 end
  local sep = string.find(v, ':', 1, true)
  local ends = tonumber(string.sub(v, 1, sep - 1))
  if ends <= now then return nil, -1 end
  return string.sub(v, sep + 1), ends
end

-- When a cooldown mirror ends: its "ends_ms" (the cooldown's exact end, written by the mirror), else
-- now + its TTL (a mirror without it), or -2 when it has neither (a person must clear it).
local function cooldown_ends(value, now, pttl)
  local ends = string.match(value, '"ends_ms":(%d+)')
  if ends then return tonumber(ends) end
  if pttl > 0 then return now + pttl end
  return -2
end
