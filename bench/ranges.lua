-- Random 16 KB ranges of one file, as a PMTiles reader asks for tiles (bench/bench_tiles.py drives it).
-- Environment: RANGES_LENGTH, the file's size in bytes.
local length = tonumber(os.getenv("RANGES_LENGTH"))
local span = 16384

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
  local first = math.random(0, length - span)
  return wrk.format("GET", nil, { ["Range"] = string.format("bytes=%d-%d", first, first + span - 1) })
end

-- RANGES_DELAY_MS (optional): each connection waits this long after an answer before its next request, so a
-- few connections send at a set pace, as phones loading a map do, instead of as fast as the server answers.
local pause = tonumber(os.getenv("RANGES_DELAY_MS") or "0")

if pause > 0 then
  function delay()
    return pause
  end
end
