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
            switch (aggregation.Function)
            {
                case AggregationFunction.Sum:
                    _offsets[aggregation.Name] = kinds.Count;
                    kinds.Add(PartKind.Sum);
                    break;
                case AggregationFunction.Mean:
                    _offsets[aggregation.Name] = kinds.Count;
                    kinds.Add(PartKind.Sum);
                    kinds.Add(PartKind.Sum);
                    break;
                case AggregationFunction.Min:
                    _offsets[aggregation.Name] = kinds.Count;
                    kinds.Add(PartKind.Min);
                    break;
                case AggregationFunction.Max:
                    _offsets[aggregation.Name] = kinds.Count;
                    kinds.Add(PartKind.Max);
                    break;
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
