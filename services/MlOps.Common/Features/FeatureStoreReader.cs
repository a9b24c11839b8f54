using MlOps.Common.Spec;
using StackExchange.Redis;

namespace MlOps.Common.Features;

/// <summary>One entity of one view to read, at the read's time unless <paramref name="At"/> says otherwise.</summary>
public sealed record FeatureRequest(FeatureView View, string Entity, DateTime? At = null);

/// <summary>
/// Reads the online store: any number of (view, entity) pairs in one pipelined round trip (an HGETALL per pair and
/// a PFCOUNT per distinct-count feature), decoded at the read time with TTLs enforced and ages reported. This is
/// the client library Inference uses; the Features service's read API is a thin layer over it.
/// </summary>
public sealed class FeatureStoreReader(IConnectionMultiplexer redis)
{
    public async Task<IReadOnlyList<FeatureVector>> ReadAsync(IReadOnlyList<FeatureRequest> requests, DateTime at)
    {
        var defaultMs = ToUnixMs(at);
        var times = requests.Select(r => r.At is { } own ? ToUnixMs(own) : defaultMs).ToArray();
        var batch = redis.GetDatabase().CreateBatch();
        // A micro-batch often reads one entity for many events (at different times): each key is fetched once, and
        // each distinct set of HyperLogLog tiles counted once; decoding at each request's own time stays per request.
        var hashReads = new Dictionary<string, Task<HashEntry[]>>(StringComparer.Ordinal);
        var countReads = new Dictionary<string, Task<long>>(StringComparer.Ordinal);
        var hashes = new Task<HashEntry[]>[requests.Count];
        var distinct = new List<(string Feature, Task<long> Count)>[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var (view, entity, atMs) = (requests[i].View, requests[i].Entity, times[i]);
            var key = FeatureKeys.Entity(view, entity);
            if (!hashReads.TryGetValue(key, out var hash))
            {
                hashReads[key] = hash = batch.HashGetAllAsync(key);
            }
            hashes[i] = hash;
            distinct[i] = [];
            var compiled = CompiledView.Of(view);
            for (var w = 0; w < compiled.DistinctAggregations.Count; w++)
            {
                foreach (var aggregation in compiled.DistinctAggregations[w])
                {
                    var keys = FeatureDecoder.DistinctKeys(view, entity, aggregation, w, atMs).ToArray();
                    var countKey = string.Join('\n', keys);
                    if (!countReads.TryGetValue(countKey, out var count))
                    {
                        countReads[countKey] = count = batch.HyperLogLogLengthAsync(keys.Select(k => (RedisKey)k).ToArray());
                    }
                    distinct[i].Add((aggregation.FeatureName(view.Windows[w]), count));
                }
            }
        }
        batch.Execute();
        await Task.WhenAll(hashReads.Values);
        await Task.WhenAll(countReads.Values);

        var decoded = new Dictionary<Task<HashEntry[]>, (Dictionary<string, string> Hash, Dictionary<(int, long), Tile> Windows)>();
        var vectors = new FeatureVector[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            if (!decoded.TryGetValue(hashes[i], out var entity))
            {
                decoded[hashes[i]] = entity = (hashes[i].Result.ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal), []);
            }
            var counts = distinct[i].ToDictionary(d => d.Feature, d => d.Count.Result, StringComparer.Ordinal);
            vectors[i] = FeatureDecoder.Decode(requests[i].View, requests[i].Entity, entity.Hash, counts, times[i], entity.Windows);
        }
        return vectors;
    }

    private static long ToUnixMs(DateTime time) => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
}
