using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace MlOps.Common.Spec;

/// <summary>The <c>contracts:</c> section: one data contract per event type, with its attribute rules and quality thresholds.</summary>
public static partial class SpecLoader
{
    private static readonly string[] ContractFields =
        ["version", "attributes", "max_attributes", "max_event_bytes", "max_clock_skew", "max_age", "allow_unknown_attributes", "quality"];

    private static readonly string[] AttributeFields = ["type", "required", "min", "max", "allowed_values", "pattern", "max_length"];

    private static readonly string[] QualityFields = ["window", "max_quarantine_rate", "min_completeness"];

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
}
