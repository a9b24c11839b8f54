using MlOps.Contracts;

namespace MlOps.Cli.Deployments;

/// <summary>
/// The check <c>deploy</c> makes before publishing: one (event type, tenant scope) scores through one deployment.
/// Inference refuses the later-keyed of two deployments that claim the same one (route_conflict) and, keys being
/// ordered, a new deployment could otherwise take a route from one already serving; the CLI refuses it up front.
/// </summary>
public static class DeploymentRoutes
{
    /// <summary>
    /// Every conflict of <paramref name="incoming"/> (keyed as published) with the deployments in force and with each
    /// other; a deployment published again under its own key replaces itself and is no conflict.
    /// </summary>
    public static IReadOnlyList<string> Conflicts(IReadOnlyDictionary<string, Deployment> inForce, IReadOnlyList<(string Key, Deployment Deployment)> incoming)
    {
        var claimed = new Dictionary<(string EventType, string? Tenant), string>();
        var replaced = incoming.Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, deployment) in inForce.Where(d => !replaced.Contains(d.Key)))
        {
            foreach (var eventType in deployment.event_types)
            {
                claimed.TryAdd((eventType, deployment.tenant_id), key);
            }
        }
        var conflicts = new List<string>();
        foreach (var (key, deployment) in incoming)
        {
            foreach (var eventType in deployment.event_types)
            {
                if (claimed.TryGetValue((eventType, deployment.tenant_id), out var holder) && holder != key)
                {
                    conflicts.Add($"'{key}' would score event type '{eventType}' for {Scope(deployment.tenant_id)}, which '{holder}' already scores " +
                                  $"(one deployment per event type and tenant: undeploy '{holder}' first, or roll the new model out within it)");
                    continue;
                }
                claimed[(eventType, deployment.tenant_id)] = key;
            }
        }
        return conflicts;
    }

    private static string Scope(string? tenant) => tenant is null ? "all tenants" : $"tenant '{tenant}'";
}
