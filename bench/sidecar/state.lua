-- wrk script for the sidecar's state API: `wrk ... -s state.lua URL -- MODE STORE KEYS VALUE`.
--   MODE get:  GET /v1.0/state/STORE/key-N
--   MODE save: POST /v1.0/state/STORE with [{"key":"key-N","value":VALUE}]
-- N cycles over 0..KEYS-1. Every request is formatted once in init(), so request() only picks
-- one: the load generator then spends its CPU on the connection, not on building strings, which
-- matters when it shares two cores with the server it measures.

local requests = {}
local next_index = 1

function init(args)
  local mode, store, keys, value = args[1], args[2], tonumber(args[3]), args[4]
  if (mode ~= "get" and mode ~= "save") or not store or not keys or not value then
    error("usage: -- get|save STORE KEYS VALUE")
  end
  local save_headers = { ["Content-Type"] = "application/json" }
  for i = 0, keys - 1 do
    local key = "key-" .. i
    if mode == "get" then
      requests[#requests + 1] = wrk.format("GET", "/v1.0/state/" .. store .. "/" .. key)
    else
      local body = '[{"key":"' .. key .. '","value":' .. value .. '}]'
      requests[#requests + 1] = wrk.format("POST", "/v1.0/state/" .. store, save_headers, body)
    end
  end
  -- Threads start at different keys so they don't move in lockstep over the same rows.
  next_index = (wrk.thread and tonumber(wrk.thread:get("offset")) or 0) % keys + 1
end

function setup(thread)
  thread_count = (thread_count or 0) + 1
  thread:set("offset", tostring((thread_count - 1) * 7919))
end

function request()
  local r = requests[next_index]
  next_index = next_index + 1
  if next_index > #requests then next_index = 1 end
  return r
end
