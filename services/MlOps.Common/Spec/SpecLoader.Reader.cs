using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace MlOps.Common.Spec;

public static partial class SpecLoader
{
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
