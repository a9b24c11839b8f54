using MlOps.Common.Alerts;
using MlOps.Contracts;
using MlOps.Rollout;
using RolloutSpec = MlOps.Contracts.Rollout;

namespace MlOps.UnitTests.Rollouts;

/// <summary>The alerts the rollout controller raises when it gives up a candidate: a failed gate or an abort.</summary>
public sealed class RolloutAlertTests
{
    private static readonly DateTime Now = new(2026, 11, 29, 4, 0, 0, DateTimeKind.Utc);

    private static RolloutSpec Spec(string? tenant) => new()
    {
        deployment = "flight-delay",
        tenant_id = tenant,
        candidate_model = "flight-delay:2",
        stages = [new RolloutStage { name = "canary", traffic_weight = 0.1 }],
        revision = 1,
        created_at = Now,
    };

    [Fact]
    public void An_abort_raises_its_own_info_alert_with_the_reason_and_the_candidate()
    {
        var reason = "aborted: the rollout record was deleted (./mlops rollout abort)";

        var alert = AlertPublisher.Build(RolloutPublisher.Aborted(Spec("airline-a"), reason), "rollout", "flights@3", Now);

        Assert.Equal((RolloutPublisher.AbortedAlert, AlertSeverity.info, AlertStatus.firing), (alert.alert_name, alert.severity, alert.status));
        Assert.Equal(
            new Dictionary<string, string> { ["alertname"] = "RolloutAborted", ["deployment"] = "flight-delay", ["service"] = "rollout", ["tenant"] = "airline-a" },
            alert.labels);
        Assert.Equal(new Dictionary<string, string> { ["reason"] = reason, ["candidate_model"] = "flight-delay:2" }, alert.annotations);
    }

    [Fact]
    public void A_failed_gate_warns_and_is_told_apart_from_an_abort_of_the_same_deployment()
    {
        var rolledBack = AlertPublisher.Build(RolloutPublisher.RolledBack(Spec(null), "stage 'canary': fallback_rate 1 exceeds max 0.05"), "rollout", null, Now);
        var aborted = AlertPublisher.Build(RolloutPublisher.Aborted(Spec(null), "aborted"), "rollout", null, Now);

        Assert.Equal((RolloutPublisher.RolledBackAlert, AlertSeverity.warning), (rolledBack.alert_name, rolledBack.severity));
        Assert.False(rolledBack.labels.ContainsKey("tenant"));
        Assert.Equal("stage 'canary': fallback_rate 1 exceeds max 0.05", rolledBack.annotations["reason"]);
        Assert.NotEqual(rolledBack.fingerprint, aborted.fingerprint);
    }
}
