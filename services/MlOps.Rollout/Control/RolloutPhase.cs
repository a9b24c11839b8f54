namespace MlOps.Rollout.Control;

/// <summary>Where a rollout is in the controller's state machine.</summary>
public enum RolloutPhase
{
    /// <summary>Known, not started yet (waiting for the deployment in force, or for the first evaluation).</summary>
    Pending,
    Running,
    AwaitingApproval,

    /// <summary>
    /// Decided to roll back (a failed gate or an abort), not yet durably published: the deployment restore, the
    /// rolled_back event and the alert are retried at every evaluation until each went out once.
    /// </summary>
    RollingBack,
    RolledBack,
    Completed,
}
