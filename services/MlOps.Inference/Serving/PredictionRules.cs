using MlOps.Contracts;
using MlOps.Models.Rules;

namespace MlOps.Inference.Serving;

/// <summary>Applies a deployment's output rules to a scored prediction.</summary>
internal static class PredictionRules
{
    /// <summary>
    /// The output rules of the prediction's arm (its own, else the deployment's) decide what is served (the model's own
    /// score stays in scores["model_probability"] when a rule changed it), and rule_versions names the set applied; the
    /// deployment's shadow rule set is evaluated on the same score and only logged.
    /// </summary>
    public static void Apply(Prediction prediction, ScoringRequest request, DeploymentRoute route, double probability)
    {
        var armRules = route.RulesFor(prediction.arm);
        if (armRules is null && route.ShadowRules is null)
        {
            return;
        }
        var inputs = new Dictionary<string, object?>(prediction.served_features, StringComparer.Ordinal);
        foreach (var (name, value) in request.Attributes)
        {
            inputs.TryAdd($"{MlOps.Models.FeatureName.EventPrefix}.{name}", value);
        }
        var input = new RuleInput(request.TenantId, request.EntityId, inputs);
        if (armRules is { } rules)
        {
            var result = rules.Apply(probability, input);
            if (result.Probability != probability)
            {
                prediction.scores["model_probability"] = probability;
                prediction.scores[Scorer.ProbabilityScore] = result.Probability;
            }
            prediction.decision = result.Decision;
            prediction.rules_fired = result.Fired.ToList();
            prediction.rule_versions[rules.Set.name] = rules.Set.version;
            // The metric counts rules that changed a served prediction; a shadow's is logged with its rules, not served.
            foreach (var fired in prediction.is_shadow ? [] : result.Fired)
            {
                InferenceMetrics.RulesFired.WithLabels(rules.Key, fired).Inc();
            }
        }
        if (route.ShadowRules is { } shadow)
        {
            var result = shadow.Apply(probability, input);
            prediction.shadow_decision = result.Decision;
            prediction.shadow_rules_fired = result.Fired.ToList();
        }
    }
}
