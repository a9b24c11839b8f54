using MlOps.Contracts;

namespace MlOps.Rollout.Control;

/// <summary>The controller's in-memory state of one rollout: its spec, the champion it started from, its stage window.</summary>
public sealed class ActiveRollout(string key, MlOps.Contracts.Rollout spec)
{
    public string Key { get; } = key;

    /// <summary>The latest revision of the rollout record (an approval replaces it).</summary>
    public MlOps.Contracts.Rollout Spec { get; set; } = spec;

    public DeploymentArm? Champion { get; set; }

    public RolloutPhase Phase { get; set; } = RolloutPhase.Pending;

    public int StageIndex { get; set; }

    public DateTimeOffset StageStartedAt { get; set; }

    public StageMetrics Metrics { get; set; } = new();

    /// <summary>The manual stage whose approval was already announced as an event.</summary>
    public string? ApprovalAnnounced { get; set; }

    /// <summary>The completed deployment went out but its completed event did not (a restart came between): publish the event.</summary>
    public bool CompletionUnannounced { get; set; }

    public string LastReason { get; set; } = "not evaluated yet";

    /// <summary>The rollback under way (phase <see cref="RolloutPhase.RollingBack"/>), null otherwise.</summary>
    public PendingRollback? Rollback { get; private set; }

    public RolloutStage Stage => Spec.stages[StageIndex];

    /// <summary>The model or rule set this rollout brings in.</summary>
    public RolloutCandidate Candidate => RolloutCandidate.Of(Spec);

    public bool Finished => Phase is RolloutPhase.RolledBack or RolloutPhase.Completed;

    /// <summary>Whether a rollout record is a revision of this rollout rather than a new rollout under the same key.</summary>
    public bool IsSameRollout(MlOps.Contracts.Rollout other) =>
        other.candidate_model == Spec.candidate_model && other.candidate_rules == Spec.candidate_rules && other.created_at == Spec.created_at;

    /// <summary>Decides to roll back; the decision stands until <see cref="RolledBack"/>, however often publishing fails.</summary>
    public void BeginRollback(string reason, bool aborted, Dictionary<string, double> metrics, DateTimeOffset at)
    {
        if (Phase == RolloutPhase.RollingBack) return;
        Rollback = new PendingRollback(reason, aborted, metrics, at);
        Phase = RolloutPhase.RollingBack;
        LastReason = $"rolling back: {reason}";
    }

    /// <summary>The rollback was published in full.</summary>
    public void RolledBack()
    {
        LastReason = Rollback?.Reason ?? LastReason;
        Rollback = null;
        Phase = RolloutPhase.RolledBack;
    }

    /// <summary>Starts (or restarts) the window of a stage: the gates see only what happened in it.</summary>
    public void EnterStage(int index, DateTimeOffset now)
    {
        StageIndex = index;
        StageStartedAt = now;
        Metrics = new StageMetrics(rulesShadow: Candidate.IsRules && Spec.stages[index].shadow);
        Phase = RolloutPhase.Running;
    }
}
