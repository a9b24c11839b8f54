namespace MlOps.Rollout.Control;

/// <summary>The actions a RolloutEvent names (RolloutEvent.avsc).</summary>
public static class RolloutActions
{
    public const string Started = "started";
    public const string Advanced = "advanced";
    public const string AwaitingApproval = "awaiting_approval";
    public const string Approved = "approved";
    public const string RolledBack = "rolled_back";
    public const string Completed = "completed";
}
