using System.Globalization;
using System.Text.RegularExpressions;
using MlOps.Common.Spec;
using YamlDotNet.RepresentationModel;

namespace MlOps.Cli.Deployments;

/// <summary>The value kinds a deployment file needs, on top of the shared located reader.</summary>
internal sealed class YamlReader(string file) : LocatedYamlReader(file)
{
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
}
