using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace MlOps.Common.Spec;

/// <summary>
/// Reads the declarative spec. Walks YamlDotNet's node tree by hand (rather than deserializing into classes) so
/// every problem is reported with the file, line, column and dotted field path, and all problems are reported at
/// once. Throws <see cref="SpecException"/>; never returns a half-valid spec.
/// </summary>
public static partial class SpecLoader
{
    /// <summary>Sections later services own; accepted here and parsed by their services.</summary>
    private static readonly string[] OtherSections = ["models", "deployments", "monitors", "alerts"];

    private static readonly string[] TopFields = ["spec", "version", "contracts", "features", .. OtherSections];

    private static readonly string[] ContractFields =
        ["version", "attributes", "max_attributes", "max_event_bytes", "max_clock_skew", "max_age", "allow_unknown_attributes", "quality"];

    private static readonly string[] AttributeFields = ["type", "required", "min", "max", "allowed_values", "pattern", "max_length"];

    private static readonly string[] QualityFields = ["window", "max_quarantine_rate", "min_completeness"];

    public static PlatformSpec Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SpecException([new SpecError(path, 1, 1, "(file)", $"cannot read the spec file: {ex.Message}")]);
        }
        return Parse(bytes, path);
    }

    public static PlatformSpec Parse(string yaml, string sourceFile) => Parse(Encoding.UTF8.GetBytes(yaml), sourceFile);

    public static PlatformSpec Parse(byte[] bytes, string sourceFile)
    {
        var reader = new Reader(sourceFile);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var root = LocatedYamlReader.LoadRoot(Encoding.UTF8.GetString(bytes), sourceFile, "the spec must be a mapping with 'spec', 'version' and 'contracts'");

        var fields = reader.Fields(root, "", TopFields);
        var name = reader.RequiredString(root, fields, "spec", "", NamePattern(), "a name of lowercase letters, digits, '_' or '-'");
        var version = reader.RequiredString(root, fields, "version", "", null, null);
        var contracts = new Dictionary<string, DataContract>(StringComparer.Ordinal);
        if (!fields.TryGetValue("contracts", out var contractsNode))
        {
            reader.Error(root, "contracts", "is required: a mapping of event_type to its data contract");
        }
        else if (reader.Mapping(contractsNode, "contracts") is { } contractMap)
        {
            foreach (var (keyNode, value) in contractMap.Children)
            {
                var eventType = (keyNode as YamlScalarNode)?.Value ?? "";
                var path = $"contracts.{eventType}";
                if (!NamePattern().IsMatch(eventType))
                {
                    reader.Error(keyNode, path, "event type names are lowercase letters, digits, '_', '.' or '-'");
                }
                if (ReadContract(reader, eventType, value, path) is { } contract)
                {
                    contracts[eventType] = contract;
                }
            }
        }
        var views = fields.TryGetValue("features", out var featuresNode)
            ? ReadFeatureViews(reader, featuresNode, contracts)
            : new Dictionary<string, FeatureView>(StringComparer.Ordinal);
        reader.ThrowIfAny();
        return new PlatformSpec(name!, version!, hash, sourceFile, contracts, views);
    }

    private static DataContract? ReadContract(Reader reader, string eventType, YamlNode node, string path)
    {
        if (reader.Mapping(node, path) is not { } map)
        {
            return null;
        }
        var fields = reader.Fields(map, path, ContractFields);
        var version = reader.RequiredString(map, fields, "version", path, null, null);
        var attributes = new Dictionary<string, AttributeRule>(StringComparer.Ordinal);
        if (fields.TryGetValue("attributes", out var attributesNode) && reader.Mapping(attributesNode, $"{path}.attributes") is { } attributeMap)
        {
            foreach (var (keyNode, value) in attributeMap.Children)
            {
                var name = (keyNode as YamlScalarNode)?.Value ?? "";
                if (!NamePattern().IsMatch(name))
                {
                    reader.Error(keyNode, $"{path}.attributes.{name}", "attribute names are lowercase letters, digits, '_', '.' or '-'");
                }
                if (ReadAttribute(reader, name, value, $"{path}.attributes.{name}") is { } rule)
                {
                    attributes[name] = rule;
                }
            }
        }
        var maxAttributes = reader.PositiveInt(fields, "max_attributes", path);
        var maxEventBytes = reader.PositiveInt(fields, "max_event_bytes", path);
        var maxClockSkew = reader.Duration(fields, "max_clock_skew", path);
        var maxAge = reader.Duration(fields, "max_age", path);
        var allowUnknown = reader.Bool(fields, "allow_unknown_attributes", path) ?? false;
        if (maxAttributes is { } cap && attributes.Values.Count(a => a.Required) > cap)
        {
            reader.Error(fields["max_attributes"], $"{path}.max_attributes", $"is {cap} but the contract requires {attributes.Values.Count(a => a.Required)} attributes");
        }
        var quality = fields.TryGetValue("quality", out var qualityNode)
            ? ReadQuality(reader, qualityNode, $"{path}.quality", attributes)
            : QualityThresholds.None;
        return version is null ? null : new DataContract(
            eventType, version, attributes, maxAttributes, maxEventBytes, maxClockSkew, maxAge, allowUnknown, quality ?? QualityThresholds.None);
    }

    private static AttributeRule? ReadAttribute(Reader reader, string name, YamlNode node, string path)
    {
        if (reader.Mapping(node, path) is not { } map)
        {
            return null;
        }
        var fields = reader.Fields(map, path, AttributeFields);
        AttributeType? type = null;
        if (!fields.TryGetValue("type", out var typeNode))
        {
            reader.Error(map, $"{path}.type", "is required: one of string, long, double, boolean");
        }
        else
        {
            type = reader.Scalar(typeNode, $"{path}.type") switch
            {
                "string" => AttributeType.String,
                "long" => AttributeType.Long,
                "double" => AttributeType.Double,
                "boolean" => AttributeType.Boolean,
                null => null,
                var other => reader.Error<AttributeType?>(typeNode, $"{path}.type", $"unknown type '{other}'; expected one of string, long, double, boolean"),
            };
        }
        var required = reader.Bool(fields, "required", path) ?? false;
        var min = reader.Number(fields, "min", path);
        var max = reader.Number(fields, "max", path);
        var maxLength = reader.PositiveInt(fields, "max_length", path);
        var allowed = reader.StringSet(fields, "allowed_values", path);
        FullMatchPattern? pattern = null;
        if (fields.TryGetValue("pattern", out var patternNode) && reader.Scalar(patternNode, $"{path}.pattern") is { } source)
        {
            try
            {
                pattern = new FullMatchPattern(source);
            }
            catch (ArgumentException ex)
            {
                reader.Error(patternNode, $"{path}.pattern", $"is not a valid regular expression: {ex.Message}");
            }
        }
        if (min > max)
        {
            reader.Error(fields["min"], $"{path}.min", $"{min.Value.ToString(CultureInfo.InvariantCulture)} is greater than max {max.Value.ToString(CultureInfo.InvariantCulture)}");
        }
        if (type is AttributeType.String or AttributeType.Boolean)
        {
            foreach (var numeric in new[] { "min", "max" }.Where(fields.ContainsKey))
            {
                reader.Error(fields[numeric], $"{path}.{numeric}", $"applies to long and double attributes, not {type.Value.ToString().ToLowerInvariant()}");
            }
        }
        if (type is AttributeType.Long or AttributeType.Double or AttributeType.Boolean)
        {
            foreach (var textual in new[] { "allowed_values", "pattern", "max_length" }.Where(fields.ContainsKey))
            {
                reader.Error(fields[textual], $"{path}.{textual}", $"applies to string attributes, not {type.Value.ToString().ToLowerInvariant()}");
            }
        }
        return type is null ? null : new AttributeRule(name, type.Value, required, min, max, allowed, pattern, maxLength);
    }

    private static QualityThresholds? ReadQuality(Reader reader, YamlNode node, string path, IReadOnlyDictionary<string, AttributeRule> attributes)
    {
        if (reader.Mapping(node, path) is not { } map)
        {
            return null;
        }
        var fields = reader.Fields(map, path, QualityFields);
        var window = reader.PositiveInt(fields, "window", path) ?? QualityThresholds.DefaultWindow;
        var maxRate = reader.Fraction(fields, "max_quarantine_rate", path);
        var completeness = new Dictionary<string, double>(StringComparer.Ordinal);
        if (fields.TryGetValue("min_completeness", out var completenessNode) && reader.Mapping(completenessNode, $"{path}.min_completeness") is { } completenessMap)
        {
            foreach (var (keyNode, value) in completenessMap.Children)
            {
                var attribute = (keyNode as YamlScalarNode)?.Value ?? "";
                var field = $"{path}.min_completeness.{attribute}";
                if (!attributes.ContainsKey(attribute))
                {
                    reader.Error(keyNode, field, "names an attribute the contract does not declare");
                }
                if (reader.FractionOf(value, field) is { } fraction)
                {
                    completeness[attribute] = fraction;
                }
            }
        }
        return new QualityThresholds(window, maxRate, completeness);
    }

    [GeneratedRegex(@"\A[a-z][a-z0-9_.\-]*\z")]
    private static partial Regex NamePattern();

    /// <summary>Reads typed values off the node tree, collecting errors instead of stopping at the first.</summary>
    private sealed partial class Reader(string file) : LocatedYamlReader(file)
    {
        public string? RequiredString(YamlNode owner, Dictionary<string, YamlNode> fields, string key, string path, Regex? pattern, string? expected)
        {
            if (!fields.TryGetValue(key, out var node))
            {
                return Error<string>(owner, Join(path, key), "is required");
            }
            var value = Scalar(node, Join(path, key));
            return value is not null && pattern is not null && !pattern.IsMatch(value)
                ? Error<string>(node, Join(path, key), $"'{value}' is not {expected}")
                : value;
        }

        public int? PositiveInt(Dictionary<string, YamlNode> fields, string key, string path)
        {
            if (!fields.TryGetValue(key, out var node) || Scalar(node, Join(path, key)) is not { } text)
            {
                return null;
            }
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
                ? value
                : Error<int?>(node, Join(path, key), $"'{text}' is not a positive whole number");
        }

        public double? Number(Dictionary<string, YamlNode> fields, string key, string path)
        {
            if (!fields.TryGetValue(key, out var node) || Scalar(node, Join(path, key)) is not { } text)
            {
                return null;
            }
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                ? value
                : Error<double?>(node, Join(path, key), $"'{text}' is not a number");
        }

        public double? Fraction(Dictionary<string, YamlNode> fields, string key, string path) =>
            fields.TryGetValue(key, out var node) ? FractionOf(node, Join(path, key)) : null;

        public double? FractionOf(YamlNode node, string field)
        {
            if (Scalar(node, field) is not { } text)
            {
                return null;
            }
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
                ? value
                : Error<double?>(node, field, $"'{text}' is not a fraction between 0 and 1");
        }

        /// <summary>Durations as <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c> or <c>30d</c>.</summary>
        public TimeSpan? Duration(Dictionary<string, YamlNode> fields, string key, string path) =>
            fields.TryGetValue(key, out var node) ? DurationOf(node, Join(path, key)) : null;

        public TimeSpan? DurationOf(YamlNode node, string field)
        {
            if (Scalar(node, field) is not { } text)
            {
                return null;
            }
            return SpecDuration.TryParse(text, out var duration)
                ? duration
                : Error<TimeSpan?>(node, field, $"'{text}' is not a positive duration like {SpecDuration.Examples}");
        }

        /// <summary>A list of names, or one name as a scalar.</summary>
        public IReadOnlyList<(string Value, YamlNode Node)> Names(Dictionary<string, YamlNode> fields, string key, string path)
        {
            if (!fields.TryGetValue(key, out var node))
            {
                return [];
            }
            var items = node is YamlSequenceNode sequence ? sequence.Children.ToList() : [node];
            var names = new List<(string, YamlNode)>();
            foreach (var item in items)
            {
                if (Scalar(item, Join(path, key)) is { } value)
                {
                    names.Add((value, item));
                }
            }
            return names;
        }

        public IReadOnlySet<string>? StringSet(Dictionary<string, YamlNode> fields, string key, string path)
        {
            if (!fields.TryGetValue(key, out var node))
            {
                return null;
            }
            var field = Join(path, key);
            if (node is not YamlSequenceNode { Children.Count: > 0 } sequence)
            {
                return Error<IReadOnlySet<string>>(node, field, "must be a non-empty list of values");
            }
            var values = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in sequence.Children)
            {
                if (Scalar(item, field) is { } value && !values.Add(value))
                {
                    Error(item, field, $"'{value}' is listed twice");
                }
            }
            return values;
        }

    }
}
