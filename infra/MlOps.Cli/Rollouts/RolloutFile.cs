using System.Text.RegularExpressions;
using MlOps.Common.Spec;
using MlOps.Contracts;
using YamlDotNet.RepresentationModel;

namespace MlOps.Cli.Rollouts;

/// <summary>
/// Reads a rollout file (<c>./mlops rollout start -f</c>) into a <see cref="Rollout"/> record. Like
/// <see cref="MlOps.Cli.Deployments.DeploymentFile"/> it walks the node tree through the shared
/// <see cref="LocatedYamlReader"/>, so every problem is reported at once with file:line:column and the field path;
/// it throws <see cref="SpecException"/> and never returns a half-valid rollout.
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
        var root = LocatedYamlReader.LoadRoot(yaml, file, "the rollout file must be a mapping with 'deployment', 'candidate' (or 'candidate_rules') and 'stages'");
        var reader = new RolloutYamlReader(file);
        var fields = reader.Fields(root, "", TopFields);
        var deployment = reader.String(root, fields, "deployment", "", required: true);
        var tenant = reader.String(root, fields, "tenant", "");
        // The candidate is a model (candidate) or an output rule set (candidate_rules) on the champion's model: exactly one.
        var candidate = reader.String(root, fields, "candidate", "");
        var candidateRules = reader.String(root, fields, "candidate_rules", "");
        if (!fields.ContainsKey("candidate") && !fields.ContainsKey("candidate_rules"))
        {
            reader.Error(root, "candidate", "is required: a model 'name:version' (candidate) or a rule set 'name:version' (candidate_rules)");
        }
        else if (fields.ContainsKey("candidate") && fields.ContainsKey("candidate_rules"))
        {
            reader.Error(fields["candidate_rules"], "candidate_rules", "give either candidate (a model) or candidate_rules (a rule set), not both");
        }
        if (candidate is not null && !ModelPattern().IsMatch(candidate))
        {
            reader.Error(fields["candidate"], "candidate", $"'{candidate}' is not name:version");
        }
        if (candidateRules is not null && !ModelPattern().IsMatch(candidateRules))
        {
            reader.Error(fields["candidate_rules"], "candidate_rules", $"'{candidateRules}' is not name:version");
        }
        var stages = Stages(reader, root, fields);
        reader.ThrowIfAny();
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

    private static List<RolloutStage> Stages(RolloutYamlReader reader, YamlMappingNode root, Dictionary<string, YamlNode> fields)
    {
        var stages = new List<RolloutStage>();
        if (!fields.TryGetValue("stages", out var stagesNode))
        {
            reader.Error(root, "stages", "is required: a list of stages, e.g. shadow, 5%, 25%, 100%");
        }
        else if (stagesNode is not YamlSequenceNode { Children.Count: > 0 } sequence)
        {
            reader.Error(stagesNode, "stages", "must be a non-empty list of stages");
        }
        else
        {
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                if (Stage(reader, sequence.Children[i], $"stages[{i}]") is { } stage)
                {
                    if (stages.Any(s => s.name == stage.name))
                    {
                        reader.Error(sequence.Children[i], $"stages[{i}].name", $"'{stage.name}' is used by an earlier stage");
                    }
                    stages.Add(stage);
                }
            }
        }
        return stages;
    }

    private static RolloutStage? Stage(RolloutYamlReader reader, YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            reader.Error(node, path, "must be a mapping (name, traffic, min_duration, min_samples, gates, ...)");
            return null;
        }
        var fields = reader.Fields(map, path, StageFields);
        var name = reader.String(map, fields, "name", path, required: true);
        var shadow = reader.Bool(fields, "shadow", path) ?? false;
        var traffic = reader.Number(fields, "traffic", path, 0, 1);
        if (traffic is null && !shadow && !fields.ContainsKey("traffic"))
        {
            reader.Error(map, path + ".traffic", "is required (the candidate's share in [0, 1]) unless shadow: true");
        }
        if (shadow && traffic is > 0)
        {
            reader.Error(fields["traffic"], path + ".traffic", "a shadow stage serves no traffic: leave traffic out or set it to 0");
        }
        // Read before giving up on a stage without a name, so its other problems are reported too.
        var minDuration = reader.Duration(fields, "min_duration", path) ?? TimeSpan.Zero;
        var minSamples = reader.Number(fields, "min_samples", path, 0, long.MaxValue, whole: true) ?? 0;
        var manual = reader.Bool(fields, "manual", path) ?? false;
        var gates = Gates(reader, fields, path);
        return name is null ? null : new RolloutStage
        {
            name = name,
            traffic_weight = traffic ?? 0,
            shadow = shadow,
            min_duration_ms = (long)minDuration.TotalMilliseconds,
            min_samples = (long)minSamples,
            manual = manual,
            gates = gates,
        };
    }

    private static List<RolloutGate> Gates(RolloutYamlReader reader, Dictionary<string, YamlNode> fields, string path)
    {
        var gates = new List<RolloutGate>();
        if (!fields.TryGetValue("gates", out var gatesNode))
        {
            return gates;
        }
        if (gatesNode is not YamlMappingNode gateMap)
        {
            reader.Error(gatesNode, path + ".gates", $"must be a mapping of metric to its maximum ({string.Join(", ", Metrics)})");
            return gates;
        }
        var gateFields = reader.Fields(gateMap, path + ".gates", Metrics);
        foreach (var metric in Metrics.Where(gateFields.ContainsKey))
        {
            if (reader.Number(gateFields, metric, path + ".gates", 0, double.MaxValue) is { } max)
            {
                gates.Add(new RolloutGate { metric = metric, max = max });
            }
        }
        return gates;
    }

    [GeneratedRegex(@"\A[^:\s]+(:[^:\s]+)*:[^:\s]+\z")]
    private static partial Regex ModelPattern();
}
