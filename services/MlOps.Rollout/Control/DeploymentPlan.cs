using MlOps.Contracts;

namespace MlOps.Rollout.Control;

/// <summary>
/// The deployment revisions a rollout publishes, built from the deployment in force: only the arms, the stage label,
/// the revision and the time change (and, for a rule-set candidate, the deployment's output_rules and shadow_rules);
/// event types, fallback, routing key and tenant are kept.
/// </summary>
/// <remarks>
/// A model candidate is a second arm (a shadow arm in a shadow stage). A rule-set candidate keeps the champion's model
/// throughout: a shadow stage makes it the deployment's shadow_rules (evaluated on every prediction, never applied), a
/// traffic stage serves it from a candidate arm on the champion's model that names it as its own output_rules, and
/// completion makes it the deployment's output_rules. Leaving a shadow stage clears shadow_rules when it is the
/// candidate (the rollout borrows the deployment's shadow slot).
/// </remarks>
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

    public static Deployment ForStage(Deployment inForce, DeploymentArm champion, string candidateModel, RolloutStage stage, long revision, DateTime now) =>
        ForStage(inForce, champion, RolloutCandidate.ForModel(candidateModel), stage, revision, now);

    public static Deployment ForStage(Deployment inForce, DeploymentArm champion, RolloutCandidate candidate, RolloutStage stage, long revision, DateTime now)
    {
        var weight = stage.shadow ? 0 : Math.Clamp(stage.traffic_weight, 0, 1);
        var label = stage.shadow ? "shadow" : weight < 0.5 ? "canary" : "ramping";
        if (candidate.Rules is { } rules)
        {
            if (stage.shadow)
            {
                var shadow = Copy(inForce, label, revision, now, [Arm(RolloutArms.Champion, champion, 1)]);
                shadow.shadow_rules = rules;
                return shadow;
            }
            var traffic = Copy(inForce, label, revision, now,
            [
                Arm(RolloutArms.Champion, champion, 1 - weight),
                Arm(RolloutArms.Candidate, champion, weight, rules),
            ]);
            traffic.shadow_rules = ShadowAfter(inForce, candidate);
            return traffic;
        }
        var (name, version) = ParseModel(candidate.Model!);
        return Copy(inForce, label, revision, now,
        [
            Arm(RolloutArms.Champion, champion, 1 - weight),
            new DeploymentArm
            {
                name = RolloutArms.Candidate, model_name = name, model_version = version, traffic_weight = weight, shadow = stage.shadow,
                output_rules = champion.output_rules,
            },
        ]);
    }

    /// <summary>
    /// Whether <paramref name="deployment"/> gives the candidate any part: an arm on its model, or its rule set as an
    /// arm's rules or the shadow rule set.
    /// </summary>
    public static bool Carries(Deployment deployment, RolloutCandidate candidate) =>
        candidate.Rules is { } rules
            ? deployment.shadow_rules == rules || deployment.output_rules == rules || deployment.arms.Any(a => a.output_rules == rules)
            : deployment.arms.Any(a => a.ModelKey == candidate.Model);

    /// <summary>Whether <paramref name="deployment"/> is the shape <see cref="Completed(Deployment, DeploymentArm, RolloutCandidate, long, DateTime)"/> gives: the candidate is the champion, alone.</summary>
    public static bool IsCompletion(Deployment deployment, RolloutCandidate candidate) =>
        deployment.stage == StableStage && deployment.arms.Count == 1 && (candidate.Rules is { } rules
            ? deployment.output_rules == rules && deployment.arms[0].output_rules is null
            : deployment.arms[0].ModelKey == candidate.Model);

    /// <summary>Deployment.stage once a rollout completed (and of a deployment no rollout touched).</summary>
    public const string StableStage = "stable";

    /// <summary>Deployment.stage of a rollback's restore: the champion alone again.</summary>
    public const string RolledBackStage = "rolled_back";

    public static Deployment RolledBack(Deployment inForce, DeploymentArm champion, long revision, DateTime now) =>
        RolledBack(inForce, champion, null, revision, now);

    /// <summary>The champion alone again, with the rules it had: a rule-set candidate leaves shadow_rules too.</summary>
    public static Deployment RolledBack(Deployment inForce, DeploymentArm champion, RolloutCandidate? candidate, long revision, DateTime now)
    {
        var deployment = Copy(inForce, RolledBackStage, revision, now, [Arm(RolloutArms.Champion, champion, 1)]);
        deployment.shadow_rules = ShadowAfter(inForce, candidate);
        return deployment;
    }

    public static Deployment Completed(Deployment inForce, string candidateModel, long revision, DateTime now)
    {
        var (name, version) = ParseModel(candidateModel);
        return Copy(inForce, StableStage, revision, now, [new DeploymentArm { name = RolloutArms.Champion, model_name = name, model_version = version, traffic_weight = 1 }]);
    }

    /// <summary>
    /// The candidate becomes the champion: a model as the single champion arm (keeping the champion arm's own rules),
    /// a rule set as the deployment's output_rules on the champion's model.
    /// </summary>
    public static Deployment Completed(Deployment inForce, DeploymentArm champion, RolloutCandidate candidate, long revision, DateTime now)
    {
        if (candidate.Rules is { } rules)
        {
            var deployment = Copy(inForce, StableStage, revision, now, [Arm(RolloutArms.Champion, champion, 1, own: null)]);
            deployment.output_rules = rules;
            deployment.shadow_rules = ShadowAfter(inForce, candidate);
            return deployment;
        }
        var completed = Completed(inForce, candidate.Model!, revision, now);
        completed.arms[0].output_rules = champion.output_rules;
        return completed;
    }

    /// <summary>The shadow rule set once a rule-set candidate no longer needs the slot (null when it held it).</summary>
    private static string? ShadowAfter(Deployment inForce, RolloutCandidate? candidate) =>
        candidate?.Rules is { } rules && inForce.shadow_rules == rules ? null : inForce.shadow_rules;

    /// <summary>An arm on the champion's model; its own rule set is the champion's unless <paramref name="own"/> says otherwise.</summary>
    private static DeploymentArm Arm(string name, DeploymentArm champion, double weight) =>
        Arm(name, champion, weight, champion.output_rules);

    private static DeploymentArm Arm(string name, DeploymentArm champion, double weight, string? own) => new()
    {
        name = name,
        model_name = champion.model_name,
        model_version = champion.model_version,
        traffic_weight = weight,
        shadow = false,
        output_rules = own,
    };

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
