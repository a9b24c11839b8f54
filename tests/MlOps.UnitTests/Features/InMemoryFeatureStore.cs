using System.Globalization;
using MlOps.Common.Features;
using MlOps.Common.Spec;
using MlOps.Features.Store;

namespace MlOps.Testing.Features;

/// <summary>
/// The store's merge semantics over dictionaries, for testing the pure planning and decoding logic (the Lua script
/// is tested against the same expectations on a real redis-server in the integration tests). Distinct counts are
/// exact here where Redis uses HyperLogLog.
/// </summary>
internal sealed class InMemoryFeatureStore
{
    /// <summary>The store after applying each partition's events in offset order (the definition of the right state).</summary>
    public static InMemoryFeatureStore Oracle(ViewCatalog views, string topic, IEnumerable<(int Partition, FeatureEvent Event)> events)
    {
        var store = new InMemoryFeatureStore();
        foreach (var partition in events.GroupBy(e => e.Partition))
        {
            store.Process(views, topic, partition.Key, partition.Select(e => e.Event).OrderBy(e => e.Offset).ToList());
        }
        return store;
    }

    private readonly Dictionary<string, Dictionary<string, string>> _hashes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _distinct = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Fence> _fences = new(StringComparer.Ordinal);

    public Fence FenceOf(string topic, int partition) => _fences.GetValueOrDefault(FeatureKeys.FenceField(topic, partition), Fence.Start);

    public bool Apply(WritePlan plan)
    {
        var fenceField = FeatureKeys.FenceField(plan.Topic, plan.Partition);
        if (_fences.GetValueOrDefault(fenceField, Fence.Start) != plan.Expected)
        {
            return false;
        }
        foreach (var ((key, field), (tile, schema)) in plan.Tiles)
        {
            var hash = Hash(key);
            hash[field] = hash.TryGetValue(field, out var old) ? Tile.Merge(Tile.Decode(old), tile, schema).Encode() : tile.Encode();
        }
        foreach (var ((key, field), value) in plan.Lasts)
        {
            var hash = Hash(key);
            hash[field] = LatestValue.Merge(hash.GetValueOrDefault(field), value);
        }
        foreach (var (key, newest) in plan.Latest)
        {
            var hash = Hash(key);
            hash[FeatureKeys.LatestField] = Math.Max(newest, hash.TryGetValue(FeatureKeys.LatestField, out var old) ? long.Parse(old, CultureInfo.InvariantCulture) : long.MinValue).ToString(CultureInfo.InvariantCulture);
        }
        foreach (var (key, members) in plan.Distinct)
        {
            if (!_distinct.TryGetValue(key, out var set))
            {
                _distinct[key] = set = new HashSet<string>(StringComparer.Ordinal);
            }
            set.UnionWith(members);
        }
        _fences[fenceField] = plan.Next;
        return true;
    }

    /// <summary>Plans and applies a batch the way the service does: against the current fence.</summary>
    public WritePlan Process(ViewCatalog views, string topic, int partition, IReadOnlyList<FeatureEvent> events)
    {
        var plan = FeaturePlanner.Plan(views, topic, partition, FenceOf(topic, partition), events);
        Assert.True(Apply(plan));
        return plan;
    }

    public FeatureVector Read(FeatureView view, string entity, long atMs)
    {
        var hash = _hashes.GetValueOrDefault(FeatureKeys.Entity(view, entity)) ?? new Dictionary<string, string>();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var w = 0; w < view.Windows.Count; w++)
        {
            foreach (var aggregation in view.Aggregations.Where(a => a.Function == AggregationFunction.DistinctCount && a.Windows.Contains(view.Windows[w])))
            {
                counts[aggregation.FeatureName(view.Windows[w])] = FeatureDecoder.DistinctKeys(view, entity, aggregation, w, atMs)
                    .SelectMany(k => _distinct.GetValueOrDefault(k) ?? [])
                    .Distinct(StringComparer.Ordinal)
                    .Count();
            }
        }
        return FeatureDecoder.Decode(view, entity, hash, counts, atMs);
    }

    /// <summary>Everything stored, for comparing two stores (distinct counts exact).</summary>
    public string Snapshot() => StoreSnapshot.Format(
        _hashes.ToDictionary(h => h.Key, h => (IReadOnlyDictionary<string, string>)h.Value, StringComparer.Ordinal),
        _distinct.ToDictionary(d => d.Key, d => (long)d.Value.Count, StringComparer.Ordinal),
        _fences.ToDictionary(f => f.Key, f => f.Value.Encode(), StringComparer.Ordinal));

    private Dictionary<string, string> Hash(string key)
    {
        if (!_hashes.TryGetValue(key, out var hash))
        {
            _hashes[key] = hash = new Dictionary<string, string>(StringComparer.Ordinal);
        }
        return hash;
    }
}
