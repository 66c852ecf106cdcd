--[[
An identity's invitation state beside its windows (one hash, the identity's hash tag), what the
guard reads in its own call: `loaded` (the hash was rebuilt from PostgreSQL), `gen` (bumped by every
change, so a rebuild that read PostgreSQL before a change does not overwrite it), `pending`,
`factor` / `refusing` (the acceptance rate's effect) and `rate` / `sample` / `accepted` / `state`
(for the reads), `last` (ms of the last invitation the guard recorded), and one field per known
target `t:<digest>` = `p` (pending), `a` (accepted) or `w:<ms>` (withdrawn at ms).

KEYS[1] the hash
ARGV[1] op
  load:   ARGV[2] expected gen ("" = none yet), ARGV[3] n, then n field/value pairs. Writes the
          hash (keeping gen) when it is not loaded and gen is unchanged; reply 1, else 0. A loaded hash
          is left alone (reply 1): it may hold invitations whose rows are still on their way to
          PostgreSQL, which a concurrent rebuild must not erase.
  apply:  ARGV[2] pending delta, ARGV[3] n, then n field/value pairs ("" deletes the field). Bumps
          gen always; changes the rest only when loaded (else the next rebuild reads PostgreSQL).
          Reply { loaded 0|1, pending }.
  settle: ARGV[2] expected gen, ARGV[3] exact pending, ARGV[4] now ms, ARGV[5] quiet ms. Sets pending
          when loaded, gen unchanged and no invitation recorded in the last quiet ms (its row may
          still be on its way to PostgreSQL). Reply 1 when set.
]]
local key = KEYS[1]
local op = ARGV[1]

if op == 'load' then
  if redis.call('HEXISTS', key, 'loaded') == 1 then return 1 end
  local gen = redis.call('HGET', key, 'gen')
  if (gen or '') ~= ARGV[2] then return 0 end
  redis.call('DEL', key)
  if gen then redis.call('HSET', key, 'gen', gen) end
  local n = tonumber(ARGV[3])
  for i = 1, n do
    redis.call('HSET', key, ARGV[2 + 2 * i], ARGV[3 + 2 * i])
  end
  redis.call('HSET', key, 'loaded', '1')
  return 1
end

if op == 'apply' then
  redis.call('HINCRBY', key, 'gen', 1)
  if redis.call('HEXISTS', key, 'loaded') == 0 then return { 0, -1 } end
  local n = tonumber(ARGV[3])
  for i = 1, n do
    local f, v = ARGV[2 + 2 * i], ARGV[3 + 2 * i]
    if v == '' then redis.call('HDEL', key, f) else redis.call('HSET', key, f, v) end
  end
  local pending = redis.call('HINCRBY', key, 'pending', tonumber(ARGV[2]))
  if pending < 0 then
    redis.call('HSET', key, 'pending', 0)
    pending = 0
  end
  return { 1, pending }
end

if op == 'settle' then
  if redis.call('HEXISTS', key, 'loaded') == 0 then return 0 end
  if (redis.call('HGET', key, 'gen') or '') ~= ARGV[2] then return 0 end
  local last = tonumber(redis.call('HGET', key, 'last') or '-1')
  if last >= 0 and tonumber(ARGV[4]) - last < tonumber(ARGV[5]) then return 0 end
  redis.call('HSET', key, 'pending', ARGV[3])
  return 1
end

return redis.error_reply('invitation-state: unknown op ' .. tostring(op))
