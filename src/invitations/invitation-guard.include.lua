-- Invitation health inside the guard's one call (SPEC §5b), over the identity's invitation hash
-- (see invitation-state.lua for its fields). Owned by invitations/, included by the guard.

-- The hash's summary, and the target's mark, in one read: loaded (false: rebuild it from PostgreSQL
-- first), pending, factor, refusing, gen, mark (the target's field, or false without a target).
local function inv_read(key, field)
  local v = redis.call('HMGET', key, 'loaded', 'pending', 'factor', 'refusing', 'gen', field ~= '' and field or 'loaded')
  return {
    loaded = v[1] == '1', pending = tonumber(v[2] or '0') or 0, factor = tonumber(v[3] or '1') or 1,
    refusing = v[4] == '1', gen = tonumber(v[5] or '0') or 0, mark = field ~= '' and v[6] or false,
  }
end

-- What stops inviting this person: { 'p' | 'a' } already invited (pending, accepted), or
-- { 'w', may_send_at_ms } withdrawn too recently; nil when nothing does (or no target was given).
local function inv_target_block(inv, now, reinvite_ms)
  local m = inv.mark
  if not m then return nil end
  if m == 'p' or m == 'a' then return { m } end
  local at = tonumber(string.sub(m, 3))
  if at and at + reinvite_ms > now then return { 'w', at + reinvite_ms } end
  return nil
end

-- An invitation recorded: the person is pending, one more pending, and the state changed (gen); one
-- write, from what inv_read saw (nothing else ran in between: the call is atomic).
local function inv_record(key, inv, field, now)
  if field ~= '' then
    redis.call('HSET', key, field, 'p', 'pending', inv.pending + 1, 'gen', inv.gen + 1, 'last', now)
  else
    redis.call('HSET', key, 'pending', inv.pending + 1, 'gen', inv.gen + 1, 'last', now)
  end
end
