using MlOps.Contracts;
using MlOps.Models.Rules;

namespace MlOps.Inference.Serving;

/// <summary>
/// What serves one deployment: the loaded model of every arm (serving arms and shadows, by arm name) and of every
/// step of its fallback chain, in order.
/// </summary>
public sealed record DeploymentRoute(string Key, Deployment Deployment, IReadOnlyDictionary<string, ModelHandle> Arms, IReadOnlyList<ModelHandle> Fallbacks)
{
    /// <summary>Every model the route holds, once each.</summary>
    public IReadOnlyList<ModelHandle> Models { get; } = Arms.Values.Concat(Fallbacks).Distinct().ToArray();

    /// <summary>The views any of its models reads: one batched read serves the arm, shadows and fallbacks.</summary>
    public IReadOnlyList<string> Views { get; } = Arms.Values.Concat(Fallbacks).SelectMany(m => m.Views).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The serving arm with the largest traffic weight (the champion), for listings.</summary>
    public DeploymentArm Champion { get; } = Deployment.arms.Where(a => !a.shadow).OrderByDescending(a => a.traffic_weight).First();

    public ModelHandle ChampionModel => Arms[Champion.name];

    /// <summary>The shadow arms, scored for every request (once per route, not per request).</summary>
    public IReadOnlyList<DeploymentArm> Shadows { get; } = ArmRouter.Shadows(Deployment);

    /// <summary>The output rule set applied to every prediction of this deployment, if it names one.</summary>
    public CompiledRuleSet? Rules { get; init; }

    /// <summary>A candidate rule set evaluated and logged beside <see cref="Rules"/>, never applied.</summary>
    public CompiledRuleSet? ShadowRules { get; init; }

    /// <summary>The rule sets of arms that name their own (DeploymentArm.output_rules), by arm name.</summary>
    public IReadOnlyDictionary<string, CompiledRuleSet> ArmRules { get; init; } = new Dictionary<string, CompiledRuleSet>(StringComparer.Ordinal);

    /// <summary>The output rule set a prediction of <paramref name="arm"/> gets: the arm's own, else the deployment's.</summary>
    public CompiledRuleSet? RulesFor(string arm) => ArmRules.GetValueOrDefault(arm) ?? Rules;
}

/// <summary>
/// An immutable routing table: event type and tenant to the deployment that scores it. A tenant's own deployment
/// takes precedence over the default one (tenant_id null). Scoring leases the snapshot in force; a newer snapshot
/// replaces it without waiting, and the old one releases its models when its last lease ends.
/// </summary>
public sealed class ServingSnapshot
{
    private readonly Dictionary<(string EventType, string? Tenant), DeploymentRoute> _routes = new();
    private int _leases = 1;

    public ServingSnapshot(IReadOnlyList<DeploymentRoute> routes)
    {
        Routes = routes;
        foreach (var route in routes)
        {
            foreach (var model in route.Models)
            {
                model.AddReference();
            }
            foreach (var eventType in route.Deployment.event_types)
            {
                // ServingState refuses a deployment that collides with an earlier one; should two still meet here,
                // the first keeps the route, as there.
                _routes.TryAdd((eventType, route.Deployment.tenant_id), route);
            }
        }
        EventTypes = routes.SelectMany(r => r.Deployment.event_types).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<DeploymentRoute> Routes { get; }

    /// <summary>Event types some deployment scores: others are not scoring targets.</summary>
    public IReadOnlySet<string> EventTypes { get; }

    public DeploymentRoute? Route(string eventType, string tenant) =>
        _routes.GetValueOrDefault((eventType, tenant)) ?? _routes.GetValueOrDefault((eventType, null));

    /// <summary>Adds a lease unless the snapshot has already been fully released.</summary>
    internal bool TryLease()
    {
        var current = Volatile.Read(ref _leases);
        while (current > 0)
        {
            var seen = Interlocked.CompareExchange(ref _leases, current + 1, current);
            if (seen == current)
            {
                return true;
            }
            current = seen;
        }
        return false;
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0)
        {
            foreach (var model in Routes.SelectMany(r => r.Models))
            {
                model.Release();
            }
        }
    }
}

/// <summary>A scoring call's hold on a snapshot: its models stay loaded until the lease is disposed.</summary>
public readonly struct ServingLease(ServingSnapshot snapshot) : IDisposable
{
    public ServingSnapshot Snapshot { get; } = snapshot;

    public void Dispose() => Snapshot.Release();
}
