-- Invitation health inside the guard's one call (SPEC §5b), over the identity's invitation hash
-- (see invitation-state.lua for its fields). Owned by invitations/, included by the guard.

-- The hash's summary: loaded (false: rebuild it from PostgreSQL first), pending, factor, refusing.
local function inv_read(key)
  local v = redis.call('HMGET', key, 'loaded', 'pending', 'factor', 'refusing')
  return { loaded = v[1] == '1', pending = tonumber(v[2] or '0') or 0, factor = tonumber(v[3] or '1') or 1, refusing = v[4] == '1' }
end

-- What stops inviting this person: { 'p' | 'a' } already invited (pending, accepted), or
-- { 'w', may_send_at_ms } withdrawn too recently; nil when nothing does (or no target was given).
local function inv_target_block(key, field, now, reinvite_ms)
  if field == '' then return nil end
  local m = redis.call('HGET', key, field)
  if not m then return nil end
  if m == 'p' or m == 'a' then return { m } end
  local at = tonumber(string.sub(m, 3))
  if at and at + reinvite_ms > now then return { 'w', at + reinvite_ms } end
  return nil
end

-- An invitation recorded: the person is pending, one more pending, and the state changed (gen).
local function inv_record(key, field, now)
  if field ~= '' then redis.call('HSET', key, field, 'p') end
  redis.call('HINCRBY', key, 'pending', 1)
  redis.call('HINCRBY', key, 'gen', 1)
  redis.call('HSET', key, 'last', now)
end
