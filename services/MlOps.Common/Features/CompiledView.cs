using System.Runtime.CompilerServices;
using MlOps.Common.Spec;

namespace MlOps.Common.Features;

/// <summary>One distinct-count feature as a read needs it: its name, HyperLogLog key suffix and tiling.</summary>
public sealed record DistinctRead(string FeatureName, string KeySuffix, long TileMs, int TilesPerWindow);

/// <summary>A feature view with its tile layouts and schemas worked out once.</summary>
public sealed class CompiledView
{
    private static readonly ConditionalWeakTable<FeatureView, CompiledView> Cache = new();

    /// <summary>The compiled form of a view, built once per view instance (a spec reload brings new instances).</summary>
    public static CompiledView Of(FeatureView view) => Cache.GetValue(view, v => new CompiledView(v));

    private CompiledView(FeatureView view)
    {
        View = view;
        Layouts = Enumerable.Range(0, view.Windows.Count).Select(w => TileLayout.For(view, w)).ToList();
        Schemas = view.Windows.Select(w => new TileSchema(view, w)).ToList();
        WindowAggregations = view.Windows.Select(w => view.Aggregations.Where(a => a.Windows.Contains(w)).ToList()).ToList();
        LastAggregations = view.Aggregations.Where(a => a.Function == AggregationFunction.Last).ToList();
        var longest = Layouts.Count == 0 ? 0 : Layouts.Max(l => l.TileMs * l.Ring);
        RetentionMs = (long)view.Ttl.TotalMilliseconds + longest;
        DistinctRetentionMs = Layouts.Select(l => l.TileMs * l.Ring).ToList();
        DistinctAggregations = WindowAggregations
            .Select(list => (IReadOnlyList<Aggregation>)list.Where(a => a.Function == AggregationFunction.DistinctCount).ToList())
            .ToList();
        TileFields = Layouts.Select(l => Enumerable.Range(0, l.Ring).Select(slot => FeatureKeys.TileField(l.WindowIndex, slot)).ToArray()).ToList();
        KeyPrefix = FeatureKeys.Entity(view, "");
        WindowFeatureNames = WindowAggregations.Select((list, w) => list.Select(a => a.FeatureName(view.Windows[w])).ToArray()).ToList();
        WindowOffsets = WindowAggregations.Select((list, w) => list.Select(a => a.Function is AggregationFunction.Count or AggregationFunction.DistinctCount ? -1 : Schemas[w].Offset(a)).ToArray()).ToList();
        LastFields = view.Aggregations.Where(a => a.Function == AggregationFunction.Last).ToDictionary(a => a.Name, FeatureKeys.LastField, StringComparer.Ordinal);
        FeatureCount = WindowAggregations.Sum(list => list.Count) + view.Aggregations.Count(a => a.Function is AggregationFunction.Last or AggregationFunction.TimeSinceLast);
        DistinctSuffixes = WindowAggregations
            .Select((list, w) => list.Select(a => a.Function == AggregationFunction.DistinctCount ? FeatureKeys.DistinctSuffix(a, view.Windows[w]) : null).ToArray())
            .ToList();
        DistinctReads = Layouts
            .SelectMany(l => DistinctAggregations[l.WindowIndex].Select(a => new DistinctRead(
                a.FeatureName(l.Window), FeatureKeys.DistinctSuffix(a, l.Window), l.TileMs, l.TilesPerWindow)))
            .ToList();
    }

    /// <summary>Per window, aligned with <see cref="WindowAggregations"/>: the feature names (computed once, not per read).</summary>
    public IReadOnlyList<string[]> WindowFeatureNames { get; }

    /// <summary>Per window, aligned with <see cref="WindowAggregations"/>: the tile part offset (-1 for count and distinct count).</summary>
    public IReadOnlyList<int[]> WindowOffsets { get; }

    /// <summary>Last-value aggregation name → its hash field.</summary>
    public IReadOnlyDictionary<string, string> LastFields { get; }

    /// <summary>Values a fresh read of the view holds.</summary>
    public int FeatureCount { get; }

    /// <summary>The entity hash key without the entity: computed once, not per event.</summary>
    public string KeyPrefix { get; }

    /// <summary>Per window, aligned with <see cref="WindowAggregations"/>: the HyperLogLog key suffix of a distinct count (null for others).</summary>
    public IReadOnlyList<string?[]> DistinctSuffixes { get; }

    /// <summary>Every distinct-count feature, in window order: what a read of the entity PFCOUNTs.</summary>
    public IReadOnlyList<DistinctRead> DistinctReads { get; }

    public FeatureView View { get; }

    public IReadOnlyList<TileLayout> Layouts { get; }

    public IReadOnlyList<TileSchema> Schemas { get; }

    public IReadOnlyList<IReadOnlyList<Aggregation>> WindowAggregations { get; }

    public IReadOnlyList<Aggregation> LastAggregations { get; }

    /// <summary>How long (wall clock) an entity's hash outlives its last write: TTL plus the longest tile ring.</summary>
    public long RetentionMs { get; }

    public IReadOnlyList<long> DistinctRetentionMs { get; }

    /// <summary>Per window, its distinct-count aggregations.</summary>
    public IReadOnlyList<IReadOnlyList<Aggregation>> DistinctAggregations { get; }

    /// <summary>Per window, the hash field name of each ring slot.</summary>
    public IReadOnlyList<string[]> TileFields { get; }
}
