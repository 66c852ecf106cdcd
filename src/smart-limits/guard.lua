--[[
Pre-action guard: the whole decision in one atomic call (one round trip, one Cluster slot).

KEYS[1]            identity cooldown mirror
KEYS[2 + 2(i-1)]   window (sorted set) of limit i      member = action member (+ "#k" for the k-th unit of a cost > 1), score = ms
KEYS[3 + 2(i-1)]   cooldown mirror of limit i
KEYS[2n + 2]       the workspace's /v1/actions API-limit bucket, KEYS[2n + 3] its daily counter (api-limit.include.lua)
KEYS[2n + 4]       the identity's marker: present while Redis holds the identity's whole state (SPEC §9b)
KEYS[2n + 5]       the identity's invitation hash (invitation-guard.include.lua), read only for invitation actions

ARGV[1]  now in ms, or "" to read Redis TIME (one clock for every instance)
ARGV[2]  action member (compact action id)
ARGV[3]  cost (integer >= 1)
ARGV[4]  mode: "check" (record when allowed), "dry" (dry run), "backfill" (record, never refused by a limit)
ARGV[5]  occurred_at in ms for a backfill, else ""
ARGV[6]  number of limits n
ARGV[7 + 2(i-1)]  max of limit i
ARGV[8 + 2(i-1)]  window of limit i in ms
ARGV[7 + 2n], ARGV[8 + 2n], ARGV[9 + 2n]  the API limit: per second, per minute, daily (0 = none); cost 1
ARGV[10 + 2n]  "1" for an invitation action (SPEC §5b), else ""
ARGV[11 + 2n]  the target's field in the invitation hash, or "" without a target
ARGV[12 + 2n]  how long after a withdrawal the person may be invited again, ms
ARGV[13 + 2n]  pending invitations from which invitations are refused
ARGV[14 + 2n + (i-1)]  max of limit i while the acceptance rate is low (the hash's factor < 1)

Reply: { status, now, refused_index, available_at, cooldown_value, cooldown_pttl,
         api_take's 7 values (api_ok, retry_after_ms, minute_remaining, minute_reset_ms, refused_by, daily_remaining, second_remaining),
         consumed_before_1, consumed_after_1, oldest_1, newest_1, available_at_1, ..., for every limit,
         invitation: rule ("" | "pending_invitations" | "acceptance_rate"), mark ("" | "p" | "a" | "w"),
         pending (before this call; -1 when not an invitation), factor in % (100 or 50) }
available_at (status 2 and 8 only, else nil): when the refused limit has room for the cost (window_available_at:
  a time in ms, or -2 never). available_at_i: when limit i has room for one more unit after this call
  (now when it has room, -2 never). oldest_i / newest_i: -1 when the window is empty.
status: 0 recorded, 1 duplicate, 2 limit reached, 3 cooldown, 4 allowed (dry run), 5 API limit (nothing else checked),
        7 already invited (409), 8 re-invite too soon (available_at: when it may be sent and every window has room),
        9 the invitation hash was never built (nothing recorded: build it from PostgreSQL and call again)
The reply is { 6, now } alone when the marker is missing: Redis lost the identity's state (or never had
it), so nothing is decided or touched (not even the API limit) until the service has rebuilt it.
Records only what is admitted (PITFALLS 3): a refused call changes nothing.
]]
local now = script_now(ARGV[1])
local member = ARGV[2]
local cost = tonumber(ARGV[3])
local mode = ARGV[4]
local ts = now
if ARGV[5] ~= '' then ts = tonumber(ARGV[5]) end
local n = tonumber(ARGV[6])
local inv_key = KEYS[2 * n + 5]
local is_inv = ARGV[10 + 2 * n] == '1'
local inv_field = ARGV[11 + 2 * n]
local reinvite_ms = tonumber(ARGV[12 + 2 * n])
local pending_refuse = tonumber(ARGV[13 + 2 * n])
local inv = { loaded = true, pending = -1, factor = 1, refusing = false }
local inv_rule, inv_mark = '', ''

-- Windows and cooldown mirrors forgotten by Redis would admit what they no longer count: rebuild first.
if redis.call('EXISTS', KEYS[2 * n + 4]) == 0 then return { 6, now } end

-- The workspace's API limit comes first (SPEC §4 order); a request it refuses touches nothing else.
local api = { 1, 0, -1, 0, '', -1, -1 }
local aps, apm, aday = tonumber(ARGV[7 + 2 * n]), tonumber(ARGV[8 + 2 * n]), tonumber(ARGV[9 + 2 * n])
if aps > 0 or apm > 0 or aday > 0 then
  api = api_take(KEYS[2 * n + 2], KEYS[2 * n + 3], now, aps, apm, aday, 1)
end

local function unit(k)
  if k == 1 then return member end
  return member .. '#' .. k
end

-- Trim every window first: what has left the window no longer counts, and idle members go.
local consumed = {}
for i = 1, n do
  local key = KEYS[2 * i]
  local win = tonumber(ARGV[8 + 2 * (i - 1)])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - win)
  consumed[i] = redis.call('ZCARD', key)
end

-- The threshold in force: halved invitation limits while the acceptance rate is low.
local function max_of(i)
  if inv.factor < 1 then return tonumber(ARGV[13 + 2 * n + i]) end
  return tonumber(ARGV[7 + 2 * (i - 1)])
end

local function state(status, refused, available_at, cd_value, cd_pttl)
  local out = { status, now, refused, available_at, cd_value, cd_pttl }
  for k = 1, 7 do out[#out + 1] = api[k] end
  for i = 1, n do
    local key = KEYS[2 * i]
    local max = max_of(i)
    local win = tonumber(ARGV[8 + 2 * (i - 1)])
    local after = redis.call('ZCARD', key)
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    out[#out + 1] = consumed[i]
    out[#out + 1] = after
    out[#out + 1] = oldest[2] and tonumber(oldest[2]) or -1
    out[#out + 1] = newest[2] and tonumber(newest[2]) or -1
    out[#out + 1] = window_available_at(key, now, win, max, 1, after)
  end
  out[#out + 1] = inv_rule
  out[#out + 1] = inv_mark
  out[#out + 1] = inv.pending
  out[#out + 1] = math.floor(inv.factor * 100 + 0.5)
  return out
end

if api[1] == 0 then return state(5, 0, false, false, -1) end

-- Idempotency: the action's member is already in its windows (any limit that still holds it).
for i = 1, n do
  if redis.call('ZSCORE', KEYS[2 * i], member) then
    return state(1, 0, false, false, -1)
  end
end

-- Invitation health: the guard's state must be there (else build it first); a person already
-- invited is a 409 before anything else, since no waiting changes it.
local reinvite_at = -1
if is_inv then
  inv = inv_read(inv_key)
  if not inv.loaded then
    inv.pending = -1
    return state(9, 0, false, false, -1)
  end
  if mode ~= 'backfill' then
    local block = inv_target_block(inv_key, inv_field, now, reinvite_ms)
    if block then
      inv_mark = block[1]
      if block[1] ~= 'w' then return state(7, 0, false, false, -1) end
      reinvite_at = block[2]
    end
  end
end

if mode ~= 'backfill' then
  -- Pending cap and acceptance rate: no time frees them (available_at -2), only reports do.
  if is_inv and inv.pending >= pending_refuse then
    inv_rule = 'pending_invitations'
    return state(2, 1, -2, false, -1)
  end
  if is_inv and inv.refusing then
    inv_rule = 'acceptance_rate'
    return state(2, 1, -2, false, -1)
  end

  -- Cooldowns: the whole identity, then each limit the action consumes.
  local cd = redis.call('GET', KEYS[1])
  if cd then return state(3, 0, false, cd, redis.call('PTTL', KEYS[1])) end
  for i = 1, n do
    cd = redis.call('GET', KEYS[2 * i + 1])
    if cd then return state(3, i, false, cd, redis.call('PTTL', KEYS[2 * i + 1])) end
  end

  -- Every limit must have room for the whole cost; report the one that frees last (-2, never, is last of all).
  local refused, latest = 0, 0
  for i = 1, n do
    local max = max_of(i)
    local win = tonumber(ARGV[8 + 2 * (i - 1)])
    if consumed[i] + cost > max then
      local at = window_available_at(KEYS[2 * i], now, win, max, cost, consumed[i])
      if refused == 0 or at == -2 or (latest ~= -2 and at > latest) then
        refused, latest = i, at
      end
    end
  end
  if reinvite_at >= 0 then
    -- Withdrawn too recently: available when the 21 days are over and every window has room.
    local at = reinvite_at
    if refused > 0 then at = (latest == -2) and -2 or math.max(at, latest) end
    return state(8, refused, at, false, -1)
  end
  if refused > 0 then return state(2, refused, latest, false, -1) end
  if mode == 'dry' then return state(4, 0, false, false, -1) end
end

-- Record in every window, or (above) in none.
for i = 1, n do
  local key = KEYS[2 * i]
  local win = tonumber(ARGV[8 + 2 * (i - 1)])
  if ts > now - win then
    for k = 1, cost do
      redis.call('ZADD', key, ts, unit(k))
    end
    -- Idle keys expire once their newest entry has left the window: dormant identities cost nothing.
    local ttl = redis.call('PTTL', key)
    local want = ts + win - now + 1000
    if ttl < want then redis.call('PEXPIRE', key, want) end
  end
end
if is_inv then inv_record(inv_key, inv_field, now) end
return state(0, 0, false, false, -1)
