using MlOps.Common.Alerts;
using MlOps.Common.Kafka;
using MlOps.Contracts;

namespace MlOps.Rollout;

/// <summary>Everything the controller writes: deployment revisions, rollout events, the rollback alert.</summary>
public sealed class RolloutPublisher(AvroPublisher publisher, AlertPublisher alerts)
{
    public const string RolledBackAlert = "RolloutRolledBack";

    public async Task PublishDeploymentAsync(string key, Deployment deployment, CancellationToken ct) =>
        await publisher.PublishAsync(TopicCatalog.Deployments, key, deployment, null, ct);

    public async Task PublishEventAsync(string key, RolloutEvent rolloutEvent, CancellationToken ct)
    {
        await publisher.PublishAsync(TopicCatalog.RolloutEvents, key, rolloutEvent, null, ct);
        RolloutMetrics.Transitions.WithLabels(rolloutEvent.action).Inc();
    }

    /// <summary>Labels are the deployment and tenant (bounded); the reason and candidate are annotations.</summary>
    public async Task RaiseRolledBackAsync(MlOps.Contracts.Rollout rollout, string reason, string? specVersion, CancellationToken ct)
    {
        var labels = new Dictionary<string, string> { ["deployment"] = rollout.deployment };
        if (rollout.tenant_id is { } tenant) labels["tenant"] = tenant;
        await alerts.PublishAsync(new AlertRequest(
            RolledBackAlert,
            AlertSeverity.warning,
            labels,
            new Dictionary<string, string> { ["reason"] = reason, ["candidate_model"] = rollout.candidate_model }), specVersion, ct);
    }
}
