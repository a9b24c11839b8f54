using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MlOps.Common.Spec;
using MlOps.Contracts;
using MlOps.Rollout.Control;
using YamlDotNet.RepresentationModel;

namespace MlOps.Cli.Deployments;

/// <summary>
/// Reads a deployment file (<c>deployments:</c>, a list of staged deployments) into <see cref="Deployment"/> records.
/// Like <see cref="SpecLoader"/> it walks the node tree so every problem is reported at once with file:line:column
/// and the field; it throws <see cref="SpecException"/> and never returns a half-valid file.
/// The champion gets what the challengers leave (1 − their weights); shadows are scored and logged, never served.
/// </summary>
public static partial class DeploymentFile
{
    /// <summary>
    /// Why a deployment may not say stage 'rolled_back': it marks the rollout controller's restores, and a restarted
    /// controller reads one published during a rollout as a rollback it must finish.
    /// </summary>
    public const string ReservedStage = $"'{DeploymentPlan.RolledBackStage}' is reserved for the rollout controller's restores "
        + "(a restarted controller would read it as a rollback to finish); use './mlops rollout abort' to take a candidate out";

    private static readonly string[] DeploymentFields =
    [
        "deployment", "tenant", "event_types", "routing_key", "champion", "challengers", "shadows", "fallback",
        "fallback_constant", "model_timeout_ms", "output_rules", "shadow_rules", "stage", "approved_by", "spec_version",
    ];

    private static readonly string[] ChallengerFields = ["model", "weight", "name"];

    public static IReadOnlyList<Deployment> Load(string path, DateTime now, string approvedBy)
    {
        string yaml;
        try
        {
            yaml = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SpecException([new SpecError(path, 1, 1, "(file)", $"cannot read the deployment file: {ex.Message}")]);
        }
        return Parse(yaml, path, now, approvedBy);
    }

    public static IReadOnlyList<Deployment> Parse(string yaml, string file, DateTime now, string approvedBy)
    {
        var reader = new YamlReader(file);
        var root = LocatedYamlReader.LoadRoot(yaml, file, "a deployment file is a mapping with a 'deployments' list");
        var top = reader.Fields(root, "", ["deployments"]);
        var deployments = new List<Deployment>();
        if (!top.TryGetValue("deployments", out var listNode) || listNode is not YamlSequenceNode { Children.Count: > 0 } list)
        {
            reader.Error(top.GetValueOrDefault("deployments") ?? root, "deployments", "is required: a non-empty list of deployments");
        }
        else
        {
            // Milliseconds keep revisions increasing across CLI runs (newer publications win), as with 'deploy --model'.
            var revision = new DateTimeOffset(now).ToUnixTimeMilliseconds();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < list.Children.Count; i++)
            {
                var path = $"deployments[{i}]";
                if (reader.Mapping(list.Children[i], path) is not { } map || Read(reader, map, path, now, revision, approvedBy) is not { } deployment)
                {
                    continue;
                }
                var key = deployment.tenant_id is { } tenant ? $"{deployment.deployment}/{tenant}" : deployment.deployment;
                if (!seen.Add(key))
                {
                    reader.Error(map, path, $"'{key}' is declared twice (deployment and tenant must be unique)");
                }
                deployments.Add(deployment);
            }
        }
        reader.ThrowIfAny();
        return deployments;
    }

    private static Deployment? Read(YamlReader reader, YamlMappingNode map, string path, DateTime now, long revision, string approvedBy)
    {
        var errors = reader.Count;
        var fields = reader.Fields(map, path, DeploymentFields);
        var name = reader.RequiredString(map, fields, "deployment", path, NamePattern(), "a name of lowercase letters, digits, '_', '.' or '-'");
        var tenant = reader.OptionalString(fields, "tenant", path);
        var beforeEventTypes = reader.Count;
        var eventTypes = reader.Names(fields, "event_types", path);
        // An empty list, or a missing one; a list of blank entries was reported already.
        if (eventTypes.Count == 0 && reader.Count == beforeEventTypes)
        {
            reader.Error(fields.GetValueOrDefault("event_types") ?? map, YamlReader.Join(path, "event_types"), "needs at least one event type");
        }
        var routingKey = reader.OptionalString(fields, "routing_key", path) ?? "entity";
        if (routingKey is not ("entity" or "tenant"))
        {
            reader.Error(fields["routing_key"], YamlReader.Join(path, "routing_key"), $"'{routingKey}' is not 'entity' or 'tenant'");
        }

        var arms = new List<DeploymentArm>();
        var champion = reader.RequiredString(map, fields, "champion", path, ModelRefPattern(), "a model reference name:version");
        var challengers = ReadChallengers(reader, fields, path);
        var challengerWeight = challengers.Sum(c => c.Arm.traffic_weight);
        if (challengers.Count > 0 && challengerWeight >= 1)
        {
            reader.Error(fields["challengers"], YamlReader.Join(path, "challengers"),
                $"weights sum to {challengerWeight.ToString(CultureInfo.InvariantCulture)}; they must leave the champion more than 0");
        }
        if (champion is not null)
        {
            arms.Add(Arm("champion", champion, Math.Max(0, 1 - challengerWeight), shadow: false));
        }
        arms.AddRange(challengers.Select(c => c.Arm));
        var shadows = reader.Names(fields, "shadows", path);
        for (var i = 0; i < shadows.Count; i++)
        {
            if (reader.ModelRef(shadows[i], YamlReader.Join(path, "shadows")))
            {
                arms.Add(Arm(i == 0 ? "shadow" : $"shadow-{i + 1}", shadows[i].Value, 0, shadow: true));
            }
        }
        foreach (var duplicate in arms.GroupBy(arm => arm.name).Where(group => group.Count() > 1))
        {
            reader.Error(fields.GetValueOrDefault("challengers") ?? map, YamlReader.Join(path, "challengers"), $"arm name '{duplicate.Key}' is used twice");
        }

        var fallback = reader.Names(fields, "fallback", path);
        foreach (var reference in fallback)
        {
            reader.ModelRef(reference, YamlReader.Join(path, "fallback"));
        }
        var fallbackConstant = reader.Fraction(fields, "fallback_constant", path);
        var timeout = reader.PositiveLong(fields, "model_timeout_ms", path);
        var outputRules = reader.OptionalString(fields, "output_rules", path, ModelRefPattern(), "a rule set reference name:version");
        var shadowRules = reader.OptionalString(fields, "shadow_rules", path, ModelRefPattern(), "a rule set reference name:version");
        var stage = reader.OptionalString(fields, "stage", path) ?? "stable";
        if (stage == DeploymentPlan.RolledBackStage)
        {
            reader.Error(fields["stage"], YamlReader.Join(path, "stage"), ReservedStage);
        }
        if (reader.Count > errors || name is null)
        {
            return null;
        }
        return new Deployment
        {
            deployment = name,
            tenant_id = tenant,
            event_types = eventTypes.Select(e => e.Value).ToList(),
            arms = arms,
            fallback = fallback.Select(f => f.Value).ToList(),
            fallback_constant = fallbackConstant,
            model_timeout_ms = timeout,
            routing_key = routingKey,
            output_rules = outputRules,
            shadow_rules = shadowRules,
            stage = stage,
            approved_by = reader.OptionalString(fields, "approved_by", path) ?? approvedBy,
            revision = revision,
            spec_version = reader.OptionalString(fields, "spec_version", path) ?? "",
            updated_at = now,
        };
    }

    private static List<(DeploymentArm Arm, YamlNode Node)> ReadChallengers(YamlReader reader, Dictionary<string, YamlNode> fields, string path)
    {
        var challengers = new List<(DeploymentArm, YamlNode)>();
        if (!fields.TryGetValue("challengers", out var node))
        {
            return challengers;
        }
        if (node is not YamlSequenceNode sequence)
        {
            reader.Error(node, YamlReader.Join(path, "challengers"), "must be a list of { model, weight, name }");
            return challengers;
        }
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var itemPath = $"{path}.challengers[{i}]";
            if (reader.Mapping(sequence.Children[i], itemPath) is not { } map)
            {
                continue;
            }
            var item = reader.Fields(map, itemPath, ChallengerFields);
            var model = reader.RequiredString(map, item, "model", itemPath, ModelRefPattern(), "a model reference name:version");
            var weight = reader.OpenFraction(map, item, "weight", itemPath);
            var name = reader.OptionalString(item, "name", itemPath) ?? (i == 0 ? "challenger" : $"challenger-{i + 1}");
            if (model is not null && weight is not null)
            {
                challengers.Add((Arm(name, model, weight.Value, shadow: false), map));
            }
        }
        return challengers;
    }

    private static DeploymentArm Arm(string name, string model, double weight, bool shadow)
    {
        var colon = model.IndexOf(':', StringComparison.Ordinal);
        return new DeploymentArm { name = name, model_name = model[..colon], model_version = model[(colon + 1)..], traffic_weight = weight, shadow = shadow };
    }

    [GeneratedRegex(@"\A[a-z][a-z0-9_.\-]*\z")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\A[^:\s]+:[^:\s]+\z")]
    internal static partial Regex ModelRefPattern();
}
