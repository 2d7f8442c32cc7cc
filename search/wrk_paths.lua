-- wrk script for the bench's load test (search/bench.py, _wrk): the connections ask for the
-- paths listed one per line in the file args[1], in turn (thread k of args[2] takes paths
-- k, k + args[2], ...: each path once before any twice), and the run ends with one line of
-- JSON: latency percentiles in ms, requests, seconds, and the answers that were not the
-- status expected, args[3] (200 unless given).

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  threads[#threads + 1] = thread
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  step = tonumber(args[2])
  expected = tonumber(args[3]) or 200
  i = id
  bad = 0
  sample = ""
end

function request()
  local path = paths[i % #paths + 1]
  i = i + step
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status ~= expected then
    bad = bad + 1
    if bad <= 5 then sample = sample .. " " .. status end
  end
end

function done(summary, latency, requests)
  local bad_answers, samples = 0, ""
  for _, thread in ipairs(threads) do
    bad_answers = bad_answers + thread:get("bad")
    samples = samples .. thread:get("sample")
  end
  local e = summary.errors
  io.write(string.format(
    '{"p50": %.3f, "p95": %.3f, "p99": %.3f, "requests": %d, "seconds": %.3f, '
      .. '"not_ok": %d, "statuses": "%s", "socket_errors": %d}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests, summary.duration / 1e6,
    bad_answers, samples, e.connect + e.read + e.write + e.timeout))
end
