using MlOps.Common.Spec;
using StackExchange.Redis;

namespace MlOps.Common.Features;

/// <summary>One entity of one view to read, at the read's time unless <paramref name="At"/> says otherwise.</summary>
public sealed record FeatureRequest(FeatureView View, string Entity, DateTime? At = null);

/// <summary>What one entity's read returned from Redis, before decoding: its hash and its distinct counts by feature.</summary>
/// <remarks>
/// Requests for the same entity share its <see cref="Hash"/> and <see cref="Windows"/> (the windows already combined
/// from it, by window and first tile), so a batch reading one entity at many nearby times decodes its tiles once.
/// </remarks>
public sealed record StoredEntity(
    FeatureRequest Request, long AtMs, Dictionary<string, string> Hash, Dictionary<string, long> DistinctCounts,
    Dictionary<(int Window, long FirstTile), Tile> Windows)
{
    /// <summary>The entity's newest event time as stored (the hash's latest field), if any.</summary>
    public long? NewestEventTimeMs =>
        Hash.TryGetValue(FeatureKeys.LatestField, out var text)
        && long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? ms
            : null;

    public FeatureVector Decode(long atMs) => FeatureDecoder.Decode(Request.View, Request.Entity, Hash, DistinctCounts, atMs, Windows);
}

/// <summary>
/// Reads the online store: any number of (view, entity) pairs in one pipelined round trip (an HGETALL per pair and
/// a PFCOUNT per distinct-count feature), decoded at the read time with TTLs enforced and ages reported. This is
/// the client library Inference uses; the Features service's read API is a thin layer over it.
/// </summary>
public sealed class FeatureStoreReader(IConnectionMultiplexer redis)
{
    public async Task<IReadOnlyList<FeatureVector>> ReadAsync(IReadOnlyList<FeatureRequest> requests, DateTime at)
    {
        var stored = await Queue(requests, at).ReadAsync();
        var vectors = new FeatureVector[stored.Count];
        for (var i = 0; i < stored.Count; i++)
        {
            vectors[i] = stored[i].Decode(stored[i].AtMs);
        }
        return vectors;
    }

    /// <summary>
    /// Sends the reads now, on the multiplexer's connection, without waiting: they run after every command sent
    /// before them (e.g. a write whose result is still in flight). Await <see cref="QueuedRead.ReadAsync"/> for them.
    /// A micro-batch often reads one entity for many events (at different times): each key is fetched once, and each
    /// distinct set of HyperLogLog tiles counted once.
    /// </summary>
    public QueuedRead Queue(IReadOnlyList<FeatureRequest> requests, DateTime at)
    {
        var defaultMs = ToUnixMs(at);
        var times = new long[requests.Count];
        var batch = redis.GetDatabase().CreateBatch();
        var hashReads = new Dictionary<string, Task<HashEntry[]>>(StringComparer.Ordinal);
        var countReads = new Dictionary<string, Task<long>>(StringComparer.Ordinal);
        var hashes = new Task<HashEntry[]>[requests.Count];
        var distinct = new (string Feature, Task<long> Count)[requests.Count][];
        for (var i = 0; i < requests.Count; i++)
        {
            var (view, entity) = (requests[i].View, requests[i].Entity);
            var atMs = times[i] = requests[i].At is { } own ? ToUnixMs(own) : defaultMs;
            var compiled = CompiledView.Of(view);
            var key = FeatureKeys.Entity(compiled, entity);
            if (!hashReads.TryGetValue(key, out var hash))
            {
                hashReads[key] = hash = batch.HashGetAllAsync(key);
            }
            hashes[i] = hash;
            var reads = compiled.DistinctReads;
            distinct[i] = reads.Count == 0 ? [] : new (string, Task<long>)[reads.Count];
            for (var r = 0; r < reads.Count; r++)
            {
                var read = reads[r];
                var current = Math.DivRem(atMs, read.TileMs) is var (q, rem) && rem < 0 ? q - 1 : q;
                var keys = new RedisKey[read.TilesPerWindow];
                var prefix = key + read.KeySuffix;
                for (var t = 0; t < keys.Length; t++)
                {
                    keys[t] = prefix + (current - read.TilesPerWindow + 1 + t).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                var countKey = prefix + "@" + current.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (!countReads.TryGetValue(countKey, out var count))
                {
                    countReads[countKey] = count = batch.HyperLogLogLengthAsync(keys);
                }
                distinct[i][r] = (read.FeatureName, count);
            }
        }
        batch.Execute();
        return new QueuedRead(requests, times, hashes, distinct, hashReads.Count + countReads.Count);
    }

    private static long ToUnixMs(DateTime time) => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}

/// <summary>Reads sent by <see cref="FeatureStoreReader.Queue"/>, not yet awaited.</summary>
public sealed class QueuedRead
{
    private readonly IReadOnlyList<FeatureRequest> _requests;
    private readonly long[] _times;
    private readonly Task<HashEntry[]>[] _hashes;
    private readonly (string Feature, Task<long> Count)[][] _distinct;

    internal QueuedRead(
        IReadOnlyList<FeatureRequest> requests, long[] times, Task<HashEntry[]>[] hashes, (string Feature, Task<long> Count)[][] distinct, int operations)
    {
        RedisOperations = operations;
        _requests = requests;
        _times = times;
        _hashes = hashes;
        _distinct = distinct;
    }

    /// <summary>Redis commands the reads issued (an HGETALL per entity and a PFCOUNT per distinct-count feature).</summary>
    public int RedisOperations { get; }

    public async Task<IReadOnlyList<StoredEntity>> ReadAsync()
    {
        await Task.WhenAll(_hashes);
        foreach (var entity in _distinct)
        {
            foreach (var (_, count) in entity)
            {
                await count;
            }
        }
        var stored = new StoredEntity[_requests.Count];
        var shared = new Dictionary<Task<HashEntry[]>, (Dictionary<string, string> Hash, Dictionary<(int, long), Tile> Windows)>();
        for (var i = 0; i < stored.Length; i++)
        {
            if (!shared.TryGetValue(_hashes[i], out var entity))
            {
                var entries = _hashes[i].Result;
                var hash = new Dictionary<string, string>(entries.Length, StringComparer.Ordinal);
                foreach (var entry in entries)
                {
                    hash[(string)entry.Name!] = (string)entry.Value!;
                }
                shared[_hashes[i]] = entity = (hash, []);
            }
            var counts = new Dictionary<string, long>(_distinct[i].Length, StringComparer.Ordinal);
            foreach (var (feature, count) in _distinct[i])
            {
                counts[feature] = count.Result;
            }
            stored[i] = new StoredEntity(_requests[i], _times[i], entity.Hash, counts, entity.Windows);
        }
        return stored;
    }
}
