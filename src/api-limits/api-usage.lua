--[[
Read-only: a workspace's API requests today and the sliding daily estimate (api_daily of
api-limit.include.lua, the figure the daily limit is checked against), for GET /v1/workspace.
KEYS[1] the workspace's daily counter; ARGV[1] now ms or "".
Reply: { now, requests_today, daily_estimate (rounded half up) }
]]
local now = script_now(ARGV[1])
local cur, _, est = api_daily(KEYS[1], now)
return { now, cur, math.floor(est + 0.5) }
