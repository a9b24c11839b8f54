using System.Globalization;
using MlOps.Common.Spec;
using MlOps.Contracts;
using YamlDotNet.RepresentationModel;

namespace MlOps.Models.Rules;

/// <summary>The value kinds a rule set file needs, on top of the shared located reader.</summary>
internal sealed class RuleSetYamlReader(string file) : LocatedYamlReader(file)
{
    private readonly Dictionary<string, YamlNode> _locations = new(StringComparer.Ordinal);

    /// <summary>Where a field's compile problems point: its value, or the mapping that lacks it.</summary>
    public void Locate(string field, YamlNode node) => _locations[field] = node;

    /// <summary>
    /// The engine's own checks (kinds, required fields, ranges, regexes), located in the file; skipped for a field
    /// that already has an error here, so a value that is not a number is not also reported as missing.
    /// </summary>
    public void AddCompileProblems(RuleSet set)
    {
        var reported = Errors.Select(e => e.Field).ToHashSet(StringComparer.Ordinal);
        foreach (var problem in RuleSetValidator.Problems(set))
        {
            var colon = problem.IndexOf(": ", StringComparison.Ordinal);
            var field = problem[..colon];
            if (reported.Contains(field))
            {
                continue;
            }
            var node = _locations.GetValueOrDefault(field);
            Add(new SpecError(File, (int)(node?.Start.Line ?? 1), (int)(node?.Start.Column ?? 1),
                field == "name" ? "rule_set" : field, problem[(colon + 2)..]));
        }
    }

    protected override Exception Failure(IReadOnlyList<SpecError> errors) => new RuleSetFileException(errors);

    public string? String(Dictionary<string, YamlNode> fields, string key, string path)
    {
        if (!fields.TryGetValue(key, out var node))
        {
            return null;
        }
        if (node is YamlScalarNode { Value: { Length: > 0 } value })
        {
            return value;
        }
        Error(node, Join(path, key), "must be a non-empty value");
        return null;
    }

    public double? Number(Dictionary<string, YamlNode> fields, string key, string path)
    {
        if (String(fields, key, path) is not { } text)
        {
            return null;
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }
        Error(fields[key], Join(path, key), $"'{text}' is not a number");
        return null;
    }

    /// <summary>A list of values, or one value as a scalar.</summary>
    public List<string> List(Dictionary<string, YamlNode> fields, string key, string path)
    {
        if (!fields.TryGetValue(key, out var node))
        {
            return [];
        }
        var items = node is YamlSequenceNode sequence ? sequence.Children.ToList() : [node];
        var values = new List<string>();
        foreach (var item in items)
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } value })
            {
                values.Add(value);
            }
            else
            {
                Error(item, Join(path, key), "must be a list of non-empty values");
            }
        }
        return values;
    }
}
