using Prometheus;

namespace MlOps.Rollout;

/// <summary>The controller's transitions and where each deployment's rollout stands. Deployments are few: a bounded label.</summary>
public static class RolloutMetrics
{
    public static readonly Counter Transitions = Metrics.CreateCounter(
        "mlops_rollout_transitions_total", "Rollout transitions published, by action (started, advanced, awaiting_approval, approved, rolled_back, completed).", "action");

    public static readonly Gauge Stage = Metrics.CreateGauge(
        "mlops_rollout_stage", "Index (from 0) of the stage each rollout is in, by its key deployment[/tenant]; -1 once it rolled back, the stage count once it completed.", "deployment");

    public static readonly Counter Predictions = Metrics.CreateCounter(
        "mlops_rollout_predictions_total", "Predictions read, by whether they counted towards a rollout's stage window (counted, ignored).", "outcome");
}
