-- The load generator's script: POST /graphql bodies with a bearer token each.
--
--   wrk ... -s bench/wrk.lua URL -- PLAN THREADS once|cycle
--
-- PLAN has one request a line, "token<TAB>body". Thread i of THREADS sends lines i+1,
-- i+1+THREADS, ... so no two threads send the same request. "once" stops a thread when
-- its lines run out (each write books a slot nobody else asked for); "cycle" repeats.
-- Every response is classified, and done() prints one line for bench/loadgen.py:
--   BENCH_RESULT {json}

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

function init(args)
  local path, count = args[1], tonumber(args[2])
  cycle = args[3] == "cycle"
  local line_number = 0
  for line in io.lines(path) do
    if line_number % count == id then
      local tab = line:find("\t", 1, true)
      table.insert(plan, {
        headers = {
          ["Content-Type"] = "application/json",
          ["Authorization"] = "Bearer " .. line:sub(1, tab - 1),
        },
        body = line:sub(tab + 1),
      })
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
      -- Something harmless for the write already queued; the stopped loop never reads it.
      return wrk.format("GET", "/healthz")
    end
    position = 1
  end
  local entry = plan[position]
  return wrk.format("POST", "/graphql", entry.headers, entry.body)
end

-- A write answers "errors": [] when it succeeds; a read has no "errors" key at all.
function response(status, headers, body)
  if exhausted == 1 then
    return
  elseif status ~= 200 then
    http_errors = http_errors + 1
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
