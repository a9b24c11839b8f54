using MlOps.Contracts;

namespace MlOps.Rollout.Control;

/// <summary>
/// The deployment revisions a rollout publishes, built from the deployment in force: only the arms, the stage label,
/// the revision and the time change; event types, fallback, rules, routing key and tenant are kept.
/// </summary>
public static class DeploymentPlan
{
    /// <summary>Splits 'name:version' at its last colon (names may contain colons, versions do not).</summary>
    public static (string Name, string Version) ParseModel(string model)
    {
        var colon = model.LastIndexOf(':');
        if (colon <= 0 || colon == model.Length - 1)
        {
            throw new FormatException($"'{model}' is not 'name:version'.");
        }
        return (model[..colon], model[(colon + 1)..]);
    }

    /// <summary>
    /// The model serving before the rollout: the arm named champion (a rollout resumed after a restart), else the
    /// serving arm with the largest share. Null when the deployment serves nothing.
    /// </summary>
    public static DeploymentArm? Champion(Deployment inForce) =>
        inForce.arms.FirstOrDefault(a => a.name == RolloutArms.Champion && !a.shadow)
        ?? inForce.arms.Where(a => !a.shadow).OrderByDescending(a => a.traffic_weight).FirstOrDefault();

    public static Deployment ForStage(Deployment inForce, DeploymentArm champion, string candidateModel, RolloutStage stage, long revision, DateTime now)
    {
        var (name, version) = ParseModel(candidateModel);
        var weight = stage.shadow ? 0 : Math.Clamp(stage.traffic_weight, 0, 1);
        var label = stage.shadow ? "shadow" : weight < 0.5 ? "canary" : "ramping";
        return Copy(inForce, label, revision, now,
        [
            Arm(RolloutArms.Champion, champion.model_name, champion.model_version, 1 - weight),
            new DeploymentArm { name = RolloutArms.Candidate, model_name = name, model_version = version, traffic_weight = weight, shadow = stage.shadow },
        ]);
    }

    public static Deployment RolledBack(Deployment inForce, DeploymentArm champion, long revision, DateTime now) =>
        Copy(inForce, "rolled_back", revision, now, [Arm(RolloutArms.Champion, champion.model_name, champion.model_version, 1)]);

    public static Deployment Completed(Deployment inForce, string candidateModel, long revision, DateTime now)
    {
        var (name, version) = ParseModel(candidateModel);
        return Copy(inForce, "stable", revision, now, [Arm(RolloutArms.Champion, name, version, 1)]);
    }

    private static DeploymentArm Arm(string name, string model, string version, double weight) =>
        new() { name = name, model_name = model, model_version = version, traffic_weight = weight, shadow = false };

    private static Deployment Copy(Deployment inForce, string stage, long revision, DateTime now, List<DeploymentArm> arms) => new()
    {
        deployment = inForce.deployment,
        tenant_id = inForce.tenant_id,
        event_types = inForce.event_types.ToList(),
        arms = arms,
        fallback = inForce.fallback.ToList(),
        fallback_constant = inForce.fallback_constant,
        model_timeout_ms = inForce.model_timeout_ms,
        routing_key = inForce.routing_key,
        output_rules = inForce.output_rules,
        shadow_rules = inForce.shadow_rules,
        stage = stage,
        approved_by = inForce.approved_by,
        revision = revision,
        spec_version = inForce.spec_version,
        updated_at = now,
    };
}
