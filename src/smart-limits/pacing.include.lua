--[[
Pacing rules over an identity's windows (SPEC 4b), and the search for the earliest time at which an
action passes every rule at once (schedule mode, and every refusal's available_at). They read the
same windows (window.include.lua: member = the action's digest, ":<cost>" when > 1; score = ms,
scheduled actions at their future time): no per-action memory beyond the windows, so a window
rebuilt from the journal paces exactly as before.

A rule is a list of ascending, disjoint half-open intervals {lo, hi} of integer ms at which the
action cannot be placed, and a cursor (rule_next only moves forward). hi = math.huge: past the
working-hours calendar the caller passed (the caller finds the opening in a longer calendar).
]]

-- The jitter of a recorded action for one limit, uniform in [0, jit] ms, drawn from the action's
-- digest (its ":<cost>" suffix stripped) and the limit: the same on every call and every instance,
-- kept without storing it, and the same after a rebuild of the window.
local function member_jitter(member, slug, jit)
  if jit <= 0 then return 0 end
  local base = string.match(member, '^[^:]*')
  return tonumber(string.sub(redis.sha1hex(base .. '|' .. slug), 1, 8), 16) % (jit + 1)
end

-- The jitter of the action being placed: its own, or the largest (a read that names no action).
local function own_jitter(member, slug, jit)
  if member == '' then return jit end
  return member_jitter(member, slug, jit)
end

-- Whether the gap rule passes at t (cheap: only the actions near t, and a jitter (a sha1) is drawn
-- only for an entry whose answer depends on it). member: the action being placed ("" for a read).
local function gap_fits_at(w, t, gap, jit, slug, member)
  local es = w_entries(w, t - gap - jit, t + gap + jit)
  local own = nil
  for j = 1, #es, 2 do
    local e = es[j + 1]
    if e > t then
      own = own or own_jitter(member, slug, jit)
      if e < t + gap + own then return false end
    elseif t < e + gap then
      return false
    elseif t < e + gap + jit and t < e + gap + member_jitter(es[j], slug, jit) then
      return false
    end
  end
  return true
end

-- Whether `cost` more units fit in the window at every instant of [t, t + win) (cheap when nothing
-- is recorded ahead of t inside that span). count: the units in (t - win, t]; ahead (optional): the
-- units in (t, t + win).
local function window_fits_at(w, t, win, max, cost, count, ahead)
  if count + cost > max then return false end
  ahead = ahead or w_count(w, t, t + win - 1)
  -- Nothing ahead inside the span, or even all of it would fit: no instant can be over.
  if ahead == 0 or count + ahead + cost <= max then return true end
  local S = W()
  local runs = S.bad_runs(S.unit_scores(w_entries(w, t - win, t + win)), t, win, max - cost)
  return not (runs[1] and runs[1][1] < t + win)
end

-- t when open at t, the next opening after t, or -3 past the calendar's horizon.
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

-- The schedule-mode search and every refusal's available_at (rules as forbidden intervals, the
-- fixpoint): built on first use, so a guard admitted at once does not pay for defining them (a
-- script's local functions are created again on every call).
local P_ = nil
local function P()
  if P_ then return P_ end
  local M = {}
  -- Gaps: an action at t must be at least gap + the earlier action's jitter after every action of the
  -- limit recorded before it, and at least gap + its own jitter (j_new) before every one recorded
  -- after it (scheduled): entry e forbids [e - gap - j_new + 1, e + gap + j_e). A lazy rule (same
  -- cursor contract as rule_next): only the entries near the candidate are looked at, and an entry's
  -- jitter (a sha1) is drawn only when it matters. entries: flat member, score list, ascending.
  local function gap_rule(entries, gap, jit, slug, j_new)
    return { gap = { entries = entries, gap = gap, jit = jit, slug = slug, j_new = j_new }, p = 1 }
  end

  local function gap_next(r, t)
    local g = r.gap
    local es = g.entries
    local p = r.p
    -- Entries at or before t - gap - jit forbid nothing at t or later.
    while p < #es and tonumber(es[p + 1]) <= t - g.gap - g.jit do p = p + 2 end
    r.p = p
    local q = p
    while q < #es do
      local e = tonumber(es[q + 1])
      if e >= t + g.gap + g.j_new then break end
      local hi = e + g.gap + member_jitter(es[q], g.slug, g.jit)
      -- t is inside this entry's interval: its end is a valid jump (every time up to it is forbidden).
      if t < hi then return hi, e end
      q = q + 2
    end
    return t, nil
  end

  local function rule(list)
    return { list = list, p = 1 }
  end

  -- The earliest time >= t outside the rule's intervals (the cursor moves past what ends by t).
  local function rule_next(r, t)
    if r.gap then return gap_next(r, t) end
    local list, p = r.list, r.p
    while p <= #list and list[p][2] <= t do p = p + 1 end
    r.p = p
    local f = list[p]
    if f and f[1] <= t then return f[2], f[3] end
    return t, nil
  end

  -- Working hours: intervals = flat list s1, e1, s2, e2, ... ascending (end exclusive), or nil for
  -- "always open"; the closed times between them, and after the last one (past the horizon).
  local function hours_forbidden(intervals)
    local out = {}
    local prev = -math.huge
    for j = 1, #intervals, 2 do
      if intervals[j] > prev then out[#out + 1] = { prev, intervals[j] } end
      prev = intervals[j + 1]
    end
    out[#out + 1] = { prev, math.huge }
    return out
  end

  -- The earliest t >= from outside every rule (a fixpoint: each move lands at the end of an interval
  -- of the rule that moved it, and each rule's cursor only moves forward, so the loop is bounded by
  -- the number of intervals). Returns t, or -3 and the time reached when it runs past the calendar.
  local function earliest(rules, from)
    local t = from
    local moved = true
    while moved do
      moved = false
      for k = 1, #rules do
        local f = rule_next(rules[k], t)
        if f > t then
          if f == math.huge then return -3, t end
          t, moved = f, true
        end
      end
    end
    return t, t
  end
  M.gap_rule, M.rule, M.rule_next, M.hours_forbidden, M.earliest = gap_rule, rule, rule_next, hours_forbidden, earliest
  P_ = M
  return M
end

-- The in-flight lease: "<ends_at ms>:<action_id>". Its end is compared with the script's clock (the
-- one clock of every window), so a lease ends at the same instant for every instance; the key's PX
-- only collects it. v: the lease key's value (false when there is none). Returns holder, ends_at;
-- nil when there is none or it has ended.
local function lease_of(v, now)
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
