namespace MlOps.Rollout.Control;

/// <summary>
/// A rollback decided but not yet published in full. Each step is marked once it went out, so a retry after a failed
/// publish repeats only what is missing (the deployment restore is not published twice).
/// </summary>
public sealed class PendingRollback(string reason, bool aborted, Dictionary<string, double> metrics, DateTimeOffset at)
{
    public string Reason { get; } = reason;

    /// <summary>An abort (<c>./mlops rollout abort</c> deleted the record) rather than a failed gate: decides the alert.</summary>
    public bool Aborted { get; } = aborted;

    /// <summary>The numbers the rollback was decided on, carried by the rolled_back event.</summary>
    public Dictionary<string, double> Metrics { get; } = metrics;

    public DateTimeOffset At { get; } = at;

    public bool DeploymentRestored { get; set; }

    /// <summary>The deployment revision the restore published (null: there was no deployment, or no champion, to restore).</summary>
    public long? DeploymentRevision { get; set; }

    public bool EventPublished { get; set; }

    public bool AlertRaised { get; set; }
}
