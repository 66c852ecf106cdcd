-- One clock for every instance: Redis TIME in ms, unless the caller passes `now` (tests' clock).
local function script_now(arg)
  if arg ~= nil and arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
