namespace MlOps.Rollout.Control;

/// <summary>What the controller does with a rollout after one evaluation.</summary>
public abstract record RolloutDecision(string Reason)
{
    /// <summary>Not judged yet (duration or samples short), or awaiting a metric; nothing is published.</summary>
    public sealed record Wait(string Reason) : RolloutDecision(Reason);

    /// <summary>Every gate held: the next stage starts.</summary>
    public sealed record Advance(int ToStage, string Reason) : RolloutDecision(Reason);

    /// <summary>Every gate held on a manual stage not approved yet.</summary>
    public sealed record AwaitApproval(string Reason) : RolloutDecision(Reason);

    /// <summary>A gate failed: the champion serves alone again.</summary>
    public sealed record RolledBack(string Reason) : RolloutDecision(Reason);

    /// <summary>The last stage's gates held: the candidate becomes the champion.</summary>
    public sealed record Completed(string Reason) : RolloutDecision(Reason);
}
