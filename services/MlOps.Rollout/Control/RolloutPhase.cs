namespace MlOps.Rollout.Control;

/// <summary>Where a rollout is in the controller's state machine.</summary>
public enum RolloutPhase
{
    /// <summary>Known, not started yet (waiting for the deployment in force, or for the first evaluation).</summary>
    Pending,
    Running,
    AwaitingApproval,
    RolledBack,
    Completed,
}
