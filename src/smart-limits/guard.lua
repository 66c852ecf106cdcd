--[[
Pre-action guard: the whole decision in one atomic call (one round trip, one Cluster slot): the
workspace's API limit, then every rule of SPEC 4 and 4b at once (cooldowns, windows, bursts, gaps,
the in-flight lease, working hours), then the record in every window or in none. In schedule mode
("when": "earliest") the action is recorded at the earliest time >= max(now, not_before) that
passes every rule, found and recorded in this same call (concurrent planners never double-book).

KEYS[1]            identity cooldown mirror
KEYS[2]            the identity's in-flight lease (string "<ends_at ms>:<action_id>"; PX only collects it: its end is read on the script's clock)
KEYS[1 + 2i]       window of limit i (window.include.lua: chunks of sorted sets, member = action digest (":<cost>" when > 1), score = ms)
KEYS[2 + 2i]       cooldown mirror of limit i
KEYS[2n + 3]       the workspace's /v1/actions API-limit bucket, KEYS[2n + 4] its daily counter (api-limit.include.lua)
KEYS[2n + 5]       the identity's marker: present while Redis holds the identity's whole state (SPEC §9b)
KEYS[2n + 6]       the identity's schedule (sorted set: member = "<action slug> <action_id>", score = scheduled_at)
KEYS[2n + 7]       the identity's invitation hash (invitation-guard.include.lua), read only for invitation actions

ARGV[1]  now in ms, or "" to read Redis TIME (one clock for every instance)
ARGV[2]  action digest (decimal, < 2^53: action-member.ts; "" for a read that names no action: no idempotency check)
ARGV[3]  action_id as the caller gave it (what the lease holds)
ARGV[4]  mode: "check" (record when allowed), "dry" (decide only), "backfill" (record, never refused)
ARGV[5]  schedule entry ("<action slug> <action_id>") for schedule mode, else ""
ARGV[6]  the invitation target's field in the invitation hash ("" without a target)
ARGV[7]  every number of the call as little-endian doubles (guard.script.ts packs them: one
         struct.unpack instead of a tonumber per argument), in this order:
           cost (integer >= 1); occurred_at ms of a backfill, else -1; lease ms (> 0 for a
           single-flight action of a paced identity: check it, take it on admit; else 0);
           number of limits n; 1 for schedule mode ("when": "earliest") else 0; not_before ms (the
           search starts at max(now, not_before)), else -1; not_after ms (no later time is taken),
           else +inf; how long a schedule entry is kept after its time (ms);
           number of open intervals m of the working hours (-1: any time), then 2m values: start,
           end (exclusive) of each interval in ms, ascending;
           per limit i: max, window ms, units (cost, or 1 when consumed once per action), gap ms
           (0: none), jitter ms, the max while the acceptance rate is low (SPEC §5b), number of
           bursts b, then b pairs (window ms, max);
           the API limit: per second, per minute, daily (0 = none; cost 1);
           invitation health: 1 for an invitation action else 0, the re-invite delay ms, the pending
           count that refuses
ARGV[7 + i] the slug of limit i (the jitter's seed)

Reply: { status, now, available_at, free_at, cooldown_value|false, cooldown_pttl, cooldown_index,
         lease_holder|false, lease_ends_at, at,
         api_take's 7 values,
         number of blocking rules k, then k × (rule, limit index (0: none), window ms (0: none), until, last_action_at),
         consumed_before_i, consumed_after_i, oldest_i, newest_i, available_at_i, scheduled_i for every limit,
         invitation mark of the target ("" | "p" | "a" | "w"), pending invitations before this call
         (-1 when not an invitation action), the factor on the invitation limits in % (100 or 50) }
at: the time the action is recorded at (recorded, duplicate: its recorded time; a dry run in
schedule mode: the time it would take), else -1.
consumed_*: the units in the window at now (scores in (now - window, now]); scheduled_i: the units
recorded ahead of now. available_at_i: when limit i's main window has room for one more unit at
every instant it would count (now when it has, -2 never; window.include.lua, the one owner).
status: 0 recorded, 1 duplicate, 2 refused, 3 allowed (dry run), 4 API limit (nothing else checked),
        6 already invited (409: the target is pending or accepted; nothing else checked or recorded)
The reply is { 7, now } alone when the invitation hash of an invitation action was never built
(nothing decided or touched: the service builds it from PostgreSQL and calls again).
The reply is { 5, now } alone when the marker is missing: Redis lost the identity's state (or never had
it), so nothing is decided or touched (not even the API limit) until the service has rebuilt it.
Times are ms; -1 none; -2 never (no time will do); -3 past the calendar's horizon (the caller
finds the opening after free_at in a later calendar).
available_at: the earliest time >= the asked time (now, or max(now, not_before)) that passes every
rule at once (pacing.include.lua's earliest). Refused: nothing changes (PITFALLS 3); the blocking
rules are those that refuse at the asked time, each with the time it alone passes.
Invitation health joins the rules: the pending cap and a low acceptance rate never free by time
(-2: no plan either), a person withdrawn too recently is a forbidden interval up to the re-invite
date. A planned invitation counts as pending (and marks its person) from the moment it is planned,
so the cap holds at the time it is sent; a release gives both back (InvitationsService.released).
]]
local now = script_now(ARGV[1])
local member = ARGV[2]
local action_id = ARGV[3]
local mode = ARGV[4]
local sched_entry = ARGV[5]
local inv_field = ARGV[6]
local V = { struct.unpack('<' .. string.rep('d', #ARGV[7] / 8), ARGV[7]) }
local cost = V[1]
local ts = now
if V[2] >= 0 then ts = V[2] end
local lease_ms = V[3]
local n = V[4]
local schedule = V[5] == 1
local not_before = V[6]
local not_after = V[7]
local sched_keep = V[8]
local m = V[9]
local a = 10
local sched_key = KEYS[2 * n + 6]

local intervals = nil
if m >= 0 then
  intervals = {}
  for j = 1, 2 * m do intervals[j] = V[a + j - 1] end
  a = a + 2 * m
end

local L = {}
for i = 1, n do
  local l = {
    key = KEYS[1 + 2 * i], cd = KEYS[2 + 2 * i],
    max = V[a], win = V[a + 1], units = V[a + 2], gap = V[a + 3], jit = V[a + 4], low_max = V[a + 5],
    slug = ARGV[7 + i], bursts = {},
  }
  local nb = V[a + 6]
  a = a + 7
  for b = 1, nb do
    l.bursts[b] = { win = V[a], max = V[a + 1] }
    a = a + 2
  end
  L[i] = l
end

-- The marker, every cooldown mirror and the lease of a single-flight action in one read.
local mk = { KEYS[2 * n + 5], KEYS[1] }
for i = 1, n do mk[i + 2] = L[i].cd end
if lease_ms > 0 then mk[n + 3] = KEYS[2] end
local mv = redis.call('MGET', unpack(mk))
-- Windows and cooldown mirrors forgotten by Redis would admit what they no longer count: rebuild first.
if not mv[1] then return { 5, now } end

-- Every window's state in one read (window.include.lua).
local head = nil
if n > 0 then
  head = w_head_of(L[1].key)
  local fields = {}
  for i = 1, n do
    local _, f = w_head_of(L[i].key)
    fields[i] = f
  end
  local st = redis.call('HMGET', head, unpack(fields))
  for i = 1, n do
    L[i].w = w_open(L[i].key, st[i], L[i].win)
    L[i].field = fields[i]
  end
end

-- Invitation health (SPEC §5b): the hash must be there before anything is decided.
local inv_key = KEYS[2 * n + 7]
local is_inv = V[a + 3] == 1
local reinvite_ms = V[a + 4]
local pending_refuse = V[a + 5]
local inv = { loaded = true, pending = -1, factor = 1, refusing = false }
local inv_mark = ''
if is_inv then
  inv = inv_read(inv_key, inv_field)
  if not inv.loaded then return { 7, now } end
  -- Halved invitation thresholds while the acceptance rate is low.
  if inv.factor < 1 then
    for i = 1, n do L[i].max = L[i].low_max end
  end
end

-- The workspace's API limit comes first (SPEC §4 order); a request it refuses touches nothing else.
local api = { 1, 0, -1, 0, '', -1, -1 }
local aps, apm, aday = V[a], V[a + 1], V[a + 2]
if aps > 0 or apm > 0 or aday > 0 then
  api = api_take(KEYS[2 * n + 3], KEYS[2 * n + 4], now, aps, apm, aday, 1)
end

-- What has left a window no longer counts: trimmed (not by a dry run, which changes nothing).
local function count_now(i)
  return w_count(L[i].w, now - L[i].win, now)
end
local consumed = {}
for i = 1, n do
  if mode ~= 'dry' then w_trim(L[i].w, now - L[i].win) end
  consumed[i] = count_now(i)
end

-- Every window's state back into the identity's window-state hash, in one write (only what changed).
local function save()
  local set, del = {}, {}
  for i = 1, n do
    local p = w_save(L[i].w, now)
    if p == '' then
      del[#del + 1] = L[i].field
    elseif p then
      set[#set + 1] = L[i].field
      set[#set + 1] = p
    end
  end
  if #set > 0 then redis.call('HSET', head, unpack(set)) end
  if #del > 0 then redis.call('HDEL', head, unpack(del)) end
end

local blocked = {}
local free, never = now, false
local cd_value, cd_pttl, cd_index, cd_until = false, -1, -1, -1
local holder, lease_ends = false, -1
local at = -1

local function state(status, available)
  local out = { status, now, available, never and -2 or free, cd_value, cd_pttl, cd_index, holder, lease_ends, at }
  for k = 1, 7 do out[#out + 1] = api[k] end
  out[#out + 1] = #blocked
  for k = 1, #blocked do
    for f = 1, 5 do out[#out + 1] = blocked[k][f] end
  end
  save()
  for i = 1, n do
    local w = L[i].w
    local after = count_now(i)
    out[#out + 1] = consumed[i]
    out[#out + 1] = after
    out[#out + 1] = w_oldest_in(w, now - L[i].win, now)
    out[#out + 1] = w_newest_in(w, now - L[i].win, now)
    out[#out + 1] = window_available_at(w, now, L[i].max, 1, after)
    out[#out + 1] = w_above(w, now)
  end
  out[#out + 1] = inv_mark
  out[#out + 1] = inv.pending
  out[#out + 1] = math.floor(inv.factor * 100 + 0.5)
  return out
end

if api[1] == 0 then return state(4, -1) end

-- Idempotency: the action's member is already in its windows (any limit that still holds it), at
-- the time it was recorded (a scheduled action: its scheduled_at).
if member ~= '' then
  for i = 1, n do
    if w_has(L[i].w, member) then
      local _, s = W().find(L[i].w, member)
      at = s or -1
      return state(1, -1)
    end
  end
end

local function record(t)
  at = t
  for i = 1, n do
    local l = L[i]
    -- One member whatever the cost; its keys expire once the newest entry has left the window
    -- (window.include.lua), so dormant identities cost nothing.
    if t > now - l.win then w_add(l.w, member, t, l.units) end
  end
end

if mode == 'backfill' then
  record(ts)
  if is_inv then inv_record(inv_key, inv, inv_field, now) end
  return state(0, now)
end

local function block(rule, index, win, untl, last)
  blocked[#blocked + 1] = { rule, index, win, untl, last or -1 }
  if untl == -2 then never = true elseif untl > free then free = untl end
end

-- A person already invited is a 409 before anything else: no waiting changes it.
local reinvite_at = -1
if is_inv then
  local tb = inv_target_block(inv, now, reinvite_ms)
  if tb then
    inv_mark = tb[1]
    if tb[1] ~= 'w' then return state(6, -1) end
    reinvite_at = tb[2]
  end
end
-- Invitation health: the pending cap and a low acceptance rate free only by reports (never by time).
local inv_never = is_inv and (inv.pending >= pending_refuse or inv.refusing)

-- The asked time: now, or in schedule mode max(now, not_before).
local from = now
if schedule and not_before > now then from = not_before end

local cooldown_rules = {}
local function cooldown(v, key, index)
  if not v then return end
  local pt = redis.call('PTTL', key)
  local untl = cooldown_ends(v, now, pt)
  if untl ~= -2 and untl <= from then return end
  cooldown_rules[#cooldown_rules + 1] = { index, untl }
  if cd_index == -1 or untl == -2 or (cd_until ~= -2 and untl > cd_until) then
    cd_value, cd_pttl, cd_index, cd_until = v, pt, index, untl
  end
end
cooldown(mv[2], KEYS[1], 0)
for i = 1, n do cooldown(mv[i + 2], L[i].cd, i) end

if lease_ms > 0 then
  local h, ends = lease_of(mv[n + 3], now)
  if h and h ~= action_id then holder, lease_ends = h, ends end
end

-- The cheap test at the asked time (the common case of an immediate guard): windows and bursts by
-- counts (their entries are read only when actions are recorded ahead), gaps by their neighbours.
local function fits_at(t)
  if inv_never or reinvite_at > t then return false end
  if #cooldown_rules > 0 or (holder and lease_ends > t) then return false end
  for i = 1, n do
    local l = L[i]
    local c = w_count(l.w, t - l.win, t)
    local ahead = w_count(l.w, t, t + l.win - 1)
    if not window_fits_at(l.w, t, l.win, l.max, l.units, c, ahead) then return false end
    for b = 1, #l.bursts do
      local bw, bmax = l.bursts[b].win, l.bursts[b].max
      -- A burst window lies inside the main one: when all the main window sees around t would fit, so does it.
      if c + ahead + l.units > bmax then
        local bc = w_count(l.w, t - bw, t)
        if not window_fits_at(l.w, t, bw, bmax, l.units, bc) then return false end
      end
    end
    if l.gap > 0 and not gap_fits_at(l.w, t, l.gap, l.jit, l.slug, member) then return false end
  end
  return open_at_or_after(intervals, t) == t
end

local function insert(t)
  record(t)
  if schedule then
    redis.call('ZADD', sched_key, t, sched_entry)
    redis.call('ZREMRANGEBYSCORE', sched_key, '-inf', now - sched_keep)
    local want = t + sched_keep - now
    if redis.call('PTTL', sched_key) < want then redis.call('PEXPIRE', sched_key, want) end
  end
  if is_inv then inv_record(inv_key, inv, inv_field, now) end
  if not schedule and mode == 'check' and lease_ms > 0 then
    redis.call('SET', KEYS[2], (now + lease_ms) .. ':' .. action_id, 'PX', lease_ms)
  end
  return state(0, now)
end

if fits_at(from) then
  if mode == 'dry' then
    at = from
    return state(3, from)
  end
  return insert(from)
end

local PL = P()
local rule, gap_rule = PL.rule, PL.gap_rule
-- Every rule, with the time it alone passes from `from` (and the intervals the search needs).
local rules = {}
local function add_rule(r, rule_name, index, win)
  -- The time this rule alone passes (a lazy gap rule's jumps are chained until it settles).
  local untl, last = PL.rule_next(r, from)
  while untl > from and untl ~= math.huge do
    local u2, l2 = PL.rule_next(r, untl)
    if u2 == untl then break end
    untl, last = u2, l2 or last
  end
  r.p = 1
  rules[#rules + 1] = r
  if untl > from then block(rule_name, index, win, untl == math.huge and -3 or untl, last) end
end

-- Not at the asked time: build every rule's intervals (invitation health, cooldowns, then per limit
-- its window, bursts and gap, then the lease, then the working hours: the order blocked_by lists them).
if is_inv and inv.pending >= pending_refuse then block('pending_invitations', 1, 0, -2, -1) end
if is_inv and inv.refusing then block('acceptance_rate', 1, 0, -2, -1) end
if reinvite_at > from then add_rule(rule({ { -math.huge, reinvite_at } }), 'reinvite', 0, 0) end
for _, c in ipairs(cooldown_rules) do
  if c[2] == -2 then block('cooldown', c[1], 0, -2, -1) else add_rule(rule({ { -math.huge, c[2] } }), 'cooldown', c[1], 0) end
end
for i = 1, n do
  local l = L[i]
  local reach = l.win
  for b = 1, #l.bursts do
    if l.bursts[b].win > reach then reach = l.bursts[b].win end
  end
  if l.gap + l.jit > reach then reach = l.gap + l.jit end
  local es = w_entries(l.w, from - reach, math.huge)
  local scores = W().unit_scores(es)
  -- A window that could hold every unit it sees plus this action forbids nothing (no sweep).
  local function window_rule(win, max)
    if #scores + l.units <= max then return rule({}) end
    return rule(W().forbidden(scores, from, win, max - l.units, {}))
  end
  if l.units > l.max then
    block('window', i, l.win, -2, -1)
  else
    add_rule(window_rule(l.win, l.max), 'window', i, l.win)
  end
  for b = 1, #l.bursts do
    local bw, bmax = l.bursts[b].win, l.bursts[b].max
    if l.units > bmax then
      block('burst', i, bw, -2, -1)
    else
      add_rule(window_rule(bw, bmax), 'burst', i, bw)
    end
  end
  if l.gap > 0 then add_rule(gap_rule(es, l.gap, l.jit, l.slug, own_jitter(member, l.slug, l.jit)), 'gap', i, 0) end
end
if holder then add_rule(rule({ { -math.huge, lease_ends } }), 'in_flight', 0, 0) end
if intervals then add_rule(rule(PL.hours_forbidden(intervals)), 'working_hours', 0, 0) end

local available, reached = -2, from
if not never then available, reached = PL.earliest(rules, from) end
if available == -3 and reached > free then free = reached end

if schedule and available >= 0 and available <= not_after then
  -- Planned: what refused at the asked time is no refusal.
  blocked, free = {}, now
  cd_value, cd_pttl, cd_index, holder, lease_ends = false, -1, -1, false, -1
  if mode == 'dry' then
    at = available
    return state(3, available)
  end
  return insert(available)
end
return state(2, available)
