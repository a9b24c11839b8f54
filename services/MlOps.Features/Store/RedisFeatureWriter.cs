using MlOps.Common.Features;
using StackExchange.Redis;

namespace MlOps.Features.Store;

/// <summary>The outcome of applying a plan: applied, or refused because the fence moved (then re-plan).</summary>
public readonly record struct ApplyResult(bool Applied, Fence Current, int TilesDropped);

/// <summary>
/// Applies write plans to Redis with one EVALSHA each (apply.lua): the fence check, every tile merge, last value,
/// HyperLogLog add and expiry, and the new fence, atomically. A crash before the call leaves nothing applied; after
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
        foreach (var ((key, field), (tile, schema)) in plan.Tiles)
        {
            args.AddRange(["T", Index(key), field, schema.KindCodes, tile.Encode()]);
        }
        foreach (var ((key, field), value) in plan.Lasts)
        {
            args.AddRange(["L", Index(key), field, value]);
        }
        foreach (var (key, newest) in plan.Latest)
        {
            args.AddRange(["M", Index(key), FeatureKeys.LatestField, newest]);
        }
        foreach (var (key, members) in plan.Distinct)
        {
            args.AddRange(["H", Index(key), members.Count]);
            args.AddRange(members.Select(m => (RedisValue)m));
        }
        foreach (var (key, milliseconds) in plan.Retention)
        {
            args.AddRange(["X", Index(key), milliseconds]);
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
