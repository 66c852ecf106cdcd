--[[
Pre-action guard: the whole decision in one atomic call (one round trip, one Cluster slot): the
workspace's API limit, then every rule of SPEC 4 and 4b at once (cooldowns, windows, bursts, gaps,
the in-flight lease, working hours), then the record in every window or in none.

KEYS[1]            identity cooldown mirror
KEYS[2]            the identity's in-flight lease (string "<ends_at ms>:<action_id>"; PX only collects it: its end is read on the script's clock)
KEYS[1 + 2i]       window (sorted set) of limit i      member = action member (+ "#k" for the k-th unit of a cost > 1), score = ms
KEYS[2 + 2i]       cooldown mirror of limit i
KEYS[2n + 3]       the workspace's /v1/actions API-limit bucket, KEYS[2n + 4] its daily counter (api-limit.include.lua)
KEYS[2n + 5]       the identity's marker: present while Redis holds the identity's whole state (SPEC §9b)
KEYS[2n + 6]       the identity's invitation hash (invitation-guard.include.lua), read only for invitation actions

ARGV[1]  now in ms, or "" to read Redis TIME (one clock for every instance)
ARGV[2]  action member (compact action id; "" for a read that names no action: no idempotency check)
ARGV[3]  action_id as the caller gave it (what the lease holds)
ARGV[4]  cost (integer >= 1)
ARGV[5]  mode: "check" (record when allowed), "dry" (decide only), "backfill" (record, never refused)
ARGV[6]  occurred_at in ms for a backfill, else ""
ARGV[7]  lease ms: > 0 for a single-flight action of a paced identity (check it, take it on admit), else 0
ARGV[8]  number of limits n
ARGV[9]  number of open intervals m of the working hours, -1 for "any time"
then     2m values: start, end (exclusive) of each interval in ms, ascending
then per limit i: max, window ms, units (cost, or 1 when consumed once per action), gap ms (0: none),
         jitter ms, limit slug (the jitter's seed), number of bursts b, then b pairs (window ms, max)
then     the API limit: per second, per minute, daily (0 = none); cost 1
then     invitation health (SPEC §5b): "1" for an invitation action else "", the target's field in the
         invitation hash ("" without a target), the re-invite delay ms, the pending count that refuses,
         then per limit i the max while the acceptance rate is low (the hash's factor < 1)

Reply: { status, now, available_at, free_at, cooldown_value|false, cooldown_pttl, cooldown_index,
         lease_holder|false, lease_ends_at,
         api_take's 7 values,
         number of blocking rules k, then k × (rule, limit index (0: none), window ms (0: none), until, last_action_at),
         consumed_before_i, consumed_after_i, oldest_i, newest_i, available_at_i for every limit,
         invitation mark of the target ("" | "p" | "a" | "w"), pending invitations before this call
         (-1 when not an invitation action), the factor on the invitation limits in % (100 or 50) }
available_at_i: when limit i's main window has room for one more unit after this call (now when it
has, -2 never; window.include.lua, the one owner of that answer).
status: 0 recorded, 1 duplicate, 2 refused, 3 allowed (dry run), 4 API limit (nothing else checked),
        6 already invited (409: the target is pending or accepted; nothing else checked or recorded)
The reply is { 7, now } alone when the invitation hash of an invitation action was never built
(nothing decided or touched: the service builds it from PostgreSQL and calls again).
The reply is { 5, now } alone when the marker is missing: Redis lost the identity's state (or never had
it), so nothing is decided or touched (not even the API limit) until the service has rebuilt it.
Times are ms; -1 none; -2 never (no time will do); -3 past the calendar's horizon (the caller
finds the opening after free_at in a later calendar).
available_at: the earliest time that passes every rule at once: the latest freeing of every blocking
rule (free_at; each one stays free once free, as nothing but this call records), moved to the first
open interval at or after it. A refused call changes nothing (PITFALLS 3).
]]
local now = script_now(ARGV[1])
local member = ARGV[2]
local action_id = ARGV[3]
local cost = tonumber(ARGV[4])
local mode = ARGV[5]
local ts = now
if ARGV[6] ~= '' then ts = tonumber(ARGV[6]) end
local lease_ms = tonumber(ARGV[7])
local n = tonumber(ARGV[8])
local m = tonumber(ARGV[9])
local a = 10

local intervals = nil
if m >= 0 then
  intervals = {}
  for j = 1, 2 * m do
    intervals[j] = tonumber(ARGV[a])
    a = a + 1
  end
end

local L = {}
for i = 1, n do
  local l = {
    key = KEYS[1 + 2 * i], cd = KEYS[2 + 2 * i],
    max = tonumber(ARGV[a]), win = tonumber(ARGV[a + 1]), units = tonumber(ARGV[a + 2]),
    gap = tonumber(ARGV[a + 3]), jit = tonumber(ARGV[a + 4]), slug = ARGV[a + 5], bursts = {},
  }
  local nb = tonumber(ARGV[a + 6])
  a = a + 7
  for b = 1, nb do
    l.bursts[b] = { win = tonumber(ARGV[a]), max = tonumber(ARGV[a + 1]) }
    a = a + 2
  end
  L[i] = l
end

-- Windows and cooldown mirrors forgotten by Redis would admit what they no longer count: rebuild first.
if redis.call('EXISTS', KEYS[2 * n + 5]) == 0 then return { 5, now } end

-- Invitation health (SPEC §5b): the hash must be there before anything is decided.
local inv_key = KEYS[2 * n + 6]
local is_inv = ARGV[a + 3] == '1'
local inv_field = ARGV[a + 4]
local reinvite_ms = tonumber(ARGV[a + 5])
local pending_refuse = tonumber(ARGV[a + 6])
local inv = { loaded = true, pending = -1, factor = 1, refusing = false }
local inv_mark = ''
if is_inv then
  inv = inv_read(inv_key)
  if not inv.loaded then return { 7, now } end
  -- Halved invitation thresholds while the acceptance rate is low.
  if inv.factor < 1 then
    for i = 1, n do L[i].max = tonumber(ARGV[a + 6 + i]) end
  end
end

-- The workspace's API limit comes first (SPEC §4 order); a request it refuses touches nothing else.
local api = { 1, 0, -1, 0, '', -1, -1 }
local aps, apm, aday = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
if aps > 0 or apm > 0 or aday > 0 then
  api = api_take(KEYS[2 * n + 3], KEYS[2 * n + 4], now, aps, apm, aday, 1)
end

-- Trim every main window first: what has left it no longer counts, and idle members go.
local consumed = {}
for i = 1, n do
  redis.call('ZREMRANGEBYSCORE', L[i].key, '-inf', now - L[i].win)
  consumed[i] = redis.call('ZCARD', L[i].key)
end

local blocked = {}
local free, never = now, false
local cd_value, cd_pttl, cd_index, cd_until = false, -1, -1, -1
local holder, lease_ends = false, -1

local function state(status, available)
  local out = { status, now, available, never and -2 or free, cd_value, cd_pttl, cd_index, holder, lease_ends }
  for k = 1, 7 do out[#out + 1] = api[k] end
  out[#out + 1] = #blocked
  for k = 1, #blocked do
    for f = 1, 5 do out[#out + 1] = blocked[k][f] end
  end
  for i = 1, n do
    local key = L[i].key
    local after = redis.call('ZCARD', key)
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    out[#out + 1] = consumed[i]
    out[#out + 1] = after
    out[#out + 1] = oldest[2] and tonumber(oldest[2]) or -1
    out[#out + 1] = newest[2] and tonumber(newest[2]) or -1
    out[#out + 1] = window_available_at(key, now, L[i].win, L[i].max, 1, after)
  end
  out[#out + 1] = inv_mark
  out[#out + 1] = inv.pending
  out[#out + 1] = math.floor(inv.factor * 100 + 0.5)
  return out
end

if api[1] == 0 then return state(4, -1) end

-- Idempotency: the action's member is already in its windows (any limit that still holds it).
if member ~= '' then
  for i = 1, n do
    if redis.call('ZSCORE', L[i].key, member) then return state(1, -1) end
  end
end

local function block(rule, index, win, untl, last)
  blocked[#blocked + 1] = { rule, index, win, untl, last }
  if untl == -2 then never = true elseif untl > free then free = untl end
end

-- A person already invited is a 409 before anything else: no waiting changes it.
local reinvite_at = -1
if is_inv and mode ~= 'backfill' then
  local tb = inv_target_block(inv_key, inv_field, now, reinvite_ms)
  if tb then
    inv_mark = tb[1]
    if tb[1] ~= 'w' then return state(6, -1) end
    reinvite_at = tb[2]
  end
end

if mode ~= 'backfill' then
  -- Invitation health: the pending cap and a low acceptance rate free only by reports (never by time);
  -- a person withdrawn too recently may be invited again at reinvite_at.
  if is_inv and inv.pending >= pending_refuse then block('pending_invitations', 1, 0, -2, -1) end
  if is_inv and inv.refusing then block('acceptance_rate', 1, 0, -2, -1) end
  if reinvite_at >= 0 then block('reinvite', 0, 0, reinvite_at, -1) end

  -- Cooldowns: the whole identity and each limit; the one that ends last is reported.
  local function cooldown(key, index)
    local v = redis.call('GET', key)
    if not v then return end
    local pt = redis.call('PTTL', key)
    local untl = cooldown_ends(v, now, pt)
    if untl ~= -2 and untl <= now then return end
    block('cooldown', index, 0, untl, -1)
    if cd_index == -1 or untl == -2 or (cd_until ~= -2 and untl > cd_until) then
      cd_value, cd_pttl, cd_index, cd_until = v, pt, index, untl
    end
  end
  cooldown(KEYS[1], 0)
  for i = 1, n do cooldown(L[i].cd, i) end

  for i = 1, n do
    local l = L[i]
    local f = window_available_at(l.key, now, l.win, l.max, l.units, consumed[i])
    if f ~= now then block('window', i, l.win, f, -1) end
    for b = 1, #l.bursts do
      local bw, bmax = l.bursts[b].win, l.bursts[b].max
      -- A burst window lies inside the main one: when the whole main window leaves room, so does it.
      if consumed[i] + l.units > bmax then
        local bf = window_available_at(l.key, now, bw, bmax, l.units, redis.call('ZCOUNT', l.key, '(' .. (now - bw), '+inf'))
        if bf ~= now then block('burst', i, bw, bf, -1) end
      end
    end
    if l.gap > 0 then
      local gf, last = gap_free_at(l.key, now, l.gap, l.jit, l.slug)
      if gf > now then block('gap', i, 0, gf, last) end
    end
  end

  if lease_ms > 0 then
    local h, ends = lease_of(KEYS[2], now)
    if h and h ~= action_id then
      holder, lease_ends = h, ends
      block('in_flight', 0, 0, lease_ends, -1)
    end
  end

  local opens = open_at_or_after(intervals, now)
  if opens ~= now then block('working_hours', 0, 0, opens, -1) end

  if #blocked > 0 then
    local available = -2
    if not never then available = open_at_or_after(intervals, free) end
    return state(2, available)
  end
  if mode == 'dry' then return state(3, now) end
end

-- Record in every window, or (above) in none.
for i = 1, n do
  local l = L[i]
  if ts > now - l.win then
    for k = 1, l.units do
      if k == 1 then
        redis.call('ZADD', l.key, ts, member)
      else
        redis.call('ZADD', l.key, ts, member .. '#' .. k)
      end
    end
    -- Idle keys expire once their newest entry has left the window: dormant identities cost nothing.
    local ttl = redis.call('PTTL', l.key)
    local want = ts + l.win - now + 1000
    if ttl < want then redis.call('PEXPIRE', l.key, want) end
  end
end
if mode == 'check' and lease_ms > 0 then redis.call('SET', KEYS[2], (now + lease_ms) .. ':' .. action_id, 'PX', lease_ms) end
if is_inv then inv_record(inv_key, inv_field, now) end
return state(0, now)
