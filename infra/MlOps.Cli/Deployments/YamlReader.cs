using System.Globalization;
using System.Text.RegularExpressions;
using MlOps.Common.Spec;
using YamlDotNet.RepresentationModel;

namespace MlOps.Cli.Deployments;

/// <summary>Reads typed values off a YAML node tree, collecting located errors instead of stopping at the first.</summary>
internal sealed class YamlReader(string file)
{
    private readonly List<SpecError> _errors = [];

    public int Count => _errors.Count;

    public void Error(YamlNode node, string field, string message) =>
        _errors.Add(new SpecError(file, (int)node.Start.Line, (int)node.Start.Column, field, message));

    public T? Error<T>(YamlNode node, string field, string message)
    {
        Error(node, field, message);
        return default;
    }

    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw new SpecException(_errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }
    }

    public YamlMappingNode? Mapping(YamlNode node, string field) => node is YamlMappingNode map
        ? map
        : Error<YamlMappingNode>(node, field, "must be a mapping (key: value lines)");

    public string? Scalar(YamlNode node, string field) => node is YamlScalarNode { Value: { Length: > 0 } value }
        ? value
        : Error<string>(node, field, "must be a non-empty value");

    /// <summary>The mapping's fields by name; unknown names are errors (they are usually typos).</summary>
    public Dictionary<string, YamlNode> Fields(YamlMappingNode map, string path, string[] known)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            if (!known.Contains(key))
            {
                Error(keyNode, Join(path, key), $"unknown field; expected one of {string.Join(", ", known)}");
                continue;
            }
            fields[key] = value;
        }
        return fields;
    }

    public string? RequiredString(YamlNode owner, Dictionary<string, YamlNode> fields, string key, string path, Regex? pattern, string? expected) =>
        fields.ContainsKey(key)
            ? OptionalString(fields, key, path, pattern, expected)
            : Error<string>(owner, Join(path, key), "is required");

    public string? OptionalString(Dictionary<string, YamlNode> fields, string key, string path, Regex? pattern = null, string? expected = null)
    {
        if (!fields.TryGetValue(key, out var node) || Scalar(node, Join(path, key)) is not { } value)
        {
            return null;
        }
        return pattern is not null && !pattern.IsMatch(value)
            ? Error<string>(node, Join(path, key), $"'{value}' is not {expected}")
            : value;
    }

    /// <summary>A list of values, or one value as a scalar.</summary>
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

    public bool ModelRef((string Value, YamlNode Node) reference, string field) =>
        DeploymentFile.ModelRefPattern().IsMatch(reference.Value)
        || Error<bool>(reference.Node, field, $"'{reference.Value}' is not a model reference name:version");

    /// <summary>A probability in [0, 1].</summary>
    public double? Fraction(Dictionary<string, YamlNode> fields, string key, string path)
    {
        if (!fields.TryGetValue(key, out var node) || Scalar(node, Join(path, key)) is not { } text)
        {
            return null;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
            ? value
            : Error<double?>(node, Join(path, key), $"'{text}' is not a probability between 0 and 1");
    }

    /// <summary>A required share strictly between 0 and 1.</summary>
    public double? OpenFraction(YamlNode owner, Dictionary<string, YamlNode> fields, string key, string path)
    {
        if (!fields.TryGetValue(key, out var node))
        {
            return Error<double?>(owner, Join(path, key), "is required: a share of traffic between 0 and 1");
        }
        if (Scalar(node, Join(path, key)) is not { } text)
        {
            return null;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is > 0 and < 1
            ? value
            : Error<double?>(node, Join(path, key), $"'{text}' is not a share of traffic strictly between 0 and 1");
    }

    public long? PositiveLong(Dictionary<string, YamlNode> fields, string key, string path)
    {
        if (!fields.TryGetValue(key, out var node) || Scalar(node, Join(path, key)) is not { } text)
        {
            return null;
        }
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : Error<long?>(node, Join(path, key), $"'{text}' is not a positive whole number");
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
