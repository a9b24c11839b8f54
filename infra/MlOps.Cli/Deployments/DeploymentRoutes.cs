using MlOps.Contracts;
using MlOps.Inference.Serving;

namespace MlOps.Cli.Deployments;

/// <summary>
/// The check <c>deploy</c> makes before publishing, with Inference's own rule (<see cref="RouteClaims"/>): one
/// (event type, tenant scope) scores through one deployment. Inference refuses the later-keyed of two deployments
/// that claim the same one (route_conflict) and, keys being ordered, a new deployment could otherwise take a route
/// from one already serving; the CLI refuses it up front.
/// </summary>
public static class DeploymentRoutes
{
    /// <summary>
    /// Every conflict of <paramref name="incoming"/> (keyed as published) with the deployments in force and with each
    /// other; a deployment published again under its own key replaces itself and is no conflict.
    /// </summary>
    public static IReadOnlyList<string> Conflicts(IReadOnlyDictionary<string, Deployment> inForce, IReadOnlyList<(string Key, Deployment Deployment)> incoming)
    {
        var claims = new RouteClaims();
        var replaced = incoming.Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        // As Inference routes them: in key order, a deployment that collides with an earlier one claims nothing.
        foreach (var (key, deployment) in inForce.Where(d => !replaced.Contains(d.Key)).OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (claims.ConflictOf(key, deployment) is null)
            {
                claims.Claim(key, deployment);
            }
        }
        var conflicts = new List<string>();
        foreach (var (key, deployment) in incoming)
        {
            if (claims.ConflictOf(key, deployment) is var (eventType, holder))
            {
                conflicts.Add($"'{key}' would score event type '{eventType}' for {RouteClaims.Scope(deployment.tenant_id)}, which '{holder}' already scores " +
                              $"(one deployment per event type and tenant: undeploy '{holder}' first, or roll the new model out within it)");
                continue;
            }
            claims.Claim(key, deployment);
        }
        return conflicts;
    }
}
