using MlOps.Contracts;
using MlOps.Models.Rules;

namespace MlOps.Inference.Serving;

/// <summary>
/// Builds the <see cref="DeploymentRoute"/> one deployment asks for from the <see cref="LoadedModels"/> and
/// <see cref="CompiledRuleSets"/>, loading and compiling what it names on the way. Not thread-safe: used only under
/// <see cref="ServingState"/>'s lock.
/// </summary>
internal sealed class DeploymentRouteBuilder(LoadedModels models, CompiledRuleSets ruleSets, ILogger logger)
{
    /// <summary>One deployment's route; a failure nothing anticipated counts as "cannot be served" for it alone.</summary>
    public DeploymentRoute? RouteOf(string key, Deployment deployment)
    {
        try
        {
            return Build(key, deployment);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "Deployment {Deployment} revision {Revision} could not be routed", key, deployment.revision);
            return null;
        }
    }

    /// <summary>
    /// The route for a deployment, or null when it cannot serve: no serving arm with traffic, duplicate arm names, a
    /// model of an arm or of the fallback chain that is not loadable, or a rule set (the deployment's, its shadow's or
    /// an arm's own) that is unknown or invalid (all or nothing, so a deployment never serves half of what it asks for).
    /// </summary>
    private DeploymentRoute? Build(string key, Deployment deployment)
    {
        if (!deployment.arms.Any(a => !a.shadow && a.traffic_weight > 0))
        {
            logger.LogWarning("Deployment {Deployment} has no serving arm with traffic", key);
            return null;
        }
        if (deployment.arms.GroupBy(a => a.name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            logger.LogWarning("Deployment {Deployment} names two arms '{Arm}'", key, duplicate.Key);
            return null;
        }
        var arms = new Dictionary<string, ModelHandle>(StringComparer.Ordinal);
        foreach (var arm in deployment.arms)
        {
            if (models.LoadIfNeeded(arm.ModelKey) is not { } handle)
            {
                return null;
            }
            arms[arm.name] = handle;
        }
        var fallbacks = new List<ModelHandle>();
        foreach (var model in deployment.fallback)
        {
            if (models.LoadIfNeeded(model) is not { } handle)
            {
                return null;
            }
            fallbacks.Add(handle);
        }
        if (!ruleSets.TryRules(deployment.output_rules, out var rules) || !ruleSets.TryRules(deployment.shadow_rules, out var shadowRules))
        {
            return null;
        }
        // An arm's own rule set is held to the deployment's standard: unknown or invalid, the revision is not served
        // (the previous one keeps serving), rather than quietly serving the arm with rules it did not ask for.
        var armRules = new Dictionary<string, CompiledRuleSet>(StringComparer.Ordinal);
        foreach (var arm in deployment.arms.Where(a => a.output_rules is not null))
        {
            if (!ruleSets.TryRules(arm.output_rules, out var own))
            {
                return null;
            }
            armRules[arm.name] = own!;
        }
        return new DeploymentRoute(key, deployment, arms, fallbacks) { Rules = rules, ShadowRules = shadowRules, ArmRules = armRules };
    }
}
