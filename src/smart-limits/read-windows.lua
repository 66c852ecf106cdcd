--[[
Read-only view of windows (limit reads, health, auto-mode headroom): counts what is inside each
window at `now` (scores in (now - window, now]) without trimming, what is planned ahead of now
(schedule mode), plus the entries needed to say when room frees.
KEYS[1] identity cooldown; KEYS[2i] window i (window.include.lua; every window's state is read from the
identity's marker hash in one HMGET); KEYS[2i+1] cooldown of limit i; KEYS[2n+2] the identity's invitation hash.
ARGV[1] now ms or ""; ARGV[2] n; ARGV[3 + 2(i-1)] window ms of limit i; ARGV[4 + 2(i-1)] max of limit i.
ARGV[3 + 2n] optional action digest (action-member.ts): the reply ends with 1 when any window holds it (auto mode's idempotency).
ARGV[4 + 2n] optional cost (default 1): available_at is when room for this many units frees.
ARGV[5 + 2n + (i-1)] max of limit i while the acceptance rate is low (the hash's factor < 1: SPEC §5b); default max.
Reply: { now, identity_cooldown_value|false, identity_cooldown_pttl,
         per limit: consumed, oldest_in_window, newest (-1: none), available_at (room for `cost` more at every instant
                    it would count: now, a later ms, or -2 never; window.include.lua), limit_cooldown|false, pttl,
                    scheduled (units ahead of now),
         holds_member,
         the invitation hash: factor in % (100 or 50), loaded, pending, factor, refusing, rate, sample, accepted, state (strings or false) }
]]
local now = script_now(ARGV[1])
local n = tonumber(ARGV[2])
local cost = tonumber(ARGV[4 + 2 * n] or '') or 1
local inv = { false, false, false, false, false, false, false, false }
if KEYS[2 * n + 2] then
  inv = redis.call('HMGET', KEYS[2 * n + 2], 'loaded', 'pending', 'factor', 'refusing', 'rate', 'sample', 'accepted', 'state')
end
local low = (tonumber(inv[3] or '1') or 1) < 1
local W_ = {}
if n > 0 then
  local head = w_head_of(KEYS[2])
  local fields = {}
  for i = 1, n do
    local _, f = w_head_of(KEYS[2 * i])
    fields[i] = f
  end
  local st = redis.call('HMGET', head, unpack(fields))
  for i = 1, n do W_[i] = w_open(KEYS[2 * i], st[i], tonumber(ARGV[3 + 2 * (i - 1)])) end
end
local cd = redis.call('GET', KEYS[1])
local out = { now, cd or false, cd and redis.call('PTTL', KEYS[1]) or -1 }
for i = 1, n do
  local w = W_[i]
  local win = w.win
  local max = tonumber(ARGV[4 + 2 * (i - 1)])
  if low and ARGV[4 + 2 * n + i] then max = tonumber(ARGV[4 + 2 * n + i]) end
  local count = w_count(w, now - win, now)
  local lcd = redis.call('GET', KEYS[2 * i + 1])
  out[#out + 1] = count
  out[#out + 1] = W().oldest_in(w, now - win, now)
  out[#out + 1] = w_newest_in(w, now - win, now)
  out[#out + 1] = window_available_at(w, now, max, cost, count)
  out[#out + 1] = lcd or false
  out[#out + 1] = lcd and redis.call('PTTL', KEYS[2 * i + 1]) or -1
  out[#out + 1] = w_above(w, now)
end
local member = ARGV[3 + 2 * n]
local holds = 0
if member and member ~= '' then
  for i = 1, n do
    if w_has(W_[i], member) then holds = 1 end
  end
end
out[#out + 1] = holds
out[#out + 1] = low and 50 or 100
for k = 1, 8 do out[#out + 1] = inv[k] or false end
return out
