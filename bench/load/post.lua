-- wrk script: POST {"client_id": N} as JSON, cycling over a list of client ids.
--
--   wrk -t2 -c16 -d10s -s bench/load/post.lua http://127.0.0.1:8001/predict
--
-- Environment:
--   PAD_CLIENT_IDS  ids separated by commas or spaces (takes precedence over the file)
--   PAD_IDS_FILE    a file with one id per line (default bench/load/ids.txt, from the cwd)
--   PAD_API_TOKEN   when set, sent as "Authorization: Bearer <token>"
--
-- done() prints one line, "key=value" pairs separated by spaces, starting with "wrk_result":
--   requests duration_s rps p50_ms p90_ms p99_ms max_ms non2xx errors
-- non2xx is wrk's count of responses with a status of 400 or more (no redirects expected
-- here); errors is connect + read + write + timeout socket errors.

local function load_ids()
  local ids = {}
  local listed = os.getenv("PAD_CLIENT_IDS")
  if listed and listed ~= "" then
    for id in listed:gmatch("%d+") do ids[#ids + 1] = id end
  else
    local path = os.getenv("PAD_IDS_FILE") or "bench/load/ids.txt"
    local file = assert(io.open(path, "r"), "cannot read ids file " .. path)
    for line in file:lines() do
      local id = line:match("^%s*(%d+)%s*$")
      if id then ids[#ids + 1] = id end
    end
    file:close()
  end
  assert(#ids > 0, "no client ids")
  return ids
end

local thread_count = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

local requests = {}
local position = 1

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  local token = os.getenv("PAD_API_TOKEN")
  if token and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  -- Requests are formatted once; each thread starts at a different place in the list.
  for i, id in ipairs(load_ids()) do
    requests[i] = wrk.format("POST", nil, headers, '{"client_id": ' .. id .. '}')
  end
  position = ((thread_index or 0) * 37) % #requests + 1
end

function request()
  local r = requests[position]
  position = position % #requests + 1
  return r
end

function done(summary, latency, requests_stats)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "wrk_result requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d errors=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
