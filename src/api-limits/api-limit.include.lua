--[[
Workspace API limit, shared by guard.lua and api-limit.lua (prepended to both).

Per-second and per-minute are two token buckets checked together: a request passes only when both
have `cost` tokens, and then takes from both. The second bucket holds ceil(per_second) tokens (short
bursts up to the per-second figure) and the minute bucket per_minute tokens, each refilling
continuously at its rate — no fixed window boundary to double up on (PITFALLS 8).
The daily limit is a sliding-window counter: today's count plus yesterday's weighted by the part of
yesterday still inside the trailing 24 h, so the quota frees gradually instead of at midnight.

api_daily(daily_key, now_ms) -> cur, prev, estimate, into, day (the daily estimate's one owner)
api_take(bucket_key, daily_key, now_ms, per_second, per_minute, daily, cost)
  -> { ok (1|0), retry_after_ms, minute_remaining, minute_reset_ms, refused_by ('second'|'minute'|'daily'|''),
       daily_remaining, second_remaining }
A limit of 0 or less is "none". Nothing is taken when refused.

Encoding (issue 18: the cheapest one; one GET and one SET PX per key): the bucket key is a string of
three little-endian doubles (second-bucket tokens, minute-bucket tokens, last refill ms), the daily
key a string of three doubles (day number, that day's count, the day before's count). Their names
carry "api2" (RedisKeys): the hashes of the earlier layout, under "api", expire on their own.
]]
local function api_bucket(tokens, ts, cap, rate, now)
  if tokens == nil then return cap end
  -- A clock that steps back (failover to a replica, a test clock) never drains the bucket.
  local elapsed = now - ts
  if elapsed < 0 then elapsed = 0 end
  local t = tokens + elapsed * rate
  if t > cap then t = cap end
  return t
end

-- The daily estimate, owned here (api_take and api-usage.lua): today's count plus yesterday's
-- weighted by the part of yesterday still inside the trailing 24 h (UTC days).
-- -> today's count, yesterday's count, the estimate (a float), the fraction of today gone, today's day number
local function api_daily(dkey, now)
  local day = math.floor(now / 86400000)
  local into = (now % 86400000) / 86400000
  local cur, prev = 0, 0
  local v = redis.call('GET', dkey)
  if v then
    local d, c, p = struct.unpack('<ddd', v)
    if d == day then
      cur, prev = c, p
    elseif d == day - 1 then
      prev = c
    end
  end
  return cur, prev, prev * (1 - into) + cur, into, day
end

local function api_take(bkey, dkey, now, ps, pm, daily, cost)
  local raw = redis.call('GET', bkey)
  local vs, vm, ts = nil, nil, now
  if raw then vs, vm, ts = struct.unpack('<ddd', raw) end
  local s_cap, s_rate, s = 0, 0, 0
  if ps > 0 then
    s_cap = math.max(1, math.ceil(ps))
    -- Refill at least at the per-minute pace, so 0.4/s beside 25/min still reaches 25 a minute.
    s_rate = math.max(ps, pm / 60) / 1000
    s = api_bucket(vs, ts, s_cap, s_rate, now)
  end
  local m_cap, m_rate, m = 0, 0, 0
  if pm > 0 then
    m_cap = pm
    m_rate = pm / 60000
    m = api_bucket(vm, ts, m_cap, m_rate, now)
  end
  local day = math.floor(now / 86400000)
  local into = (now % 86400000) / 86400000
  local est, cur, prev = 0, 0, 0
  if daily > 0 then cur, prev, est, into, day = api_daily(dkey, now) end

  local wait, by = 0, ''
  if ps > 0 and s < cost then
    local w = math.ceil((cost - s) / s_rate)
    if cost > s_cap then w = math.ceil(s_cap / s_rate) end
    if w > wait then wait, by = w, 'second' end
  end
  if pm > 0 and m < cost then
    local w = math.ceil((cost - m) / m_rate)
    if cost > m_cap then w = 60000 end
    if w > wait then wait, by = w, 'minute' end
  end
  if daily > 0 and est + cost > daily then
    -- Yesterday's weight shrinks as today goes on; when today alone is full, wait for tomorrow.
    local w
    local room = daily - cur - cost
    if room >= 0 and prev > 0 then
      local need = 1 - room / prev
      w = math.ceil((need - into) * 86400000)
    else
      w = math.ceil((1 - into) * 86400000)
    end
    if w < 1000 then w = 1000 end
    if w > wait then wait, by = w, 'daily' end
  end

  local m_reset = 0
  if wait > 0 then
    if pm > 0 then m_reset = math.ceil((m_cap - m) / m_rate) end
    return { 0, wait, pm > 0 and math.floor(m) or -1, m_reset, by, daily > 0 and math.max(0, math.floor(daily - est)) or -1,
      ps > 0 and math.floor(s) or -1 }
  end
  if ps > 0 then s = s - cost end
  if pm > 0 then m = m - cost end
  redis.call('SET', bkey, struct.pack('<ddd', s, m, math.max(now, ts)), 'PX', 120000)
  if daily > 0 then
    redis.call('SET', dkey, struct.pack('<ddd', day, cur + cost, prev), 'PX', 2 * 86400000 + 60000)
    est = est + cost
  end
  if pm > 0 then m_reset = math.ceil((m_cap - m) / m_rate) end
  return { 1, 0, pm > 0 and math.floor(m) or -1, m_reset, '', daily > 0 and math.max(0, math.floor(daily - est)) or -1,
    ps > 0 and math.floor(s) or -1 }
end
