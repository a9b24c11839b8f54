using System.Globalization;
using System.Text.RegularExpressions;
using MlOps.Common.Spec;
using MlOps.Contracts;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlOps.Cli.Rollouts;

/// <summary>
/// Reads a rollout file (<c>./mlops rollout start -f</c>) into a <see cref="Rollout"/> record. Like the spec loader,
/// it walks the YAML node tree so every problem is reported at once with file:line:column and the field path.
/// </summary>
public static partial class RolloutFile
{
    private static readonly string[] TopFields = ["deployment", "tenant", "candidate", "candidate_rules", "stages"];
    private static readonly string[] StageFields = ["name", "traffic", "shadow", "min_duration", "min_samples", "manual", "gates"];
    private static readonly string[] Metrics = ["error_rate", "fallback_rate", "latency_p99_ms", "score_shift"];

    public static MlOps.Contracts.Rollout Load(string path, DateTime now, string? user)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SpecException([new SpecError(path, 1, 1, "(file)", $"cannot read the rollout file: {ex.Message}")]);
        }
        return Parse(text, path, now, user);
    }

    public static MlOps.Contracts.Rollout Parse(string yaml, string file, DateTime now, string? user)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new SpecException([new SpecError(file, (int)ex.Start.Line, (int)ex.Start.Column, "(yaml)", ex.Message)]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new SpecException([new SpecError(file, 1, 1, "(root)", "the rollout file must be a mapping with 'deployment', 'candidate' (or 'candidate_rules') and 'stages'")]);
        }
        var errors = new List<SpecError>();
        void Error(YamlNode node, string field, string message) =>
            errors.Add(new SpecError(file, (int)node.Start.Line, (int)node.Start.Column, field, message));

        var fields = Fields(root, "", TopFields, Error);
        var deployment = Text(root, fields, "deployment", "deployment", Error, required: true);
        var tenant = Text(root, fields, "tenant", "tenant", Error, required: false);
        // The candidate is a model (candidate) or an output rule set (candidate_rules) on the champion's model: exactly one.
        var candidate = Text(root, fields, "candidate", "candidate", Error, required: false);
        var candidateRules = Text(root, fields, "candidate_rules", "candidate_rules", Error, required: false);
        if (!fields.ContainsKey("candidate") && !fields.ContainsKey("candidate_rules"))
        {
            Error(root, "candidate", "is required: a model 'name:version' (candidate) or a rule set 'name:version' (candidate_rules)");
        }
        else if (fields.ContainsKey("candidate") && fields.ContainsKey("candidate_rules"))
        {
            Error(fields["candidate_rules"], "candidate_rules", "give either candidate (a model) or candidate_rules (a rule set), not both");
        }
        if (candidate is not null && !ModelPattern().IsMatch(candidate))
        {
            Error(fields["candidate"], "candidate", $"'{candidate}' is not name:version");
        }
        if (candidateRules is not null && !ModelPattern().IsMatch(candidateRules))
        {
            Error(fields["candidate_rules"], "candidate_rules", $"'{candidateRules}' is not name:version");
        }
        var stages = new List<RolloutStage>();
        if (!fields.TryGetValue("stages", out var stagesNode))
        {
            Error(root, "stages", "is required: a list of stages, e.g. shadow, 5%, 25%, 100%");
        }
        else if (stagesNode is not YamlSequenceNode { Children.Count: > 0 } sequence)
        {
            Error(stagesNode, "stages", "must be a non-empty list of stages");
        }
        else
        {
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                if (Stage(sequence.Children[i], $"stages[{i}]", Error) is { } stage)
                {
                    if (stages.Any(s => s.name == stage.name)) Error(sequence.Children[i], $"stages[{i}].name", $"'{stage.name}' is used by an earlier stage");
                    stages.Add(stage);
                }
            }
        }
        if (errors.Count > 0)
        {
            throw new SpecException(errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }
        return new MlOps.Contracts.Rollout
        {
            deployment = deployment!,
            tenant_id = tenant,
            candidate_model = candidate ?? "",
            candidate_rules = candidateRules,
            stages = stages,
            approvals = [],
            created_by = user,
            // Newer publications win; milliseconds keep revisions increasing across CLI runs.
            revision = new DateTimeOffset(now).ToUnixTimeMilliseconds(),
            created_at = now,
        };
    }

    private static RolloutStage? Stage(YamlNode node, string path, Action<YamlNode, string, string> error)
    {
        if (node is not YamlMappingNode map)
        {
            error(node, path, "must be a mapping (name, traffic, min_duration, min_samples, gates, ...)");
            return null;
        }
        var fields = Fields(map, path, StageFields, error);
        var name = Text(map, fields, "name", path + ".name", error, required: true);
        var shadow = Bool(fields, "shadow", path, error) ?? false;
        var traffic = Number(fields, "traffic", path, error, 0, 1);
        if (traffic is null && !shadow && !fields.ContainsKey("traffic")) error(map, path + ".traffic", "is required (the candidate's share in [0, 1]) unless shadow: true");
        if (shadow && traffic is > 0) error(fields["traffic"], path + ".traffic", "a shadow stage serves no traffic: leave traffic out or set it to 0");
        var gates = new List<RolloutGate>();
        if (fields.TryGetValue("gates", out var gatesNode))
        {
            if (gatesNode is not YamlMappingNode gateMap)
            {
                error(gatesNode, path + ".gates", $"must be a mapping of metric to its maximum ({string.Join(", ", Metrics)})");
            }
            else
            {
                var gateFields = Fields(gateMap, path + ".gates", Metrics, error);
                foreach (var metric in Metrics.Where(gateFields.ContainsKey))
                {
                    if (Number(gateFields, metric, path + ".gates", error, 0, double.MaxValue) is { } max) gates.Add(new RolloutGate { metric = metric, max = max });
                }
            }
        }
        return name is null ? null : new RolloutStage
        {
            name = name,
            traffic_weight = traffic ?? 0,
            shadow = shadow,
            min_duration_ms = (long)(Duration(fields, "min_duration", path, error) ?? TimeSpan.Zero).TotalMilliseconds,
            min_samples = (long)(Number(fields, "min_samples", path, error, 0, long.MaxValue, whole: true) ?? 0),
            manual = Bool(fields, "manual", path, error) ?? false,
            gates = gates,
        };
    }

    private static Dictionary<string, YamlNode> Fields(YamlMappingNode map, string path, string[] known, Action<YamlNode, string, string> error)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var field = path.Length == 0 ? key : $"{path}.{key}";
            if (!known.Contains(key)) error(keyNode, field, $"unknown field; expected one of {string.Join(", ", known)}");
            else fields[key] = value;
        }
        return fields;
    }

    private static string? Text(YamlNode owner, Dictionary<string, YamlNode> fields, string key, string field, Action<YamlNode, string, string> error, bool required)
    {
        if (!fields.TryGetValue(key, out var node))
        {
            if (required) error(owner, field, "is required");
            return null;
        }
        if (node is YamlScalarNode { Value: { Length: > 0 } value }) return value;
        error(node, field, "must be a non-empty value");
        return null;
    }

    private static double? Number(Dictionary<string, YamlNode> fields, string key, string path, Action<YamlNode, string, string> error, double min, double max, bool whole = false)
    {
        if (!fields.TryGetValue(key, out var node)) return null;
        var text = (node as YamlScalarNode)?.Value ?? "";
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
            && value >= min && value <= max && (!whole || value == Math.Floor(value)))
        {
            return value;
        }
        var expected = whole ? "a whole number >= 0" : max <= 1 ? $"a number between {min} and {max}" : $"a number >= {min}";
        error(node, $"{path}.{key}", $"'{text}' is not {expected}");
        return null;
    }

    private static bool? Bool(Dictionary<string, YamlNode> fields, string key, string path, Action<YamlNode, string, string> error)
    {
        if (!fields.TryGetValue(key, out var node)) return null;
        switch ((node as YamlScalarNode)?.Value)
        {
            case "true": return true;
            case "false": return false;
            default:
                error(node, $"{path}.{key}", $"'{(node as YamlScalarNode)?.Value}' is not true or false");
                return null;
        }
    }

    /// <summary>Durations as <c>0</c>, <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c> or <c>1d</c> (the spec's units).</summary>
    private static TimeSpan? Duration(Dictionary<string, YamlNode> fields, string key, string path, Action<YamlNode, string, string> error)
    {
        if (!fields.TryGetValue(key, out var node)) return null;
        var text = (node as YamlScalarNode)?.Value ?? "";
        if (text == "0") return TimeSpan.Zero;
        if (!SpecDuration.TryParse(text, out var duration))
        {
            error(node, $"{path}.{key}", $"'{text}' is not a duration like 0, {SpecDuration.Examples}");
            return null;
        }
        return duration;
    }

    [GeneratedRegex(@"\A[^:\s]+(:[^:\s]+)*:[^:\s]+\z")]
    private static partial Regex ModelPattern();
}
