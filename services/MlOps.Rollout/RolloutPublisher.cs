using MlOps.Common.Alerts;
using MlOps.Common.Kafka;
using MlOps.Contracts;

namespace MlOps.Rollout;

/// <summary>Everything the controller writes: deployment revisions, rollout events, the rollback alert.</summary>
public sealed class RolloutPublisher(AvroPublisher publisher, AlertPublisher alerts) : IRolloutPublisher
{
    /// <summary>A gate failed and the champion serves alone again (severity warning).</summary>
    public const string RolledBackAlert = "RolloutRolledBack";

    /// <summary>Someone deleted a running rollout (<c>./mlops rollout abort</c>) and the champion serves alone again (severity info).</summary>
    public const string AbortedAlert = "RolloutAborted";

    public async Task PublishDeploymentAsync(string key, Deployment deployment, CancellationToken ct) =>
        await publisher.PublishAsync(TopicCatalog.Deployments, key, deployment, null, ct);

    public async Task PublishEventAsync(string key, RolloutEvent rolloutEvent, CancellationToken ct)
    {
        await publisher.PublishAsync(TopicCatalog.RolloutEvents, key, rolloutEvent, null, ct);
        RolloutMetrics.Transitions.WithLabels(rolloutEvent.action).Inc();
    }

    public async Task RaiseRolledBackAsync(MlOps.Contracts.Rollout rollout, string reason, string? specVersion, CancellationToken ct) =>
        await alerts.PublishAsync(RolledBack(rollout, reason), specVersion, ct);

    public async Task RaiseAbortedAsync(MlOps.Contracts.Rollout rollout, string reason, string? specVersion, CancellationToken ct) =>
        await alerts.PublishAsync(Aborted(rollout, reason), specVersion, ct);

    /// <summary>The alert of a failed gate.</summary>
    public static AlertRequest RolledBack(MlOps.Contracts.Rollout rollout, string reason) =>
        Request(RolledBackAlert, AlertSeverity.warning, rollout, reason);

    /// <summary>The alert of an abort: a person's decision, so it informs rather than warns.</summary>
    public static AlertRequest Aborted(MlOps.Contracts.Rollout rollout, string reason) =>
        Request(AbortedAlert, AlertSeverity.info, rollout, reason);

    /// <summary>Labels are the deployment and tenant (bounded); the reason and candidate are annotations.</summary>
    private static AlertRequest Request(string name, AlertSeverity severity, MlOps.Contracts.Rollout rollout, string reason)
    {
        var labels = new Dictionary<string, string> { ["deployment"] = rollout.deployment };
        if (rollout.tenant_id is { } tenant) labels["tenant"] = tenant;
        return new AlertRequest(name, severity, labels,
            rollout.candidate_rules is { } rules
                ? new Dictionary<string, string> { ["reason"] = reason, ["candidate_rules"] = rules }
                : new Dictionary<string, string> { ["reason"] = reason, ["candidate_model"] = rollout.candidate_model });
    }
}
