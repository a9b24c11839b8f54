using MlOps.Contracts;

namespace MlOps.Rollout;

/// <summary>What <see cref="RolloutDriver"/> publishes; each call returns once the record is acknowledged, or throws.</summary>
public interface IRolloutPublisher
{
    Task PublishDeploymentAsync(string key, Deployment deployment, CancellationToken ct);

    Task PublishEventAsync(string key, RolloutEvent rolloutEvent, CancellationToken ct);

    Task RaiseRolledBackAsync(MlOps.Contracts.Rollout rollout, string reason, string? specVersion, CancellationToken ct);

    Task RaiseAbortedAsync(MlOps.Contracts.Rollout rollout, string reason, string? specVersion, CancellationToken ct);
}
