using System.Globalization;
using MlOps.Common.Spec;
using YamlDotNet.RepresentationModel;

namespace MlOps.Cli.Rollouts;

/// <summary>The value kinds a rollout file needs, on top of the shared located reader.</summary>
internal sealed class RolloutYamlReader(string file) : LocatedYamlReader(file)
{
    /// <summary>A non-empty scalar; a required one that is missing is reported at <paramref name="owner"/>, the mapping that lacks it.</summary>
    public string? String(YamlNode owner, Dictionary<string, YamlNode> fields, string key, string path, bool required = false)
    {
        if (fields.TryGetValue(key, out var node))
        {
            return Scalar(node, Join(path, key));
        }
        return required ? Error<string>(owner, Join(path, key), "is required") : null;
    }

    /// <summary>A number in [<paramref name="min"/>, <paramref name="max"/>], whole when <paramref name="whole"/> is set.</summary>
    public double? Number(Dictionary<string, YamlNode> fields, string key, string path, double min, double max, bool whole = false)
    {
        if (!fields.TryGetValue(key, out var node) || Scalar(node, Join(path, key)) is not { } text)
        {
            return null;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            && value >= min && value <= max && (!whole || value == Math.Floor(value)))
        {
            return value;
        }
        var expected = whole ? "a whole number >= 0" : max <= 1 ? $"a number between {min} and {max}" : $"a number >= {min}";
        return Error<double?>(node, Join(path, key), $"'{text}' is not {expected}");
    }

    /// <summary>Durations as <c>0</c> (a stage with no minimum time) or the spec's <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>.</summary>
    public TimeSpan? Duration(Dictionary<string, YamlNode> fields, string key, string path)
    {
        if (!fields.TryGetValue(key, out var node) || Scalar(node, Join(path, key)) is not { } text)
        {
            return null;
        }
        if (text == "0")
        {
            return TimeSpan.Zero;
        }
        return SpecDuration.TryParse(text, out var duration)
            ? duration
            : Error<TimeSpan?>(node, Join(path, key), $"'{text}' is not a duration like 0, {SpecDuration.Examples}");
    }
}
