-- wrk script for bench/webhooks.py: replays pre-signed message_created requests, one file line each
-- ("<timestamp> <signature> <body>"), lines first+1 .. first+count, in order, each at most once per pass.
-- HMAC in Lua is not available in wrk, so Python signs the bodies before the run.
local requests, n = {}, 0

function init(args)
  local path, first, count = args[1], tonumber(args[2]), tonumber(args[3])
  local line_no = 0
  for line in io.lines(path) do
    line_no = line_no + 1
    if line_no > first + count then break end
    if line_no > first then
      local stamp, sig, body = line:match("^(%d+) (%S+) (.*)$")
      requests[#requests + 1] = wrk.format("POST", nil, {
        ["Content-Type"] = "application/json", ["X-Chatwoot-Timestamp"] = stamp, ["X-Chatwoot-Signature"] = sig,
      }, body)
    end
  end
end

function request()
  n = n % #requests + 1
  return requests[n]
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
