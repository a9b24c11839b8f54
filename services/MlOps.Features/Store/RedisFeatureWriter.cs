using MlOps.Common.Features;
using StackExchange.Redis;

namespace MlOps.Features.Store;

/// <summary>The outcome of applying a plan: applied, or refused because the fence moved (then re-plan).</summary>
public readonly record struct ApplyResult(bool Applied, Fence Current, int TilesDropped);

/// <summary>
/// Applies write plans to Redis with one EVALSHA each (apply.lua): the fence check, then per entity one HMGET, the
/// merges and one HSET, per HyperLogLog one PFADD, expiries, and the new fence, atomically. A crash before the call leaves nothing applied; after
/// it, the fence makes the replay a no-op.
/// </summary>
public sealed class RedisFeatureWriter(IConnectionMultiplexer redis)
{
    private static readonly string Script = LoadScript();

    public async Task<Fence> ReadFenceAsync(string topic, int partition)
    {
        var value = await redis.GetDatabase().HashGetAsync(FeatureKeys.Fence, FeatureKeys.FenceField(topic, partition));
        return Fence.Decode(value);
    }

    public async Task<ApplyResult> ApplyAsync(WritePlan plan)
    {
        var keys = new List<RedisKey> { FeatureKeys.Fence };
        var keyIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        int Index(string key)
        {
            if (!keyIndex.TryGetValue(key, out var index))
            {
                keys.Add(key);
                keyIndex[key] = index = keys.Count; // Lua's KEYS is 1-based
            }
            return index;
        }

        var args = new List<RedisValue>
        {
            FeatureKeys.FenceField(plan.Topic, plan.Partition),
            plan.Expected == Fence.Start ? "" : plan.Expected.Encode(),
            plan.Next.Encode(),
        };
        var tiles = plan.Tiles.ToLookup(t => t.Key.Key, StringComparer.Ordinal);
        var lasts = plan.Lasts.ToLookup(l => l.Key.Key, StringComparer.Ordinal);
        foreach (var (key, newest) in plan.Latest)
        {
            var keyTiles = tiles[key].ToList();
            var keyLasts = lasts[key].ToList();
            args.AddRange(["E", Index(key), plan.Retention[key], keyTiles.Count, keyLasts.Count, 1]);
            foreach (var ((_, field), (tile, schema)) in keyTiles)
            {
                args.AddRange([field, schema.KindCodes, tile.Encode()]);
            }
            foreach (var ((_, field), value) in keyLasts)
            {
                args.AddRange([field, value]);
            }
            args.Add(newest);
        }
        foreach (var (key, members) in plan.Distinct)
        {
            args.AddRange(["H", Index(key), plan.Retention[key], members.Count]);
            args.AddRange(members.Select(m => (RedisValue)m));
        }

        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script, [.. keys], [.. args]))!;
        return (int)result[0] == 1
            ? new ApplyResult(true, plan.Next, (int)result[1])
            : new ApplyResult(false, Fence.Decode((string?)result[1]), 0);
    }

    private static string LoadScript()
    {
        using var stream = typeof(RedisFeatureWriter).Assembly.GetManifestResourceStream("apply.lua")
            ?? throw new InvalidOperationException("apply.lua is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
