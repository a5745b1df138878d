-- The benchmark suite's load script (bench/suite.py): any method and path per request.
--
--   wrk ... -s bench/suite.lua URL -- PLAN THREADS once|cycle
--
-- PLAN has one request a line, "METHOD<TAB>PATH<TAB>token<TAB>body" (token and body may
-- be empty). Thread i of THREADS sends lines i+1, i+1+THREADS, ... "once" stops a thread
-- when its lines run out (each write books a slot nobody else asked for); "cycle" repeats.
-- done() prints the line bench/loadgen.py reads: BENCH_RESULT {json}

local next_id = 0
local threads = {}

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local plan = {}
local position = 0
local cycle = false
ok, slot_taken, graphql_errors, http_errors, exhausted = 0, 0, 0, 0, 0
other_codes = ""

local function fields(line)
  local parts = {}
  local start = 1
  for _ = 1, 3 do
    local tab = line:find("\t", start, true)
    table.insert(parts, line:sub(start, tab - 1))
    start = tab + 1
  end
  table.insert(parts, line:sub(start))
  return parts
end

function init(args)
  local path, count = args[1], tonumber(args[2])
  cycle = args[3] == "cycle"
  local line_number = 0
  for line in io.lines(path) do
    if line_number % count == id then
      local parts = fields(line)
      local method, target, token, body = parts[1], parts[2], parts[3], parts[4]
      local headers = {}
      if token ~= "" then headers["Authorization"] = "Bearer " .. token end
      if body ~= "" then headers["Content-Type"] = "application/json" else body = nil end
      table.insert(plan, wrk.format(method, target, headers, body))
    end
    line_number = line_number + 1
  end
  if #plan == 0 then
    error("thread " .. id .. " has no requests in " .. path)
  end
end

function request()
  position = position + 1
  if position > #plan then
    if not cycle then
      exhausted = 1
      wrk.thread:stop()
      return wrk.format("GET", "/healthz")
    end
    position = 1
  end
  return plan[position]
end

-- GraphQL answers 200 with "errors": [{...}] on a failure; the REST shim a non-200.
function response(status, headers, body)
  if exhausted == 1 then
    return
  elseif status ~= 200 then
    http_errors = http_errors + 1
    if #other_codes < 400 then
      other_codes = other_codes .. status .. " " .. body:sub(1, 200) .. " | "
    end
  elseif body:find('"SLOT_TAKEN"', 1, true) then
    slot_taken = slot_taken + 1
  elseif body:find('"errors":%s*%[%s*{') then
    graphql_errors = graphql_errors + 1
    if #other_codes < 400 then
      other_codes = other_codes .. body:sub(1, 200) .. " | "
    end
  else
    ok = ok + 1
  end
end

local function quoted(text)
  return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub("[%c]", " ") .. '"'
end

function done(summary, latency, requests)
  local totals = {ok = 0, slot_taken = 0, graphql_errors = 0, http_errors = 0, exhausted = 0}
  local samples = ""
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + thread:get(name)
    end
    samples = samples .. thread:get("other_codes")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"duration_us":%d,"requests":%d,"ok":%d,"slot_taken":%d,' ..
    '"graphql_errors":%d,"http_errors":%d,"socket_errors":%d,"timeouts":%d,' ..
    '"exhausted":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
    '"samples":%s}\n',
    summary.duration, summary.requests, totals.ok, totals.slot_taken,
    totals.graphql_errors, totals.http_errors,
    errors.connect + errors.read + errors.write, errors.timeout, totals.exhausted,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, quoted(samples)))
end
