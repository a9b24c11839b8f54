using MlOps.Contracts;

namespace MlOps.Rollout.Control;

/// <summary>
/// Where a rollout stands after a restart, from what the topics hold (pure): its record, its transitions and the
/// deployment in force. The latest transition names the stage to resume (its window starts over); a deployment
/// published after the rollout's transitions tells a rollback or a completion the restart cut short, which is
/// finished rather than resumed. A rollout with transitions but no record was aborted: it is rolled back.
/// </summary>
public static class RolloutRecovery
{
    /// <summary>The reason of the rollback an abort causes.</summary>
    public const string AbortReason = "aborted: the rollout record was deleted (./mlops rollout abort)";

    /// <summary>The rollout <paramref name="spec"/> is the record of, as its transitions left it.</summary>
    public static ActiveRollout Recover(string key, MlOps.Contracts.Rollout spec, RolloutHistory? history, Deployment? inForce, DateTimeOffset now)
    {
        var rollout = new ActiveRollout(key, spec);
        var (last, published) = history?.Of(spec) ?? new RolloutHistory.Transitions(null, null);
        if (last is null)
        {
            return rollout;
        }
        switch (last.action)
        {
            case RolloutActions.RolledBack:
                rollout.Phase = RolloutPhase.RolledBack;
                rollout.LastReason = last.reason;
                return rollout;
            case RolloutActions.Completed:
                rollout.Phase = RolloutPhase.Completed;
                rollout.LastReason = last.reason;
                return rollout;
        }
        var index = spec.stages.ToList().FindIndex(s => s.name == last.to_stage);
        if (index < 0) return rollout;
        rollout.Champion = inForce is null ? null : DeploymentPlan.Champion(inForce);
        rollout.EnterStage(index, now);
        var after = $"after the rollout's latest transition ('{last.action}' at stage '{last.to_stage}')";
        if (PublishedSince(inForce, published, last, d => d.stage == DeploymentPlan.RolledBackStage) is { } restored)
        {
            // Resuming the stage would route traffic to the candidate again at its next transition. The restore carries
            // the reason the rollback was decided on: the alert repeats it as it was, under the same fingerprint.
            rollout.BeginRollback(restored.change_reason ?? $"finishing a rollback a restart interrupted: revision {restored.revision} of " +
                $"deployment '{key}' had restored the champion alone {after}, and no rolled_back event followed; the gate result it was " +
                "decided on was not recorded (the restore predates Deployment.change_reason)",
                aborted: IsAbort(restored.change_reason), [], now);
            MarkRestored(rollout, restored);
            return rollout;
        }
        if (PublishedSince(inForce, published, last, d => DeploymentPlan.IsCompletion(d, rollout.Candidate)) is { } completed)
        {
            rollout.CompletionUnannounced = true;
            rollout.LastReason = $"completed: revision {completed.revision} of deployment '{key}' made {rollout.Candidate} the champion {after}, " +
                "and no completed event followed before a restart";
            return rollout;
        }
        if (last.action == RolloutActions.AwaitingApproval) rollout.Phase = RolloutPhase.AwaitingApproval;
        if (last.action == RolloutActions.Approved) rollout.ApprovalAnnounced = last.to_stage;
        rollout.LastReason = $"resumed at stage '{last.to_stage}' after a restart; its window started over";
        return rollout;
    }

    /// <summary>
    /// A rollout known only from its latest transition (started or past it, no rollout record): rebuilt from it, at
    /// the stage it names, to be rolled back to the champion of the deployment in force.
    /// </summary>
    /// <param name="published">The newest deployment revision the rollout's transitions published.</param>
    public static ActiveRollout Orphan(string key, RolloutEvent last, long? published, Deployment? inForce, DateTimeOffset now)
    {
        var stage = last.to_stage ?? last.from_stage ?? "(unknown)";
        var rollout = new ActiveRollout(key, new MlOps.Contracts.Rollout
        {
            deployment = last.deployment,
            tenant_id = last.tenant_id,
            candidate_model = last.candidate_model,
            candidate_rules = last.candidate_rules,
            stages = [new RolloutStage { name = stage }],
            approvals = [],
            created_at = last.rollout_created_at ?? last.at,
        })
        {
            Champion = inForce is null ? null : DeploymentPlan.Champion(inForce),
        };
        // Nothing to restore when the deployment in force gives the candidate no part (restored already, or replaced).
        var restored = PublishedSince(inForce, published, last, d => !DeploymentPlan.Carries(d, rollout.Candidate));
        if (restored is { stage: DeploymentPlan.RolledBackStage, change_reason: { } decided })
        {
            // A rollback a restart cut short after its restore: finished as decided, with its own reason (so a repeated
            // alert says what the first said) and its own alert. A failed gate's rollback stays one even when the
            // rollout was aborted before any controller ran again.
            rollout.BeginRollback(decided, aborted: IsAbort(decided), [], now);
        }
        else
        {
            rollout.BeginRollback($"{AbortReason}; its latest event was '{last.action}' at stage '{stage}' and it was never rolled back",
                aborted: true, [], now);
        }
        MarkRestored(rollout, restored);
        return rollout;
    }

    /// <summary>Whether a rollback's reason is an abort's (<see cref="AbortReason"/>) rather than a failed gate's.</summary>
    internal static bool IsAbort(string? reason) => reason?.StartsWith(AbortReason, StringComparison.Ordinal) == true;

    /// <summary>
    /// The deployment in force when it was published after the rollout's transitions (a newer revision than any they
    /// published, or later than the latest when none did) and matches <paramref name="shape"/>.
    /// </summary>
    private static Deployment? PublishedSince(Deployment? inForce, long? published, RolloutEvent last, Func<Deployment, bool> shape) =>
        inForce is not null && shape(inForce) && (published is { } before ? inForce.revision > before : inForce.updated_at >= last.at)
            ? inForce
            : null;

    private static void MarkRestored(ActiveRollout rollout, Deployment? restored)
    {
        if (restored is null) return;
        rollout.Rollback!.DeploymentRestored = true;
        rollout.Rollback.DeploymentRevision = restored.revision;
    }
}
