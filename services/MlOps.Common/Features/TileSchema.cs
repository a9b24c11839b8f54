using MlOps.Common.Spec;

namespace MlOps.Common.Features;

/// <summary>How the partial values of one merge behave: summed, minimum or maximum.</summary>
public enum PartKind
{
    Sum = 's',
    Min = 'n',
    Max = 'x',
}

/// <summary>
/// The numeric parts a tile of one window holds: the event count, then per windowed numeric aggregation its
/// parts (sum: sum; mean: sum and value count; min; max). Distinct counts live in HyperLogLogs beside the tiles.
/// </summary>
public sealed class TileSchema
{
    private readonly Dictionary<string, int> _offsets = new(StringComparer.Ordinal);

    public TileSchema(FeatureView view, FeatureWindow window)
    {
        var kinds = new List<PartKind> { PartKind.Sum };
        foreach (var aggregation in view.Aggregations.Where(a => a.Windows.Contains(window)))
        {
            PartKind[] parts = aggregation.Function switch
            {
                AggregationFunction.Sum => [PartKind.Sum],
                AggregationFunction.Mean => [PartKind.Sum, PartKind.Sum], // sum of values, count of values
                AggregationFunction.Min => [PartKind.Min],
                AggregationFunction.Max => [PartKind.Max],
                _ => [], // count uses part 0; distinct counts live in HyperLogLogs
            };
            if (parts.Length > 0)
            {
                _offsets[aggregation.Name] = kinds.Count;
                kinds.AddRange(parts);
            }
        }
        Kinds = kinds;
        KindCodes = new string(kinds.Select(k => (char)k).ToArray());
    }

    public IReadOnlyList<PartKind> Kinds { get; }

    /// <summary>One character per part ('s', 'n', 'x'), as the Lua merge reads them.</summary>
    public string KindCodes { get; }

    /// <summary>Where the aggregation's parts start in a tile.</summary>
    public int Offset(Aggregation aggregation) => _offsets[aggregation.Name];
}
