using System.Security.Cryptography;
using System.Text;
using MlOps.Common.Spec;

namespace MlOps.Common.Features;

/// <summary>
/// What the bytes a view version writes mean: the entity key, per window its tile series (hash field prefix, tile
/// count and size), the parts of its tiles in order with the aggregations that own them and its HyperLogLog keys,
/// and the last-value fields. Stored data is only readable with the layout it was written in, and keys carry just
/// <c>name@version</c>, so a view that changes its layout must change its version.
/// The TTL, allowed lateness, sources, count and time-since-last aggregations are not part of it: they change what is
/// written or how long it is kept, never how stored data is read (a tile carries its own index, so a ring resized
/// by a new lateness misses old tiles but never misreads them).
/// </summary>
public sealed class StorageLayout
{
    private StorageLayout(string fingerprint, IReadOnlyList<KeyValuePair<string, string>> aspects)
    {
        Fingerprint = fingerprint;
        Aspects = aspects;
    }

    /// <summary>16 hex digits of the SHA-256 of the aspects' text: the same layout gives the same fingerprint in any process.</summary>
    public string Fingerprint { get; }

    /// <summary>Each aspect of the layout (<c>window 1h parts</c>, …) with its value, in a fixed order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Aspects { get; }

    public static StorageLayout Of(FeatureView view) => Of(CompiledView.Of(view));

    public static StorageLayout Of(CompiledView compiled)
    {
        // This text is persisted (and hashed): a change to how it is rendered changes every view's fingerprint.
        var aspects = new List<KeyValuePair<string, string>> { new("entity", string.Join('|', compiled.View.EntityAttributes)) };
        foreach (var layout in compiled.Layouts)
        {
            var w = layout.WindowIndex;
            var window = $"window {SpecDuration.Format(layout.Window.Length)}";
            aspects.Add(new($"{window} tiles", $"t{w}: {layout.TilesPerWindow} tiles of {SpecDuration.Format(TimeSpan.FromMilliseconds(layout.TileMs))}"));
            var owners = compiled.WindowAggregations[w]
                .Where(a => a.Function is not (AggregationFunction.Count or AggregationFunction.DistinctCount))
                .OrderBy(a => compiled.Schemas[w].Offset(a))
                .Select(Describe);
            aspects.Add(new($"{window} parts", $"{compiled.Schemas[w].KindCodes}: {string.Join(", ", ["events", .. owners])}"));
            var distinct = compiled.DistinctAggregations[w].Select(a => $"{Describe(a)} at {FeatureKeys.DistinctSuffix(a, layout.Window)}").ToList();
            if (distinct.Count > 0)
            {
                aspects.Add(new($"{window} distinct", string.Join(", ", distinct)));
            }
        }
        foreach (var last in compiled.LastAggregations.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            aspects.Add(new(FeatureKeys.LastField(last), Describe(last)));
        }
        return new StorageLayout(FingerprintOf(aspects), aspects);
    }

    /// <summary>The stored form: the fingerprint, then one <c>aspect: value</c> line per aspect.</summary>
    public string Encode() => string.Join('\n', [Fingerprint, .. Aspects.Select(a => $"{a.Key}: {a.Value}")]);

    /// <summary>Reads <see cref="Encode"/>'s form; lines it does not recognise are skipped.</summary>
    public static StorageLayout Decode(string text)
    {
        var lines = text.Split('\n');
        var aspects = lines.Skip(1)
            .Select(line => line.Split(": ", 2))
            .Where(parts => parts.Length == 2)
            .Select(parts => new KeyValuePair<string, string>(parts[0], parts[1]))
            .ToList();
        return new StorageLayout(lines[0], aspects);
    }

    /// <summary>What this layout changes from <paramref name="previous"/>, aspect by aspect (empty when the fingerprints match).</summary>
    public IReadOnlyList<string> ChangesFrom(StorageLayout previous)
    {
        if (string.Equals(previous.Fingerprint, Fingerprint, StringComparison.Ordinal))
        {
            return [];
        }
        var before = previous.Aspects.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        var changes = new List<string>();
        foreach (var (aspect, value) in Aspects)
        {
            if (!before.Remove(aspect, out var old))
            {
                changes.Add($"{aspect} added ({value})");
            }
            else if (!string.Equals(old, value, StringComparison.Ordinal))
            {
                changes.Add($"{aspect} {old} -> {value}");
            }
        }
        changes.AddRange(before.Select(a => $"{a.Key} removed ({a.Value})"));
        return changes.Count > 0 ? changes : [$"fingerprint {previous.Fingerprint} -> {Fingerprint}"];
    }

    private static string Describe(Aggregation aggregation) => aggregation.Function switch
    {
        AggregationFunction.Sum => $"{aggregation.Name}=sum({aggregation.Attribute})",
        AggregationFunction.Mean => $"{aggregation.Name}=mean({aggregation.Attribute})",
        AggregationFunction.Min => $"{aggregation.Name}=min({aggregation.Attribute})",
        AggregationFunction.Max => $"{aggregation.Name}=max({aggregation.Attribute})",
        AggregationFunction.DistinctCount => $"{aggregation.Name}=distinct_count({aggregation.Attribute})",
        AggregationFunction.Last => $"{aggregation.Name}=last({aggregation.Attribute})",
        _ => throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation.Function, "stores nothing of its own"),
    };

    private static string FingerprintOf(IEnumerable<KeyValuePair<string, string>> aspects)
    {
        var text = string.Concat(aspects.Select(a => $"{a.Key}: {a.Value}\n"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }
}
