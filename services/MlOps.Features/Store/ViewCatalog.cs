using MlOps.Common.Features;
using MlOps.Common.Spec;

namespace MlOps.Features.Store;

/// <summary>A feature view with its tile layouts and schemas worked out once.</summary>
public sealed class CompiledView
{
    public CompiledView(FeatureView view)
    {
        View = view;
        Layouts = Enumerable.Range(0, view.Windows.Count).Select(w => TileLayout.For(view, w)).ToList();
        Schemas = view.Windows.Select(w => new TileSchema(view, w)).ToList();
        WindowAggregations = view.Windows.Select(w => view.Aggregations.Where(a => a.Windows.Contains(w)).ToList()).ToList();
        LastAggregations = view.Aggregations.Where(a => a.Function == AggregationFunction.Last).ToList();
        var longest = Layouts.Count == 0 ? 0 : Layouts.Max(l => l.TileMs * l.Ring);
        RetentionMs = (long)view.Ttl.TotalMilliseconds + longest;
        DistinctRetentionMs = Layouts.Select(l => l.TileMs * l.Ring).ToList();
    }

    public FeatureView View { get; }

    public IReadOnlyList<TileLayout> Layouts { get; }

    public IReadOnlyList<TileSchema> Schemas { get; }

    public IReadOnlyList<IReadOnlyList<Aggregation>> WindowAggregations { get; }

    public IReadOnlyList<Aggregation> LastAggregations { get; }

    /// <summary>How long (wall clock) an entity's hash outlives its last write: TTL plus the longest tile ring.</summary>
    public long RetentionMs { get; }

    public IReadOnlyList<long> DistinctRetentionMs { get; }
}

/// <summary>The views of one spec version, indexed by the event types that feed them.</summary>
public sealed class ViewCatalog
{
    private readonly Dictionary<string, List<CompiledView>> _bySource = new(StringComparer.Ordinal);

    public ViewCatalog(IEnumerable<FeatureView> views)
    {
        Views = views.Select(v => new CompiledView(v)).ToList();
        foreach (var view in Views)
        {
            foreach (var source in view.View.Sources)
            {
                if (!_bySource.TryGetValue(source, out var list))
                {
                    _bySource[source] = list = [];
                }
                list.Add(view);
            }
        }
    }

    public IReadOnlyList<CompiledView> Views { get; }

    public IReadOnlyList<CompiledView> Fed(string eventType) => _bySource.TryGetValue(eventType, out var views) ? views : [];
}
