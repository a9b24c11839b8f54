using MlOps.Common.Spec;

namespace MlOps.Common.Features;

/// <summary>
/// Turns an entity's stored hash (and its distinct counts) into feature values at a read time. Pure: the store
/// reads the hash and HyperLogLog counts in one round trip and hands them here.
/// </summary>
public static class FeatureDecoder
{
    /// <summary>The HyperLogLog keys a read of <paramref name="aggregation"/> over <paramref name="window"/> at a time merges.</summary>
    public static IEnumerable<string> DistinctKeys(FeatureView view, string entity, Aggregation aggregation, int windowIndex, long atMs)
    {
        var layout = CompiledView.Of(view).Layouts[windowIndex];
        var (first, last) = layout.WindowTiles(atMs);
        for (var tile = first; tile <= last; tile++)
        {
            yield return FeatureKeys.Distinct(view, entity, aggregation, layout.Window, tile);
        }
    }

    /// <param name="distinctCounts">PFCOUNT of <see cref="DistinctKeys"/>, by feature name.</param>
    /// <param name="windows">
    /// Windows already combined from this same <paramref name="hash"/>, by window and first tile: reads of one entity
    /// at times within the same tile share them (a batch reader passes one per hash; null combines every time).
    /// </param>
    public static FeatureVector Decode(
        FeatureView view, string entity, IReadOnlyDictionary<string, string> hash, IReadOnlyDictionary<string, long> distinctCounts, long atMs,
        Dictionary<(int Window, long FirstTile), Tile>? windows = null)
    {
        if (!hash.TryGetValue(FeatureKeys.LatestField, out var latestText) || !long.TryParse(latestText, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var newest))
        {
            return new FeatureVector(view.Name, view.Version, entity, FeatureStatus.Missing, atMs, null, null, new Dictionary<string, object?>());
        }
        var age = TimeSpan.FromMilliseconds(Math.Max(0, atMs - newest));
        if (age > view.Ttl)
        {
            return new FeatureVector(view.Name, view.Version, entity, FeatureStatus.Expired, atMs, newest, age, new Dictionary<string, object?>());
        }

        var compiled = CompiledView.Of(view);
        var values = new Dictionary<string, object?>(compiled.FeatureCount, StringComparer.Ordinal);
        for (var w = 0; w < compiled.Layouts.Count; w++)
        {
            var layout = compiled.Layouts[w];
            var schema = compiled.Schemas[w];
            var (first, last) = layout.WindowTiles(atMs);
            Tile combined;
            if (windows is null || !windows.TryGetValue((w, first), out combined!))
            {
                combined = Combine(hash, compiled.TileFields[w], layout, schema, first, last);
                windows?.Add((w, first), combined);
            }
            var aggregations = compiled.WindowAggregations[w];
            for (var a = 0; a < aggregations.Count; a++)
            {
                var aggregation = aggregations[a];
                var name = compiled.WindowFeatureNames[w][a];
                var offset = compiled.WindowOffsets[w][a];
                values[name] = aggregation.Function switch
                {
                    AggregationFunction.Count => (object)(long)combined.Parts[0]!.Value,
                    AggregationFunction.Sum => combined.Parts[offset],
                    AggregationFunction.Mean => combined.Parts[offset + 1] is > 0 and var n
                        ? combined.Parts[offset] / n
                        : null,
                    AggregationFunction.Min or AggregationFunction.Max => combined.Parts[offset],
                    AggregationFunction.DistinctCount => (object)distinctCounts.GetValueOrDefault(name),
                    _ => null,
                };
            }
        }
        foreach (var aggregation in view.Aggregations)
        {
            if (aggregation.Function == AggregationFunction.TimeSinceLast)
            {
                values[aggregation.Name] = age.TotalSeconds;
            }
            else if (aggregation.Function == AggregationFunction.Last)
            {
                values[aggregation.Name] = hash.TryGetValue(compiled.LastFields[aggregation.Name], out var last) ? LatestValue.Decode(last).Value : null;
            }
        }
        return new FeatureVector(view.Name, view.Version, entity, FeatureStatus.Fresh, atMs, newest, age, values);
    }

    /// <summary>The window's tiles at the read time merged into one; slots holding other tiles are ignored.</summary>
    private static Tile Combine(IReadOnlyDictionary<string, string> hash, string[] fields, TileLayout layout, TileSchema schema, long first, long last)
    {
        var combined = Tile.Empty(0, schema);
        for (var index = first; index <= last; index++)
        {
            if (hash.TryGetValue(fields[layout.Slot(index)], out var text))
            {
                Tile.MergeInto(text, index, combined.Parts, schema);
            }
        }
        return combined;
    }
}
