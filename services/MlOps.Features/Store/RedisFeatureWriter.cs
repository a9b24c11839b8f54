using MlOps.Common.Features;
using StackExchange.Redis;

namespace MlOps.Features.Store;

/// <summary>
/// The outcome of applying a plan: applied, or refused because the fence moved (then re-plan). <see cref="TilesDropped"/>:
/// per view, the plan's tile merges the script refused because a newer tile holds the slot (not written).
/// <see cref="Resent"/>: Redis did not have the script cached (first use, or after a restart), so it was sent again
/// in full and may have run after commands issued behind it.
/// </summary>
public readonly record struct ApplyResult(bool Applied, Fence Current, IReadOnlyDictionary<string, int> TilesDropped, bool Resent = false);

/// <summary>A plan turned into the apply script's keys and arguments (work done before the Redis call is due).</summary>
public sealed class PreparedApply
{
    internal PreparedApply(WritePlan plan, RedisKey[] keys, RedisValue[] args, int operations)
    {
        Plan = plan;
        Keys = keys;
        Args = args;
        RedisOperations = operations;
    }

    public WritePlan Plan { get; }

    internal RedisKey[] Keys { get; }

    internal RedisValue[] Args { get; }

    /// <summary>The Redis commands the script runs: fence check and write, per entity HMGET, HSET and PEXPIRE, per
    /// HyperLogLog PFADD and PEXPIRE.</summary>
    public int RedisOperations { get; }
}

/// <summary>
/// Applies write plans to Redis with one EVALSHA each (apply.lua): the fence check, then per entity one HMGET, the
/// merges and one HSET, per HyperLogLog one PFADD, expiries, and the new fence, atomically. A crash before the call
/// leaves nothing applied; after it, the fence makes the replay a no-op. The script goes by its SHA1 (EVALSHA)
/// and is sent in full only when Redis does not know it, which the result reports: commands pipelined behind an
/// apply run after it except then.
/// </summary>
public sealed class RedisFeatureWriter(IConnectionMultiplexer redis)
{
    private static readonly string ScriptText = LoadScript();
    private static readonly byte[] ScriptSha1 = System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(ScriptText));
    private static readonly RedisValue E = "E", H = "H", One = 1;
    private static readonly IReadOnlyDictionary<string, int> NoneDropped = System.Collections.ObjectModel.ReadOnlyDictionary<string, int>.Empty;

    public async Task<Fence> ReadFenceAsync(string topic, int partition)
    {
        var value = await redis.GetDatabase().HashGetAsync(FeatureKeys.Fence, FeatureKeys.FenceField(topic, partition));
        return Fence.Decode(value);
    }

    public Task<ApplyResult> ApplyAsync(WritePlan plan) => ApplyAsync(Prepare(plan));

    /// <summary>The script's keys and arguments for <paramref name="plan"/>; pure, so it can run ahead of the call.</summary>
    public static PreparedApply Prepare(WritePlan plan)
    {
        var keys = new List<RedisKey>(plan.Latest.Count + plan.Distinct.Count + 1) { FeatureKeys.Fence };
        var args = new List<RedisValue>(8 + (plan.Latest.Count * 12) + (plan.Tiles.Count * 3) + (plan.Distinct.Count * 6))
        {
            FeatureKeys.FenceField(plan.Topic, plan.Partition),
            plan.Expected == Fence.Start ? "" : plan.Expected.Encode(),
            plan.Next.Encode(),
        };
        var tiles = new Dictionary<string, List<(string Field, TileSchema Schema, Tile Tile)>>(plan.Latest.Count, StringComparer.Ordinal);
        foreach (var ((key, field), (tile, schema)) in plan.Tiles)
        {
            if (!tiles.TryGetValue(key, out var list))
            {
                tiles[key] = list = [];
            }
            list.Add((field, schema, tile));
        }
        var lasts = new Dictionary<string, List<(string Field, string Value)>>(StringComparer.Ordinal);
        foreach (var ((key, field), value) in plan.Lasts)
        {
            if (!lasts.TryGetValue(key, out var list))
            {
                lasts[key] = list = [];
            }
            list.Add((field, value));
        }
        var operations = 2 + (plan.Latest.Count * 3) + (plan.Distinct.Count * 2);
        foreach (var (key, newest) in plan.Latest)
        {
            keys.Add(key);
            var keyTiles = tiles.GetValueOrDefault(key);
            var keyLasts = lasts.GetValueOrDefault(key);
            args.AddRange([E, keys.Count, plan.Retention[key], keyTiles?.Count ?? 0, keyLasts?.Count ?? 0, One]);
            foreach (var (field, schema, tile) in keyTiles ?? [])
            {
                args.AddRange([field, schema.KindCodes, tile.Encode()]);
            }
            foreach (var (field, value) in keyLasts ?? [])
            {
                args.AddRange([field, value]);
            }
            args.Add(newest);
        }
        foreach (var (key, members) in plan.Distinct)
        {
            keys.Add(key);
            args.AddRange([H, keys.Count, plan.Retention[key], members.Count]);
            foreach (var member in members)
            {
                args.Add(member);
            }
        }
        return new PreparedApply(plan, [.. keys], [.. args], operations);
    }

    /// <summary>Sends the script at once (before the first await), so calls made in a row run in that order.</summary>
    public async Task<ApplyResult> ApplyAsync(PreparedApply prepared)
    {
        var db = redis.GetDatabase();
        var resent = false;
        RedisResult[] result;
        try
        {
            result = (RedisResult[])(await db.ScriptEvaluateAsync(ScriptSha1, prepared.Keys, prepared.Args))!;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // EVAL loads it for the next EVALSHA; this call ran after whatever was pipelined behind the EVALSHA.
            resent = true;
            result = (RedisResult[])(await db.ScriptEvaluateAsync(ScriptText, prepared.Keys, prepared.Args))!;
        }
        return (int)result[0] == 1
            ? new ApplyResult(true, prepared.Plan.Next, DroppedByView(prepared, result), resent)
            : new ApplyResult(false, Fence.Decode((string?)result[1]), NoneDropped, resent);
    }

    /// <summary>The script's (key index, refused merges) pairs after its total, summed per view.</summary>
    private static IReadOnlyDictionary<string, int> DroppedByView(PreparedApply prepared, RedisResult[] result)
    {
        if (result.Length <= 2)
        {
            return NoneDropped;
        }
        var dropped = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var r = 2; r + 1 < result.Length; r += 2)
        {
            var view = prepared.Plan.Entities[(string)prepared.Keys[(int)result[r] - 1]!].View.View.Name;
            dropped[view] = dropped.GetValueOrDefault(view) + (int)result[r + 1];
        }
        return dropped;
    }

    private static string LoadScript()
    {
        using var stream = typeof(RedisFeatureWriter).Assembly.GetManifestResourceStream("apply.lua")
            ?? throw new InvalidOperationException("apply.lua is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
