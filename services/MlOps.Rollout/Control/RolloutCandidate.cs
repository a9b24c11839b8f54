namespace MlOps.Rollout.Control;

/// <summary>
/// What a rollout brings in: a model (<c>candidate_model</c>) served by the candidate arm, or an output rule set
/// (<c>candidate_rules</c>) applied on the champion's model, shadow-evaluated as the deployment's shadow_rules or
/// served by a candidate arm that names it as its own output_rules.
/// </summary>
public sealed record RolloutCandidate
{
    private RolloutCandidate(string? model, string? rules) => (Model, Rules) = (model, rules);

    /// <summary>'name:version' of the candidate model; null for a rule-set rollout.</summary>
    public string? Model { get; }

    /// <summary>'name:version' of the candidate rule set; null for a model rollout.</summary>
    public string? Rules { get; }

    public bool IsRules => Rules is not null;

    public static RolloutCandidate ForModel(string model) => new(model, null);

    public static RolloutCandidate ForRules(string rules) => new(null, rules);

    /// <summary>The candidate a rollout record names: its rule set when it has one, else its model.</summary>
    public static RolloutCandidate Of(MlOps.Contracts.Rollout rollout) =>
        rollout.candidate_rules is { } rules ? ForRules(rules) : ForModel(rollout.candidate_model);

    /// <summary>For reasons and listings: the model's 'name:version', or 'rules name:version'.</summary>
    public override string ToString() => IsRules ? $"rules {Rules}" : Model!;

    /// <summary>Why the candidate cannot be rolled out (a rollout naming both kinds, or a malformed 'name:version'), or null.</summary>
    public static string? Problem(MlOps.Contracts.Rollout rollout)
    {
        if (rollout.candidate_rules is { } rules)
        {
            return rollout.candidate_model.Length > 0
                ? $"the rollout names both candidate_model '{rollout.candidate_model}' and candidate_rules '{rules}'"
                : IsNameVersion(rules) ? null : $"candidate_rules '{rules}' is not 'name:version'";
        }
        return IsNameVersion(rollout.candidate_model) ? null : $"candidate_model '{rollout.candidate_model}' is not 'name:version'";
    }

    /// <summary>
    /// Why the candidate cannot be rolled out on the deployment in force, or null: a rule set with a shadow stage where
    /// the deployment already shadow-evaluates another rule set, which that stage would replace (and leaving the stage
    /// would drop).
    /// </summary>
    public static string? ConflictWith(MlOps.Contracts.Rollout rollout, MlOps.Contracts.Deployment inForce) =>
        rollout.candidate_rules is { } rules && rollout.stages.Any(s => s.shadow) && inForce.shadow_rules is { } other && other != rules
            ? $"deployment '{inForce.deployment}'{(inForce.tenant_id is { } tenant ? $" (tenant {tenant})" : "")} already shadow-evaluates " +
              $"rule set '{other}', which the shadow stage of rules {rules} would replace; remove shadow_rules from the deployment " +
              "or drop the shadow stage, then start the rollout again"
            : null;

    private static bool IsNameVersion(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && colon < value.Length - 1;
    }
}
