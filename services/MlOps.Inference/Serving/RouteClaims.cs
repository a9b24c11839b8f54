using MlOps.Contracts;

namespace MlOps.Inference.Serving;

/// <summary>
/// The routing rule that one (event type, tenant scope) scores through one deployment: the routes claimed so far,
/// by deployment key. Inference builds its snapshot with it (a later key that collides is refused, route_conflict),
/// and <c>./mlops deploy</c> checks a deployment against those in force with it before publishing.
/// </summary>
public sealed class RouteClaims
{
    private readonly Dictionary<(string EventType, string? Tenant), string> _holders = new();

    /// <summary>The first route of <paramref name="deployment"/> another key holds, or null when it can claim them all.</summary>
    public (string EventType, string Holder)? ConflictOf(string key, Deployment deployment)
    {
        foreach (var eventType in deployment.event_types)
        {
            if (_holders.TryGetValue((eventType, deployment.tenant_id), out var holder) && holder != key)
            {
                return (eventType, holder);
            }
        }
        return null;
    }

    /// <summary>Claims every route of <paramref name="deployment"/> for <paramref name="key"/>.</summary>
    public void Claim(string key, Deployment deployment)
    {
        foreach (var eventType in deployment.event_types)
        {
            _holders[(eventType, deployment.tenant_id)] = key;
        }
    }

    /// <summary>How a tenant scope reads in messages: "all tenants" or "tenant 'x'".</summary>
    public static string Scope(string? tenant) => tenant is null ? "all tenants" : $"tenant '{tenant}'";
}
