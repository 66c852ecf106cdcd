--[[
Standalone API-limit check for every authenticated route except the guard (which runs the same
api_take inside guard.lua) and for POST /v1/ratelimit/check.
KEYS[1] bucket of the endpoint group, KEYS[2] daily counter (both under the workspace's hash tag)
ARGV: now ms or "", per_second, per_minute, daily, cost
Reply: now followed by api_take's reply.
]]
local now = script_now(ARGV[1])
local r = api_take(KEYS[1], KEYS[2], now, tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
table.insert(r, 1, now)
return r
