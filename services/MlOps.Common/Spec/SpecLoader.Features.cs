using YamlDotNet.RepresentationModel;

namespace MlOps.Common.Spec;

/// <summary>The <c>features:</c> section: feature views, checked against the data contracts that feed them.</summary>
public static partial class SpecLoader
{
    private static readonly string[] ViewFields =
        ["version", "entity", "sources", "ttl", "allowed_lateness", "tiles_per_window", "aggregations"];

    private static readonly string[] AggregationFields = ["function", "attribute", "windows"];

    private static readonly Dictionary<string, AggregationFunction> Functions = new(StringComparer.Ordinal)
    {
        ["count"] = AggregationFunction.Count,
        ["sum"] = AggregationFunction.Sum,
        ["mean"] = AggregationFunction.Mean,
        ["min"] = AggregationFunction.Min,
        ["max"] = AggregationFunction.Max,
        ["distinct_count"] = AggregationFunction.DistinctCount,
        ["last"] = AggregationFunction.Last,
        ["time_since_last"] = AggregationFunction.TimeSinceLast,
    };

    private const int MaxTilesPerWindow = 240;

    private static Dictionary<string, FeatureView> ReadFeatureViews(Reader reader, YamlNode node, IReadOnlyDictionary<string, DataContract> contracts)
    {
        var views = new Dictionary<string, FeatureView>(StringComparer.Ordinal);
        if (reader.Mapping(node, "features") is not { } map)
        {
            return views;
        }
        foreach (var (keyNode, value) in map.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            var path = $"features.{name}";
            if (!NamePattern().IsMatch(name))
            {
                reader.Error(keyNode, path, "feature view names are lowercase letters, digits, '_', '.' or '-'");
            }
            if (ReadView(reader, name, value, path, contracts) is { } view)
            {
                views[name] = view;
            }
        }
        return views;
    }

    private static FeatureView? ReadView(Reader reader, string name, YamlNode node, string path, IReadOnlyDictionary<string, DataContract> contracts)
    {
        if (reader.Mapping(node, path) is not { } map)
        {
            return null;
        }
        var fields = reader.Fields(map, path, ViewFields);
        var version = reader.RequiredString(map, fields, "version", path, null, null);
        var sources = reader.Names(fields, "sources", path);
        if (sources.Count == 0)
        {
            reader.Error(fields.GetValueOrDefault("sources") ?? map, $"{path}.sources", "is required: the event types that feed the view");
        }
        var feeding = new List<DataContract>();
        foreach (var (source, sourceNode) in sources)
        {
            if (contracts.TryGetValue(source, out var contract))
            {
                feeding.Add(contract);
                if (contract.MaxClockSkew is null)
                {
                    reader.Error(sourceNode, $"{path}.sources", $"'{source}' feeds the view but its contract has no max_clock_skew: lateness is " +
                        "judged against the newest event time, so one event far in the future would make every later event late; " +
                        "declare how far ahead event_time may be (e.g. max_clock_skew: 5m)");
                }
            }
            else
            {
                reader.Error(sourceNode, $"{path}.sources", $"'{source}' has no data contract; declare it under contracts");
            }
        }
        var entity = reader.Names(fields, "entity", path);
        if (entity.Count == 0)
        {
            reader.Error(fields.GetValueOrDefault("entity") ?? map, $"{path}.entity", "is required: the attribute(s) whose values form the entity key");
        }
        foreach (var (attribute, attributeNode) in entity)
        {
            CheckAttribute(reader, attributeNode, $"{path}.entity", attribute, feeding,
                t => t is AttributeType.String or AttributeType.Long, "a string or long");
        }
        TimeSpan? ttl = null;
        if (!fields.ContainsKey("ttl"))
        {
            reader.Error(map, $"{path}.ttl", "is required: how old an entity's newest event may be before its values count as expired");
        }
        else
        {
            ttl = reader.Duration(fields, "ttl", path);
        }
        var lateness = reader.Duration(fields, "allowed_lateness", path) ?? TimeSpan.Zero;
        var tiles = reader.PositiveInt(fields, "tiles_per_window", path) ?? FeatureView.DefaultTilesPerWindow;
        if (tiles > MaxTilesPerWindow)
        {
            reader.Error(fields["tiles_per_window"], $"{path}.tiles_per_window", $"{tiles} is more than {MaxTilesPerWindow}");
        }

        var aggregations = new List<Aggregation>();
        // One label per window length in a view: the view keeps one tile series per length, named by that label.
        var labels = new Dictionary<TimeSpan, (string Label, string Aggregation)>();
        if (!fields.TryGetValue("aggregations", out var aggregationsNode))
        {
            reader.Error(map, $"{path}.aggregations", "is required: a mapping of aggregation name to its function, attribute and windows");
        }
        else if (reader.Mapping(aggregationsNode, $"{path}.aggregations") is { } aggregationMap)
        {
            foreach (var (keyNode, value) in aggregationMap.Children)
            {
                var aggregationName = (keyNode as YamlScalarNode)?.Value ?? "";
                var aggregationPath = $"{path}.aggregations.{aggregationName}";
                if (!NamePattern().IsMatch(aggregationName))
                {
                    reader.Error(keyNode, aggregationPath, "aggregation names are lowercase letters, digits, '_', '.' or '-'");
                }
                if (ReadAggregation(reader, aggregationName, value, aggregationPath, feeding, tiles, labels) is { } aggregation)
                {
                    aggregations.Add(aggregation);
                }
            }
        }
        var names = aggregations.SelectMany(a => a.FeatureNames).GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1);
        foreach (var duplicate in names)
        {
            reader.Error(aggregationsNode ?? map, $"{path}.aggregations", $"feature name '{duplicate.Key}' is produced twice");
        }
        return version is null || ttl is null
            ? null
            : new FeatureView(name, version, entity.Select(e => e.Value).ToList(), sources.Select(s => s.Value).ToList(),
                ttl.Value, lateness, tiles, aggregations)
            {
                VersionAt = ((int)fields["version"].Start.Line, (int)fields["version"].Start.Column),
            };
    }

    private static Aggregation? ReadAggregation(Reader reader, string name, YamlNode node, string path, IReadOnlyList<DataContract> feeding, int tiles,
        Dictionary<TimeSpan, (string Label, string Aggregation)> labels)
    {
        if (reader.Mapping(node, path) is not { } map)
        {
            return null;
        }
        var fields = reader.Fields(map, path, AggregationFields);
        AggregationFunction? function = null;
        if (!fields.TryGetValue("function", out var functionNode))
        {
            reader.Error(map, $"{path}.function", $"is required: one of {string.Join(", ", Functions.Keys)}");
        }
        else if (reader.Scalar(functionNode, $"{path}.function") is { } text)
        {
            function = Functions.TryGetValue(text, out var f)
                ? f
                : reader.Error<AggregationFunction?>(functionNode, $"{path}.function", $"unknown function '{text}'; expected one of {string.Join(", ", Functions.Keys)}");
        }
        if (function is null)
        {
            return null;
        }

        var needsAttribute = function is not (AggregationFunction.Count or AggregationFunction.TimeSinceLast);
        var numeric = function is AggregationFunction.Sum or AggregationFunction.Mean or AggregationFunction.Min or AggregationFunction.Max;
        string? attribute = null;
        if (fields.TryGetValue("attribute", out var attributeNode))
        {
            attribute = reader.Scalar(attributeNode, $"{path}.attribute");
            if (!needsAttribute)
            {
                reader.Error(attributeNode, $"{path}.attribute", $"{Label(function.Value)} takes no attribute");
            }
            else if (attribute is not null)
            {
                CheckAttribute(reader, attributeNode, $"{path}.attribute", attribute, feeding,
                    t => !numeric || t is AttributeType.Long or AttributeType.Double, numeric ? "a long or double" : "any type");
            }
        }
        else if (needsAttribute)
        {
            reader.Error(map, $"{path}.attribute", $"is required for {Label(function.Value)}");
        }

        var windowed = function is not (AggregationFunction.Last or AggregationFunction.TimeSinceLast);
        var windows = new List<FeatureWindow>();
        if (fields.TryGetValue("windows", out var windowsNode))
        {
            if (!windowed)
            {
                reader.Error(windowsNode, $"{path}.windows", $"{Label(function.Value)} describes the newest event and takes no windows");
            }
            else if (windowsNode is not YamlSequenceNode { Children.Count: > 0 } sequence)
            {
                reader.Error(windowsNode, $"{path}.windows", "must be a non-empty list of durations, e.g. [10m, 1h]");
            }
            else
            {
                foreach (var item in sequence.Children)
                {
                    if (reader.DurationOf(item, $"{path}.windows") is not { } length)
                    {
                        continue;
                    }
                    var label = ((YamlScalarNode)item).Value!;
                    if (length.Ticks % (tiles * TimeSpan.TicksPerMillisecond) != 0)
                    {
                        reader.Error(item, $"{path}.windows", $"{label} does not divide into {tiles} whole-millisecond tiles");
                    }
                    else if (windows.Any(w => w.Length == length))
                    {
                        reader.Error(item, $"{path}.windows", $"{label} is listed twice");
                    }
                    else if (labels.TryGetValue(length, out var first) && !string.Equals(first.Label, label, StringComparison.Ordinal))
                    {
                        reader.Error(item, $"{path}.windows",
                            $"windows {first.Label} (aggregation {first.Aggregation}) and {label} are the same length; use one label");
                    }
                    else
                    {
                        labels.TryAdd(length, (label, name));
                        windows.Add(new FeatureWindow(length, label));
                    }
                }
            }
        }
        else if (windowed)
        {
            reader.Error(map, $"{path}.windows", $"is required for {Label(function.Value)}, e.g. [10m, 1h]");
        }
        return needsAttribute && attribute is null ? null : new Aggregation(name, function.Value, attribute, windows);
    }

    /// <summary>The attribute must be declared, with an accepted type, by every contract that feeds the view.</summary>
    private static void CheckAttribute(Reader reader, YamlNode node, string field, string attribute, IReadOnlyList<DataContract> feeding,
        Func<AttributeType, bool> accepted, string expected)
    {
        foreach (var contract in feeding)
        {
            if (!contract.Attributes.TryGetValue(attribute, out var rule))
            {
                reader.Error(node, field, $"'{attribute}' is not an attribute of contract {contract.EventType}");
            }
            else if (!accepted(rule.Type))
            {
                reader.Error(node, field, $"'{attribute}' is a {rule.Type.ToString().ToLowerInvariant()} in contract {contract.EventType}; expected {expected}");
            }
        }
    }

    private static string Label(AggregationFunction function) =>
        Functions.First(f => f.Value == function).Key;
}
