-- Applies one partition's batch to the online store atomically, fenced by the partition's last applied offset.
-- KEYS[1]: the fence hash; KEYS[2..]: keys the operations name by index.
-- ARGV[1]: fence field; ARGV[2]: the fence the plan was made against ('' = none); ARGV[3]: the fence after the batch;
-- then operations, one per key:
--   E keyIndex retentionMs tiles lasts latest [field kinds tile]*tiles [field value]*lasts [newestMs]*latest
--       for one entity hash: one HMGET of every field it touches, the merges, one HSET of the changed fields and
--       one PEXPIRE. Tiles are 'index|part|...' (kinds: s = sum, n = min, x = max per part); last values are
--       'timeMs|value' (the later wins, ties go to the ordinally greater string, as LatestValue.Merge);
--       'latest' keeps the maximum.
--   H keyIndex retentionMs count member*count    PFADD and PEXPIRE of one HyperLogLog
-- Returns {1, tiles dropped, [keyIndex, tiles dropped]*} when applied (the pairs name each entity key whose tile
-- merges were refused, so drops can be told apart per view), {0, current fence} when the fence moved (another writer
-- got there first).
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then
  return {0, current}
end

local find, sub, format, floor, abs, tonumber, concat, call, unpack = string.find, string.sub, string.format, math.floor, math.abs, tonumber, table.concat, redis.call, unpack

local function fmt(x)
  if x == nil then return '' end
  if x == floor(x) and abs(x) < 1e15 then return format('%d', x) end
  return format('%.17g', x)
end

-- Merges two encoded tiles in one pass over both strings (no intermediate tables): the higher index wins the
-- slot, equal indexes combine part by part.
local byte, min, max = string.byte, math.min, math.max
local S, N = byte('s'), byte('n')
local function merge_tile(kinds, old, new)
  if not old then return new, 0 end
  local ea, eb = find(old, '|', 1, true), find(new, '|', 1, true)
  local ia, ib = tonumber(sub(old, 1, ea - 1)), tonumber(sub(new, 1, eb - 1))
  if ia > ib then return old, 1 end
  if ia < ib then return new, 0 end
  local out = {sub(old, 1, ea - 1)}
  for k = 1, #kinds do
    -- A stored tile with fewer parts than the schema (none is written so) reads its missing parts as empty.
    local na, nb = ea and find(old, '|', ea + 1, true), eb and find(new, '|', eb + 1, true)
    local x = ea and tonumber(sub(old, ea + 1, (na or 0) - 1))
    local y = eb and tonumber(sub(new, eb + 1, (nb or 0) - 1))
    local r
    if x == nil then r = y
    elseif y == nil then r = x
    else
      local kind = byte(kinds, k)
      if kind == S then r = x + y
      elseif kind == N then r = min(x, y)
      else r = max(x, y) end
    end
    out[k + 1] = fmt(r)
    ea, eb = na, nb
  end
  return concat(out, '|'), 0
end

local function time_of(latest)
  return tonumber(sub(latest, 1, find(latest, '|', 1, true) - 1))
end

-- a > b in UTF-16 code unit order, C#'s ordinal order that LatestValue.Merge uses. Not Lua's '>': that is strcoll,
-- i.e. the collation of the locale redis-server started in (it calls setlocale(LC_COLLATE, "")), where 'a' > 'B'
-- may hold. Well-formed UTF-8 bytes compare as code points; UTF-16 differs only in putting characters above U+FFFF
-- (lead bytes F0..F4; surrogate pairs there) before U+E000..U+FFFF (lead bytes EE, EF). The first differing bytes
-- are both leads or both continuations of one lead, so only leads need that correction.
local function greater(a, b)
  local la, lb = #a, #b
  for k = 1, min(la, lb) do
    local x, y = byte(a, k), byte(b, k)
    if x ~= y then
      if x >= 0xF0 and (y == 0xEE or y == 0xEF) then return false end
      if y >= 0xF0 and (x == 0xEE or x == 0xEF) then return true end
      return x > y
    end
  end
  return la > lb
end

local reply, dropped = {1, 0}, 0
local i = 4
while i <= #ARGV do
  local op, key = ARGV[i], KEYS[tonumber(ARGV[i + 1])]
  if op == 'E' then
    local retention, tiles, lasts, latest = ARGV[i + 2], tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5])
    local at = i + 6
    local fields = {}
    for t = 0, tiles - 1 do fields[#fields + 1] = ARGV[at + t * 3] end
    local lastAt = at + tiles * 3
    for l = 0, lasts - 1 do fields[#fields + 1] = ARGV[lastAt + l * 2] end
    if latest == 1 then fields[#fields + 1] = 'latest' end
    local old = call('HMGET', key, unpack(fields))
    local set, lost_here = {}, 0
    for t = 0, tiles - 1 do
      local merged, lost = merge_tile(ARGV[at + t * 3 + 1], old[t + 1], ARGV[at + t * 3 + 2])
      if lost == 0 then
        set[#set + 1] = ARGV[at + t * 3]
        set[#set + 1] = merged
      else
        lost_here = lost_here + 1
      end
    end
    if lost_here > 0 then
      dropped = dropped + lost_here
      reply[#reply + 1] = tonumber(ARGV[i + 1])
      reply[#reply + 1] = lost_here
    end
    for l = 0, lasts - 1 do
      local previous, new = old[tiles + l + 1], ARGV[lastAt + l * 2 + 1]
      local tn, tp = time_of(new), previous and time_of(previous)
      if not previous or tn > tp or (tn == tp and greater(new, previous)) then
        set[#set + 1] = ARGV[lastAt + l * 2]
        set[#set + 1] = new
      end
    end
    local next = lastAt + lasts * 2
    if latest == 1 then
      local previous = tonumber(old[tiles + lasts + 1] or '')
      if previous == nil or tonumber(ARGV[next]) > previous then
        set[#set + 1] = 'latest'
        set[#set + 1] = ARGV[next]
      end
      next = next + 1
    end
    if #set > 0 then call('HSET', key, unpack(set)) end
    call('PEXPIRE', key, retention)
    i = next
  elseif op == 'H' then
    local count = tonumber(ARGV[i + 3])
    call('PFADD', key, unpack(ARGV, i + 4, i + 3 + count))
    call('PEXPIRE', key, ARGV[i + 2])
    i = i + 4 + count
  else
    return redis.error_reply('unknown operation ' .. tostring(op) .. ' at ARGV ' .. i)
  end
end
call('HSET', KEYS[1], ARGV[1], ARGV[3])
reply[2] = dropped
return reply
