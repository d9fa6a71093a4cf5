-- Replays prepared requests with their auth headers and JSON bodies, and counts statuses.
--
-- BENCH_REQUESTS names a file written by bench/run.py, one request a line:
--   METHOD <tab> PATH <tab> ACCESS-TOKEN or - <tab> JSON-BODY or -
-- Reads cycle through every line, each thread starting at its own offset.
-- BENCH_ONCE=1 sends each line at most once (bookings: every request a fresh free slot): with
-- BENCH_THREADS = wrk's -t, thread k takes lines k, k+n, k+2n… so no two threads share a line.
-- A thread that runs out sends the bare floor request instead, counted as "filler", not a 400.
-- done() prints one line, "BENCH_JSON {...}", that bench/run.py reads.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  once = os.getenv("BENCH_ONCE") == "1"
  requests = {}
  statuses = {}
  filler = 0
  idx = 0
  local i = 0
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if not once or i % nthreads == tid then
      local method, path, token, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      if token ~= "-" then
        headers["Authorization"] = "Bearer " .. token
      end
      if body == "-" then
        body = nil
      else
        headers["Content-Type"] = "application/json"
      end
      table.insert(requests, wrk.format(method, path, headers, body))
    end
    i = i + 1
  end
  floor = wrk.format("GET", "/bench/floor/django/")
  if not once then
    idx = (tid * 7919) % #requests
  end
end

function request()
  idx = idx + 1
  if idx > #requests then
    if once then
      return floor
    end
    idx = 1
  end
  return requests[idx]
end

function response(status, headers, body)
  if once and status == 200 and body == '{"ok": true}' then
    filler = filler + 1
    return
  end
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  local fill = 0
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do
      local key = tostring(code)
      total[key] = (total[key] or 0) + n
    end
    fill = fill + t:get("filler")
  end
  local parts = {}
  for code, n in pairs(total) do
    table.insert(parts, string.format('"%s": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "filler": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
      .. '"latency_us": {"p50": %d, "p90": %d, "p99": %d, "max": %d, "mean": %.1f}, '
      .. '"statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, fill,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, table.concat(parts, ", ")))
end
