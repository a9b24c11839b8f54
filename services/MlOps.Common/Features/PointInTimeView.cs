using System.Globalization;
using MlOps.Common.Spec;

namespace MlOps.Common.Features;

/// <summary>
/// One feature view replayed in memory for offline training: the same tiles (layout, ring slots, merge) the online
/// store keeps and the same <see cref="FeatureDecoder"/> read, so a training row sees what serving would have served.
/// Point-in-time correctness is the caller's order: read an event's values before <see cref="Observe"/> adds it
/// (and anything at the same time). Distinct counts and last values are not kept: training does not use them.
/// </summary>
public sealed class PointInTimeView
{
    private static readonly IReadOnlyDictionary<string, long> NoDistinctCounts = new Dictionary<string, long>();

    private readonly CompiledView _view;
    private readonly Dictionary<string, Dictionary<string, string>> _hashes = new(StringComparer.Ordinal);

    public PointInTimeView(FeatureView view) => _view = CompiledView.Of(view);

    public FeatureView View => _view.View;

    /// <summary>Adds one event the way the Features service's planner does (count, sum, mean, min, max parts).</summary>
    public void Observe(IReadOnlyDictionary<string, object?> attributes, long eventTimeMs)
    {
        if (EntityKey.Of(_view.View, attributes) is not { } entity)
        {
            return;
        }
        if (!_hashes.TryGetValue(entity, out var hash))
        {
            _hashes[entity] = hash = new Dictionary<string, string>(StringComparer.Ordinal);
        }
        var newest = hash.TryGetValue(FeatureKeys.LatestField, out var latest) ? Math.Max(long.Parse(latest, CultureInfo.InvariantCulture), eventTimeMs) : eventTimeMs;
        hash[FeatureKeys.LatestField] = newest.ToString(CultureInfo.InvariantCulture);
        for (var w = 0; w < _view.Layouts.Count; w++)
        {
            var layout = _view.Layouts[w];
            var schema = _view.Schemas[w];
            var index = layout.TileIndex(eventTimeMs);
            var parts = Tile.Empty(index, schema).Parts;
            parts[0] = 1;
            foreach (var aggregation in _view.WindowAggregations[w])
            {
                if (aggregation.Function is AggregationFunction.Count or AggregationFunction.DistinctCount
                    || Numeric(attributes.GetValueOrDefault(aggregation.Attribute ?? "")) is not { } number)
                {
                    continue;
                }
                var offset = schema.Offset(aggregation);
                parts[offset] = number;
                if (aggregation.Function == AggregationFunction.Mean)
                {
                    parts[offset + 1] = 1;
                }
            }
            var field = _view.TileFields[w][layout.Slot(index)];
            var tile = new Tile(index, parts);
            hash[field] = hash.TryGetValue(field, out var old) ? Tile.Merge(Tile.Decode(old), tile, schema).Encode() : tile.Encode();
        }
    }

    /// <summary>The entity's values at <paramref name="atMs"/>, decoded exactly as the online read decodes them.</summary>
    public FeatureVector Read(string entity, long atMs) =>
        FeatureDecoder.Decode(_view.View, entity, _hashes.GetValueOrDefault(entity) ?? new Dictionary<string, string>(), NoDistinctCounts, atMs);

    private static double? Numeric(object? value) => value switch
    {
        long l => l,
        double d when double.IsFinite(d) => d,
        _ => null,
    };
}
