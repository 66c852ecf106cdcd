--[[
The windows of an identity's limits (issue 18: compact at every fill, O(1) per action), and the one
owner of "when does a sliding window have room" (window_available_at), for guard.lua,
read-windows.lua, usage.lua, activity.lua, release.lua and restore-windows.lua.

Still Redis sorted sets, every action one member scored by its time in integer ms; an action of cost
N is ONE member. A limit's window is a time-ordered list of chunks: sorted sets of at most W_SPLIT
members, so each stays in the compact listpack encoding (zset-max-listpack-entries, 128 by default);
a new chunk opens when the last one holds W_CAP members and an entry comes after all the others, a
chunk that must take more is split in two. Chunk k holds the scores in [lo_k, lo_(k+1)] (a score
equal to lo_(k+1) may sit in either), so "the units after x" is the units of the chunks that start
after x (kept in the state) plus one ZCOUNT on the chunk where x falls: a count costs O(1) calls
whatever the fill.

Member: the action's digest (53 bits of sha256(action_id), in decimal: listpack stores it as one
integer), or "<digest>:<cost>" for a cost > 1. Idempotency for the whole window: the digests are
also kept in intsets (dedup shards: digest mod D; an intset holds up to 512 integers at 8 bytes
each, so D doubles when the window passes 384 × D members), one SISMEMBER whatever the fill.

Keys: the limit's window key (RedisKeys.window, "<identity>:w2:<LIMIT>") names them: chunk id →
"<window key>:<generation>:<id>", dedup shard s → "<window key>:<generation>:d<s>". The generation
(Redis TIME in ms, 13 digits, when the window's state was created: a state lost and made again
takes far longer than a millisecond) means keys a lost state left behind are never read
again (they expire). Every derived key carries the window key's hash tag (the workspace's), so the
call stays on one Cluster slot; they are derived in the script because their number changes with
the fill (the state says which exist). The window's state is one binary field (struct.pack) of the
identity's window-state hash ("<identity>:w2": the window key without its last segment; field =
that segment, the limit's slug): the guard reads every limit's state in one HMGET and writes them
back in one HSET. The identity's marker (RedisKeys.marker) carries the layout's version in its name
("m2"): an identity whose windows are in an older layout has no such marker, so its first guard
rebuilds it from the journal (SPEC §9b).
  header  O oldest score (exact), N newest score (exact), T units, H members of cost > 1 (0: every
          member is one unit, so ZCOUNT counts units), E members, D dedup shards, S next chunk id,
          K chunks, X when every key of the window expires (ms, script clock), G the generation
  then K records: chunk id, members, units, lo
Every key of a window expires together, at X (renewed to newest + window + a margin of window/16
when the newest entry passes X - window, so about once per window/16, not on every call).
]]
local W_CAP = 100
local W_SPLIT = 128
local W_DEDUP = 384
local W_HDR = '<ddI4I4I4I4I4I4dc13'
local W_REC = 'I4I4I4d'

-- A window's state from its field of the window-state hash (raw: false when the window holds nothing).
-- Records: r[4j-3] chunk id, r[4j-2] members, r[4j-1] units, r[4j] lo.
local function w_open(base, raw, win)
  if not raw then
    return { base = base, win = win, o = 0, n = 0, t = 0, h = 0, e = 0, d = 1, s = 1, x = 0, r = {} }
  end
  local k = struct.unpack('<I4', raw, 37)
  local f = { struct.unpack(W_HDR .. string.rep(W_REC, k), raw) }
  local r = {}
  for j = 1, 4 * k do r[j] = f[10 + j] end
  return {
    base = base, win = win, o = f[1], n = f[2], t = f[3], h = f[4], e = f[5], d = f[6], s = f[7], x = f[9],
    g = f[10], p = base .. ':' .. f[10], r = r,
  }
end

-- The last record whose chunk starts at or before x (records ascend by lo), else 1: where a read of
-- the entries after x begins.
local function w_chunk_at(r, x)
  for q = #r / 4, 1, -1 do
    if r[4 * q] <= x then return q end
  end
  return 1
end

-- Rarely needed parts (trims that empty chunks, splits, shard doubling, finding and removing an
-- action, the schedule-mode sweep): built on first use, so a plain guard does not pay for defining
-- them (a script's local functions are created again on every call).
local W_S = nil
local function W()
  if W_S then return W_S end
  local S = {}
  function S.cost(member)
    local c = string.find(member, ':', 1, true)
    if c then return tonumber(string.sub(member, c + 1)) end
    return 1
  end
  function S.digest(member)
    local c = string.find(member, ':', 1, true)
    if c then return string.sub(member, 1, c - 1) end
    return member
  end
  function S.dkey(w, s)
    return w.p .. ':d' .. s
  end
  -- Units of a flat list of members (step 1) or member/score pairs (step 2).
  function S.units(list, step)
    local u = 0
    for j = 1, #list, step do u = u + S.cost(list[j]) end
    return u
  end
  function S.heavy(list, step)
    local h = 0
    for j = 1, #list, step do
      if string.find(list[j], ':', 1, true) then h = h + 1 end
    end
    return h
  end
  -- Takes digests out of the dedup shards.
  function S.forget(w, members, step)
    local by = {}
    for j = 1, #members, step do
      local d = S.digest(members[j])
      local s = math.fmod(tonumber(d), w.d)
      local l = by[s]
      if not l then
        l = {}
        by[s] = l
      end
      l[#l + 1] = d
    end
    for s, l in pairs(by) do redis.call('SREM', S.dkey(w, s), unpack(l)) end
  end
  function S.drop_record(w, j)
    for _ = 1, 4 do table.remove(w.r, 4 * j - 3) end
  end
  function S.new_chunk(w, at, lo)
    local id = w.s
    w.s = id + 1
    local r = w.r
    table.insert(r, 4 * at - 3, lo)
    table.insert(r, 4 * at - 3, 0)
    table.insert(r, 4 * at - 3, 0)
    table.insert(r, 4 * at - 3, id)
    w.new_keys = w.new_keys or {}
    w.new_keys[#w.new_keys + 1] = w.p .. ':' .. id
  end
  -- Moves the upper half of chunk j to a new chunk right after it.
  function S.split(w, j)
    local r = w.r
    local key = w.p .. ':' .. r[4 * j - 3]
    local half = math.floor(r[4 * j - 2] / 2)
    local es = redis.call('ZRANGE', key, half, -1, 'WITHSCORES')
    local args = {}
    for e = 1, #es, 2 do
      args[#args + 1] = es[e + 1]
      args[#args + 1] = es[e]
    end
    S.new_chunk(w, j + 1, tonumber(es[2]))
    local q = j + 1
    redis.call('ZADD', w.p .. ':' .. r[4 * q - 3], unpack(args))
    redis.call('ZREMRANGEBYRANK', key, half, -1)
    local moved = #es / 2
    local u = moved
    if w.h > 0 then u = S.units(es, 2) end
    r[4 * j - 2] = r[4 * j - 2] - moved
    r[4 * j - 1] = r[4 * j - 1] - u
    r[4 * q - 2] = moved
    r[4 * q - 1] = u
  end
  -- Doubles the dedup shards (digest mod 2D: each shard s keeps what stays at s, the rest goes to s + D).
  function S.rehash(w)
    local d2 = w.d * 2
    w.new_keys = w.new_keys or {}
    for s = 0, w.d - 1 do
      local ms = redis.call('SMEMBERS', S.dkey(w, s))
      local move = {}
      for _, v in ipairs(ms) do
        if math.fmod(tonumber(v), d2) ~= s then move[#move + 1] = v end
      end
      if #move > 0 then
        redis.call('SREM', S.dkey(w, s), unpack(move))
        redis.call('SADD', S.dkey(w, s + w.d), unpack(move))
        w.new_keys[#w.new_keys + 1] = S.dkey(w, s + w.d)
      end
    end
    w.d = d2
  end
  -- Everything with a score <= c leaves (called when the oldest entry may have left the window).
  function S.trim(w, c)
    local removed = 0
    local r = w.r
    while #r > 0 do
      local key = w.p .. ':' .. r[1]
      if (#r >= 8 and r[8] <= c) or w.n <= c then
        local ms = redis.call('ZRANGE', key, 0, -1)
        if #ms > 0 then S.forget(w, ms, 1) end
        redis.call('DEL', key)
        w.t = w.t - r[3]
        w.e = w.e - r[2]
        if w.h > 0 then w.h = w.h - S.heavy(ms, 1) end
        removed = removed + r[3]
        S.drop_record(w, 1)
      else
        local ms = redis.call('ZRANGEBYSCORE', key, '-inf', c)
        if #ms > 0 then
          S.forget(w, ms, 1)
          redis.call('ZREMRANGEBYRANK', key, 0, #ms - 1)
          local u = #ms
          if w.h > 0 then
            u = S.units(ms, 1)
            w.h = w.h - S.heavy(ms, 1)
          end
          r[2] = r[2] - #ms
          r[3] = r[3] - u
          w.t = w.t - u
          w.e = w.e - #ms
          removed = removed + u
        end
        if r[2] == 0 then
          S.drop_record(w, 1)
        else
          local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
          r[4] = tonumber(first[2])
          w.o = r[4]
          break
        end
      end
    end
    if #r == 0 then
      -- Empty: every digest left through S.forget; the shards go too, and the window starts over.
      for s = 0, w.d - 1 do redis.call('DEL', S.dkey(w, s)) end
      w.o, w.n, w.t, w.h, w.e, w.d = 0, 0, 0, 0, 0, 1
    end
    return removed
  end
  -- The score of the k-th unit (k >= 1) after x, ascending; nil when there are fewer.
  function S.nth_after(w, x, k)
    local r = w.r
    for q = w_chunk_at(r, x), #r / 4 do
      local key = w.p .. ':' .. r[4 * q - 3]
      if w.h == 0 and r[4 * q] > x then
        if k <= r[4 * q - 1] then
          local e = redis.call('ZRANGE', key, k - 1, k - 1, 'WITHSCORES')
          return tonumber(e[2])
        end
        k = k - r[4 * q - 1]
      elseif w.h == 0 then
        local e = redis.call('ZRANGEBYSCORE', key, '(' .. x, '+inf', 'WITHSCORES', 'LIMIT', k - 1, 1)
        if e[2] then return tonumber(e[2]) end
        k = k - redis.call('ZCOUNT', key, '(' .. x, '+inf')
      else
        local es = redis.call('ZRANGEBYSCORE', key, '(' .. x, '+inf', 'WITHSCORES')
        for e = 1, #es, 2 do
          k = k - S.cost(es[e])
          if k <= 0 then return tonumber(es[e + 1]) end
        end
      end
    end
    return nil
  end
  -- Where an action's member is (its digest is in the window): member, score, record number.
  function S.find(w, d)
    local r = w.r
    for j = #r / 4, 1, -1 do
      local key = w.p .. ':' .. r[4 * j - 3]
      local s = redis.call('ZSCORE', key, d)
      if s then return d, tonumber(s), j end
      if w.h > 0 then
        local sc = redis.call('ZSCAN', key, 0, 'MATCH', d .. ':*', 'COUNT', 1000)
        if sc[2][1] then return sc[2][1], tonumber(sc[2][2]), j end
      end
    end
    return nil
  end
  -- Takes a recorded action out (release): its cost and score, or nil when the window does not hold it.
  function S.remove(w, d)
    if w.e == 0 or redis.call('SISMEMBER', S.dkey(w, math.fmod(tonumber(d), w.d)), d) == 0 then return nil end
    local member, score, j = S.find(w, d)
    if not member then return nil end
    w.dirty = true
    local r = w.r
    local cost = S.cost(member)
    redis.call('ZREM', w.p .. ':' .. r[4 * j - 3], member)
    redis.call('SREM', S.dkey(w, math.fmod(tonumber(d), w.d)), d)
    r[4 * j - 2] = r[4 * j - 2] - 1
    r[4 * j - 1] = r[4 * j - 1] - cost
    w.t = w.t - cost
    w.e = w.e - 1
    if cost > 1 then w.h = w.h - 1 end
    if r[4 * j - 2] == 0 then S.drop_record(w, j) end
    if #r == 0 then
      w.o, w.n, w.t, w.h, w.e = 0, 0, 0, 0, 0
    else
      -- O and N stay exact.
      if score == w.n then
        local last = redis.call('ZRANGE', w.p .. ':' .. r[#r - 3], -1, -1, 'WITHSCORES')
        w.n = tonumber(last[2])
      end
      if score == w.o then
        local first = redis.call('ZRANGE', w.p .. ':' .. r[1], 0, 0, 'WITHSCORES')
        w.o = tonumber(first[2])
        r[4] = w.o
      end
    end
    return cost, score
  end
  -- The oldest entry in (lo, x], or -1.
  function S.oldest_in(w, lo, x)
    if w.t == 0 or w.n <= lo or w.o > x then return -1 end
    local r = w.r
    for q = w_chunk_at(r, lo), #r / 4 do
      if r[4 * q] > x then return -1 end
      local e = redis.call('ZRANGEBYSCORE', w.p .. ':' .. r[4 * q - 3], '(' .. lo, x, 'WITHSCORES', 'LIMIT', 0, 1)
      if e[2] then return tonumber(e[2]) end
    end
    return -1
  end
  -- Ascending scores of the units of a member/score list: an entry of cost c counts c times.
  function S.unit_scores(es)
    local s = {}
    for j = 1, #es, 2 do
      for _ = 1, S.cost(es[j]) do s[#s + 1] = es[j + 1] end
    end
    return s
  end
  function S.bad_runs(scores, start, win, lim)
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

  function S.forbidden(scores, start, win, lim, out)
    for _, r in ipairs(S.bad_runs(scores, start, win, lim)) do add_interval(out, r[1] - win + 1, r[2]) end
    return out
  end

  W_S = S
  return S
end

-- Units with a score > x.
local function w_above(w, x)
  if w.t == 0 or w.n <= x then return 0 end
  if w.o > x then return w.t end
  local r = w.r
  local u = 0
  local j = #r / 4
  while j >= 1 and r[4 * j] > x do
    u = u + r[4 * j - 1]
    j = j - 1
  end
  if j >= 1 then
    local key = w.p .. ':' .. r[4 * j - 3]
    if w.h == 0 then
      u = u + redis.call('ZCOUNT', key, '(' .. x, '+inf')
    else
      u = u + W().units(redis.call('ZRANGEBYSCORE', key, '(' .. x, '+inf'), 1)
    end
  end
  return u
end

-- Units with a score in (lo, hi].
local function w_count(w, lo, hi)
  if w.t == 0 or w.n <= lo then return 0 end
  return w_above(w, lo) - w_above(w, hi)
end

-- Members and scores (numbers) in (lo, hi), exclusive both (hi may be math.huge), ascending, flat.
local function w_entries(w, lo, hi)
  local out = {}
  if w.t == 0 or w.n <= lo or w.o >= hi then return out end
  local r = w.r
  local k = #r / 4
  local hs = hi == math.huge and '+inf' or ('(' .. hi)
  for q = w_chunk_at(r, lo), k do
    if r[4 * q] >= hi then break end
    local key = w.p .. ':' .. r[4 * q - 3]
    if q == k then
      -- The newest chunk, read from its end (a guard's gap looks at its last few entries).
      local es = redis.call('ZREVRANGEBYSCORE', key, hs, '(' .. lo, 'WITHSCORES')
      for e = #es - 1, 1, -2 do
        out[#out + 1] = es[e]
        out[#out + 1] = tonumber(es[e + 1])
      end
    else
      local es = redis.call('ZRANGEBYSCORE', key, '(' .. lo, hs, 'WITHSCORES')
      for e = 1, #es, 2 do
        out[#out + 1] = es[e]
        out[#out + 1] = tonumber(es[e + 1])
      end
    end
  end
  return out
end

-- The dedup shard of a digest: shard 0 is the window key itself.
local function w_shard_key(w, d)
  if w.d == 1 then return w.p .. ':d0' end
  return w.p .. ':d' .. math.fmod(tonumber(d), w.d)
end

-- Whether the window holds this action's digest (the whole window, whatever its fill: one SISMEMBER).
local function w_has(w, d)
  if w.e == 0 then return false end
  return redis.call('SISMEMBER', w_shard_key(w, d), d) == 1
end

-- Everything with a score <= c leaves (what has left the window; never called by a read).
local function w_trim(w, c)
  if w.t == 0 or w.o > c then return 0 end
  w.dirty = true
  return W().trim(w, c)
end

-- Records one action (its digest not in the window: w_has first). Returns its member.
local function w_add(w, d, score, cost)
  w.dirty = true
  local member = d
  if cost > 1 then member = d .. ':' .. cost end
  local r = w.r
  local k = #r / 4
  local j = k
  if k == 0 then
    if not w.g then
      -- A new generation of keys (Redis TIME, whatever the script's clock): keys a lost state left
      -- behind (its marker gone, e.g. in a flush that spared them) are never read again; they expire.
      local tm = redis.call('TIME')
      w.g = tm[1] .. string.sub('00' .. math.floor(tonumber(tm[2]) / 1000), -3)
      w.p = w.base .. ':' .. w.g
    end
    W().new_chunk(w, 1, score)
    j = 1
    w.o = score
  else
    while j >= 1 and r[4 * j] > score do j = j - 1 end
    if j == 0 then
      j = 1
      r[4] = score
    end
    if j == k and score >= w.n and r[4 * j - 2] >= W_CAP then
      W().new_chunk(w, k + 1, score)
      j = k + 1
    elseif r[4 * j - 2] >= W_SPLIT then
      W().split(w, j)
      if score >= r[4 * (j + 1)] then j = j + 1 end
    end
  end
  redis.call('ZADD', w.p .. ':' .. r[4 * j - 3], score, member)
  r[4 * j - 2] = r[4 * j - 2] + 1
  r[4 * j - 1] = r[4 * j - 1] + cost
  w.t = w.t + cost
  w.e = w.e + 1
  if cost > 1 then w.h = w.h + 1 end
  if w.e == 1 or score > w.n then w.n = score end
  if score < w.o then w.o = score end
  local dk = w_shard_key(w, d)
  redis.call('SADD', dk, d)
  -- A shard is new when the window was empty; with several shards one may have emptied meanwhile.
  if w.e == 1 or w.d > 1 then
    w.new_keys = w.new_keys or {}
    w.new_keys[#w.new_keys + 1] = dk
  end
  if w.e > W_DEDUP * w.d then W().rehash(w) end
  return member
end

-- The window's state for the window-state hash (nil: unchanged; "": empty, drop the field), after the
-- keys' expiry: every key of a window expires together once its newest entry has left it, plus a
-- margin (window / 16, at least a minute), renewed only when the newest entry passes that point.
local function w_save(w, now)
  if not w.dirty then return nil end
  if w.t == 0 then return '' end
  local need = w.n + w.win + 1000
  local r = w.r
  local k = #r / 4
  if w.x < need then
    w.x = need + math.max(60000, math.floor(w.win / 16))
    for j = 1, k do redis.call('PEXPIRE', w.p .. ':' .. r[4 * j - 3], w.x - now) end
    for s = 0, w.d - 1 do redis.call('PEXPIRE', w.p .. ':d' .. s, w.x - now) end
  elseif w.new_keys then
    for _, key in ipairs(w.new_keys) do redis.call('PEXPIRE', key, w.x - now) end
  end
  return struct.pack(W_HDR .. string.rep(W_REC, k), w.o, w.n, w.t, w.h, w.e, w.d, w.s, k, w.x, w.g, unpack(r))
end

-- The oldest entry in (lo, x], or -1 (O is exact: no call unless entries at or before lo remain, as
-- in a read, which trims nothing).
local function w_oldest_in(w, lo, x)
  if w.t == 0 or w.o > x then return -1 end
  if w.o > lo then return w.o end
  return W().oldest_in(w, lo, x)
end

-- The newest entry in (lo, x], or -1.
local function w_newest_in(w, lo, x)
  if w.t == 0 or w.o > x then return -1 end
  if w.n <= x then
    if w.n > lo then return w.n end
    return -1
  end
  local r = w.r
  local j = #r / 4
  while j >= 1 and r[4 * j] > x do j = j - 1 end
  while j >= 1 do
    local e = redis.call('ZREVRANGEBYSCORE', w.p .. ':' .. r[4 * j - 3], x, '(' .. lo, 'WITHSCORES', 'LIMIT', 0, 1)
    if e[2] then return tonumber(e[2]) end
    if r[4 * j] <= lo then return -1 end
    j = j - 1
  end
  return -1
end

--[[
window_available_at(w, now, max, cost, count): the earliest t >= now at which `cost` more units fit
at every instant of [t, t + win) (a window of length W holds, at τ, the units with a score in
(τ - W, τ]; an action placed at t enters every instant of [t, t + W), so with units recorded ahead
of t, checking the instant t alone is not enough).
  count  the units the window holds at `now` (scores in (now - win, now])
  Returns now (room already), a later ms, or -2 never (cost > max, e.g. an override of 0).
  Without units ahead of `now` this is the (count + cost - max)-th oldest unit leaving the window
  (in an over-full window not the oldest one: every unit above the threshold must leave first).
Never -1 (callers use -1 / nil for "not applicable" or "no entry", never for a time).
W().bad_runs(scores, start, win, lim): the instants τ >= start at which the window holds more than
lim units, as half-open runs {a, b} (τ in [a, b)), ascending; `scores` ascending, one per unit, every
unit with a score > start - win. W().forbidden(scores, start, win, lim, out): appends the times t at
which an action of cost max - lim cannot be placed: t in [a - win + 1, b) per bad run, merged.
]]
local function window_available_at(w, now, max, cost, count)
  if cost > max then return -2 end
  local win = w.win
  local ahead = w.t > 0 and w.n > now
  if not ahead then
    if count + cost <= max then return now end
    return W().nth_after(w, now - win, count + cost - max) + win
  end
  -- Room at every instant of [now, now + win) when even all it could see would fit.
  if w_count(w, now - win, now + win - 1) + cost <= max then return now end
  local S = W()
  local forbidden = S.forbidden(S.unit_scores(w_entries(w, now - win, math.huge)), now, win, max - cost, {})
  local f = forbidden[1]
  if f and f[1] <= now and now < f[2] then return f[2] end
  return now
end

-- The hash of an identity's window states and a window's field in it, from the window's key: the key
-- without its last segment ("<identity>:w2"), and that segment (the limit's slug).
local function w_head_of(base)
  return string.match(base, '^(.*):([^:]*)$')
end
