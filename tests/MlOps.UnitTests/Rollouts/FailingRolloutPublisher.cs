using MlOps.Contracts;
using MlOps.Rollout;
using RolloutSpec = MlOps.Contracts.Rollout;

namespace MlOps.UnitTests.Rollouts;

/// <summary>Records what the driver publishes; each call named in <see cref="FailOnce"/> throws once, as a Kafka outage would.</summary>
internal sealed class FailingRolloutPublisher : IRolloutPublisher
{
    public const string Deployment = "deployment";
    public const string Event = "event";
    public const string Alert = "alert";

    public HashSet<string> FailOnce { get; } = [];

    public List<Deployment> Deployments { get; } = [];

    public List<RolloutEvent> Events { get; } = [];

    public List<string> Alerts { get; } = [];

    /// <summary>The reason each alert of <see cref="Alerts"/> carried, in the same order.</summary>
    public List<string> AlertReasons { get; } = [];

    public Task PublishDeploymentAsync(string key, Deployment deployment, CancellationToken ct)
    {
        Fail(Deployment);
        Deployments.Add(deployment);
        return Task.CompletedTask;
    }

    public Task PublishEventAsync(string key, RolloutEvent rolloutEvent, CancellationToken ct)
    {
        Fail(Event);
        Events.Add(rolloutEvent);
        return Task.CompletedTask;
    }

    public Task RaiseRolledBackAsync(RolloutSpec rollout, string reason, string? specVersion, CancellationToken ct)
    {
        Fail(Alert);
        Alerts.Add(RolloutPublisher.RolledBackAlert);
        AlertReasons.Add(reason);
        return Task.CompletedTask;
    }

    public Task RaiseAbortedAsync(RolloutSpec rollout, string reason, string? specVersion, CancellationToken ct)
    {
        Fail(Alert);
        Alerts.Add(RolloutPublisher.AbortedAlert);
        AlertReasons.Add(reason);
        return Task.CompletedTask;
    }

    private void Fail(string call)
    {
        if (FailOnce.Remove(call)) throw new InvalidOperationException($"Local: Message timed out ({call})");
    }
}
