-- The phones' and volunteers' real mix, one path family per wrk run (bench/bench_load.py drives it).
--
-- Environment: LOAD_DATA (the Lua data file bench_load.py wrote: phones, volunteers, passes, events, version),
-- LOAD_MODE (festival | me | changes_current | changes_behind | push | checkin, or mix: each request one of those
-- picked at random in the proportions LOAD_SHARES gives, e.g. "me=4,push=3"), LOAD_RUN (8 hex digits unique to
-- this wrk run: the first group of every UUID it makes), LOAD_IDS (where `done` writes the results the push
-- answers carried, one "status id" a line), LOAD_NOW (the server's instant: scans are made "now"), LOAD_BATCH (a
-- push carries 1 to LOAD_BATCH mutations, default 1), LOAD_RATE (requests per second per wrk thread, sent on a
-- fixed schedule whatever the answers do: an open loop; unset or 0, each connection sends as soon as its previous
-- answer came: a closed loop).
--
-- Open loop: the thread's sends are slots `1000 / LOAD_RATE` ms apart, and `delay()` holds each connection until
-- the next free slot, as wrk2 does. When every connection is still waiting for an answer at its slot, the request
-- goes out late; wrk times it from when it went out, so the lateness is counted here (LOAD late, LOAD lag_max) and
-- a run with many late sends measured the server at less than the rate it was asked for.
--
-- A mix run has one histogram for every path; it counts the requests of each path (LOAD count) so that the mix's
-- maximum can be shared out by path.
--
-- Every request picks its device at random: many phones share the keep-alive connections, as behind a proxy.
-- Lines starting with "LOAD " are what bench_load.py reads back from wrk's output.

local data = dofile(os.getenv("LOAD_DATA"))
local mode = os.getenv("LOAD_MODE")
local run = os.getenv("LOAD_RUN")
local now = os.getenv("LOAD_NOW")
local batch = tonumber(os.getenv("LOAD_BATCH") or "") or 1
local rate = tonumber(os.getenv("LOAD_RATE") or "") or 0
local threads = {}
-- mix: {{mode, cumulative weight}, ...} and the total weight
local shares, weight = {}, 0
for name, share in string.gmatch(os.getenv("LOAD_SHARES") or "", "([%w_]+)=(%d+)") do
  weight = weight + tonumber(share)
  table.insert(shares, {name, weight})
end
-- a send this many ms after its slot counts as late
local LATE_MS = 10

-- per thread (each wrk thread has a Lua state of its own; `tid` is set by setup())
sent = 0
mutations = 0
late = 0
lag_max = 0
statuses = {}
counts = {}    -- requests sent per path
results = {}   -- push: {status .. " " .. id, ...}; checkin: verdict counts
verdicts = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

-- The reads' requests, made once per thread in init(): every phone's GET /api/me, its changes at the current
-- version and 1 to data.behind versions back. Reads alone are answered by the thousands a second, and building each
-- request in Lua cost wrk CPU beside the server's on the same two cores (bench_load compares one worker with two).
local reads = {me = {}, changes_current = {}, changes_behind = {}}

local function auth(token)
  return "Bearer " .. token
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 1) * 7919 + tonumber(string.sub(run, 1, 6), 16))
  for _, phone in ipairs(data.phones) do
    local headers = {["Authorization"] = auth(phone.token)}
    table.insert(reads.me, wrk.format("GET", "/api/me", headers))
    table.insert(reads.changes_current, wrk.format("GET", "/api/sync/changes?since=" .. data.version, headers))
    for back = 1, data.behind do
      table.insert(reads.changes_behind, wrk.format("GET", "/api/sync/changes?since=" .. (data.version - back), headers))
    end
  end
end

-- fresh UUIDs: unique by (run, thread, counter) whatever the random draws; version 4, RFC 4122 variant
local made = 0
local function uuid()
  made = made + 1
  return string.format("%s-%04x-4%03x-%04x-%012x", run, tid or 1, math.random(0, 0xfff),
    0x8000 + math.random(0, 0x3fff), made)
end

if rate > 0 then
  local ffi = require("ffi")
  ffi.cdef [[
    typedef struct { long tv_sec; long tv_nsec; } load_timespec;
    int clock_gettime(int clock_id, load_timespec *tp);
  ]]
  local CLOCK_MONOTONIC = 1
  local ts = ffi.new("load_timespec")
  local function now_ms()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  end
  local interval = 1000 / rate
  local slot = nil

  -- wrk calls delay() before each request of a connection: it waits for the thread's next slot
  function delay()
    local t = now_ms()
    slot = (slot or t) + interval
    local wait = slot - t
    if wait < 0 then
      if -wait >= LATE_MS then late = late + 1 end
      if -wait > lag_max then lag_max = -wait end
      return 0
    end
    return math.floor(wait)
  end
end

local function pick(list)
  return list[math.random(1, #list)]
end

local festival = wrk.format("GET", "/api/festival")

local function pick_mode()
  if mode ~= "mix" then return mode end
  local draw = math.random() * weight
  for _, entry in ipairs(shares) do
    if draw < entry[2] then return entry[1] end
  end
  return shares[#shares][1]
end

function request()
  sent = sent + 1
  local mode = pick_mode()
  counts[mode] = (counts[mode] or 0) + 1
  if mode == "festival" then
    return festival
  elseif reads[mode] then
    return pick(reads[mode])
  elseif mode == "push" then
    local phone = pick(data.phones)
    local list = {}
    for i = 1, math.random(1, batch) do
      mutations = mutations + 1
      local name = "favourite.set"
      if math.random() < 0.5 then name = "favourite.unset" end
      list[i] = string.format('{"id":"%s","name":"%s","args":{"event_id":"%s"},"at":"%s"}',
        uuid(), name, pick(data.events), now)
    end
    local body = string.format('{"client_id":"%s","mutations":[%s]}', phone.id, table.concat(list, ","))
    return wrk.format("POST", "/api/sync/push",
      {["Authorization"] = auth(phone.token), ["Content-Type"] = "application/json"}, body)
  elseif mode == "checkin" then
    local v = pick(data.volunteers)
    local body = string.format('{"id":"%s","pass_token":"%s","venue_id":"%s","scanned_at":"%s"}',
      uuid(), pick(data.passes), v.venue, now)
    return wrk.format("POST", "/api/checkins",
      {["Authorization"] = auth(v.token), ["Content-Type"] = "application/json"}, body)
  end
  error("unknown LOAD_MODE " .. tostring(mode))
end

local function read_answer(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status ~= 200 then return end
  -- a mix's answers come back on several connections in any order: a push answer is known by its results
  if mode == "push" or (mode == "mix" and string.find(body, '"results":[', 1, true)) then
    for st, id in string.gmatch(body, '"status":"(%a+)","id":"([%x%-]+)"') do
      table.insert(results, st .. " " .. id)
    end
  elseif mode == "checkin" then
    local st = string.match(body, '"status":"(%a+)"') or "?"
    local reason = string.match(body, '"reason":"([%w_]+)"')
    if reason then st = st .. ":" .. reason end
    verdicts[st] = (verdicts[st] or 0) + 1
  end
end

-- Only where an answer's body is read: wrk hands a response() every answer's headers and body as Lua values, a cost
-- per answer that reads alone do without (wrk counts their non-2xx answers itself).
if mode == "push" or mode == "checkin" or mode == "mix" then response = read_answer end

function done(summary, latency, requests)
  local total_sent, total_mutations, total_late, max_lag, codes, counts, paths, out = 0, 0, 0, 0, {}, {}, {}, nil
  local ids = os.getenv("LOAD_IDS")
  if ids and ids ~= "" then out = io.open(ids, "w") end
  for _, thread in ipairs(threads) do
    total_sent = total_sent + thread:get("sent")
    total_mutations = total_mutations + thread:get("mutations")
    total_late = total_late + thread:get("late")
    max_lag = math.max(max_lag, thread:get("lag_max"))
    for code, n in pairs(thread:get("statuses")) do codes[code] = (codes[code] or 0) + n end
    for _, line in ipairs(thread:get("results")) do
      local st = string.match(line, "^(%a+)")
      counts[st] = (counts[st] or 0) + 1
      if out then out:write(line, "\n") end
    end
    for v, n in pairs(thread:get("verdicts")) do counts[v] = (counts[v] or 0) + n end
    for m, n in pairs(thread:get("counts")) do paths[m] = (paths[m] or 0) + n end
  end
  if out then out:close() end
  io.write(string.format("LOAD sent %d\n", total_sent))
  io.write(string.format("LOAD mutations %d\n", total_mutations))
  io.write(string.format("LOAD late %d\n", total_late))
  io.write(string.format("LOAD lag_max %.1f\n", max_lag))
  for code, n in pairs(codes) do io.write(string.format("LOAD status %d %d\n", code, n)) end
  for st, n in pairs(counts) do io.write(string.format("LOAD result %s %d\n", st, n)) end
  for m, n in pairs(paths) do io.write(string.format("LOAD count %s %d\n", m, n)) end
end
