-- Applies one partition's batch to the online store atomically, fenced by the partition's last applied offset.
-- KEYS[1]: the fence hash; KEYS[2..]: keys the operations name by index.
-- ARGV[1]: fence field; ARGV[2]: the fence the plan was made against ('' = none); ARGV[3]: the fence after the batch;
-- then operations:
--   T keyIndex field kinds tile      merge a tile ('index|part|...'; kinds: s = sum, n = min, x = max per part)
--   L keyIndex field value           keep the later of two 'timeMs|value' (ties: the greater string)
--   M keyIndex field number          keep the maximum
--   H keyIndex count member...       PFADD
--   X keyIndex milliseconds          PEXPIRE
-- Returns {1, tiles dropped} when applied, {0, current fence} when the fence moved (another writer got there first).
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then
  return {0, current}
end

local function split(s)
  local parts, start = {}, 1
  while true do
    local bar = string.find(s, '|', start, true)
    if not bar then
      parts[#parts + 1] = string.sub(s, start)
      return parts
    end
    parts[#parts + 1] = string.sub(s, start, bar - 1)
    start = bar + 1
  end
end

local function num(text)
  if text == nil or text == '' then return nil end
  return tonumber(text)
end

local function fmt(x)
  if x == nil then return '' end
  if x == math.floor(x) and math.abs(x) < 1e15 then return string.format('%d', x) end
  return string.format('%.17g', x)
end

local function merge_tile(kinds, old, new)
  if not old then return new, 0 end
  local a, b = split(old), split(new)
  local ia, ib = tonumber(a[1]), tonumber(b[1])
  if ia > ib then return old, 1 end
  if ia < ib then return new, 0 end
  local out = {a[1]}
  for k = 1, #kinds do
    local kind = string.sub(kinds, k, k)
    local x, y = num(a[k + 1]), num(b[k + 1])
    local r
    if x == nil then r = y
    elseif y == nil then r = x
    elseif kind == 's' then r = x + y
    elseif kind == 'n' then r = math.min(x, y)
    else r = math.max(x, y) end
    out[#out + 1] = fmt(r)
  end
  return table.concat(out, '|'), 0
end

local function time_of(latest)
  return tonumber(string.sub(latest, 1, string.find(latest, '|', 1, true) - 1))
end

local dropped = 0
local i = 4
while i <= #ARGV do
  local op, key = ARGV[i], KEYS[tonumber(ARGV[i + 1])]
  if op == 'T' then
    local merged, lost = merge_tile(ARGV[i + 3], redis.call('HGET', key, ARGV[i + 2]), ARGV[i + 4])
    dropped = dropped + lost
    if lost == 0 then redis.call('HSET', key, ARGV[i + 2], merged) end
    i = i + 5
  elseif op == 'L' then
    local old, new = redis.call('HGET', key, ARGV[i + 2]), ARGV[i + 3]
    if not old or time_of(new) > time_of(old) or (time_of(new) == time_of(old) and new > old) then
      redis.call('HSET', key, ARGV[i + 2], new)
    end
    i = i + 4
  elseif op == 'M' then
    local old = tonumber(redis.call('HGET', key, ARGV[i + 2]) or '')
    if old == nil or tonumber(ARGV[i + 3]) > old then redis.call('HSET', key, ARGV[i + 2], ARGV[i + 3]) end
    i = i + 4
  elseif op == 'H' then
    local count = tonumber(ARGV[i + 2])
    redis.call('PFADD', key, unpack(ARGV, i + 3, i + 2 + count))
    i = i + 3 + count
  elseif op == 'X' then
    redis.call('PEXPIRE', key, ARGV[i + 2])
    i = i + 3
  else
    return redis.error_reply('unknown operation ' .. tostring(op) .. ' at ARGV ' .. i)
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return {1, dropped}
