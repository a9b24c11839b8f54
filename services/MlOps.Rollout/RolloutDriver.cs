using MlOps.Contracts;
using MlOps.Rollout.Control;

namespace MlOps.Rollout;

/// <summary>
/// Judges every rollout <see cref="RolloutController"/> knows and carries out the decision: a deployment revision, a
/// rollout event with the reason and the metrics, an alert on rollback. A failed publish leaves the rollout where it
/// was, and the next evaluation tries again; a rollback, once decided, stands until it is published in full.
/// </summary>
public sealed partial class RolloutDriver(
    RolloutController controller,
    IRolloutPublisher publisher,
    TimeProvider clock,
    ILogger<RolloutDriver> logger)
{
    public async Task EvaluateAsync(CancellationToken ct)
    {
        var (live, rollingBack) = controller.Reconcile();
        foreach (var rollout in rollingBack)
        {
            await RollBackAsync(rollout, ct);
        }
        foreach (var rollout in live)
        {
            await StepAsync(rollout, ct);
        }
    }

    private async Task StepAsync(ActiveRollout rollout, CancellationToken ct)
    {
        if (rollout.Phase == RolloutPhase.Pending)
        {
            await StartAsync(rollout, ct);
            return;
        }
        // A rollout resumed while its deployment was missing learns its champion once the deployment is back.
        rollout.Champion ??= controller.DeploymentInForce(rollout.Key) is { } inForce ? DeploymentPlan.Champion(inForce) : null;
        if (rollout.Champion is null)
        {
            rollout.LastReason = $"waiting for deployment '{rollout.Key}' to serve a model on {TopicCatalog.Deployments}";
            return;
        }
        if (rollout.CompletionUnannounced)
        {
            // Its completed deployment is in force already: only the event is missing.
            await PublishEventAsync(rollout, RolloutActions.Completed, rollout.Stage.name, null, rollout.LastReason, [],
                controller.DeploymentInForce(rollout.Key)?.revision, ct);
            rollout.Phase = RolloutPhase.Completed;
            rollout.CompletionUnannounced = false;
            ReportStage(rollout);
            return;
        }
        var now = clock.GetUtcNow();
        var (decision, metrics) = controller.Locked(() => (
            RolloutDecider.Decide(rollout.Spec, rollout.StageIndex, rollout.StageStartedAt, now, rollout.Metrics, rollout.Spec.approvals.ToList()),
            rollout.Metrics.Snapshot()));
        var stage = rollout.Stage;
        switch (decision)
        {
            case RolloutDecision.Wait wait:
                rollout.LastReason = wait.Reason;
                break;
            case RolloutDecision.AwaitApproval awaiting when rollout.Phase != RolloutPhase.AwaitingApproval:
                await PublishEventAsync(rollout, RolloutActions.AwaitingApproval, stage.name, stage.name, awaiting.Reason, metrics, null, ct);
                rollout.Phase = RolloutPhase.AwaitingApproval;
                break;
            case RolloutDecision.AwaitApproval:
                break;
            case RolloutDecision.Advance advance:
                await AnnounceApprovalAsync(rollout, ct);
                var next = rollout.Spec.stages[advance.ToStage];
                var revision = await PublishDeploymentAsync(rollout, advance.Reason, (d, r) =>
                    DeploymentPlan.ForStage(d, rollout.Champion, rollout.Candidate, next, r, now.UtcDateTime), ct);
                await PublishEventAsync(rollout, RolloutActions.Advanced, stage.name, next.name, advance.Reason, metrics, revision, ct);
                controller.Locked(() => { rollout.EnterStage(advance.ToStage, now); return 0; });
                break;
            case RolloutDecision.Completed completed:
                await AnnounceApprovalAsync(rollout, ct);
                revision = await PublishDeploymentAsync(rollout, completed.Reason, (d, r) =>
                    DeploymentPlan.Completed(d, rollout.Champion, rollout.Candidate, r, now.UtcDateTime), ct);
                await PublishEventAsync(rollout, RolloutActions.Completed, stage.name, null, completed.Reason, metrics, revision, ct);
                rollout.Phase = RolloutPhase.Completed;
                rollout.LastReason = completed.Reason;
                break;
            case RolloutDecision.RolledBack rolledBack:
                controller.Locked(() => { rollout.BeginRollback(rolledBack.Reason, aborted: false, metrics, now); return 0; });
                await RollBackAsync(rollout, ct);
                return;
        }
        ReportStage(rollout);
    }

    private static void ReportStage(ActiveRollout rollout) => RolloutMetrics.Stage.WithLabels(rollout.Key).Set(
        rollout.Phase switch { RolloutPhase.RolledBack => -1, RolloutPhase.Completed => rollout.Spec.stages.Count, _ => rollout.StageIndex });

    private async Task StartAsync(ActiveRollout rollout, CancellationToken ct)
    {
        var spec = rollout.Spec;
        var inForce = controller.DeploymentInForce(rollout.Key);
        if (inForce is null || DeploymentPlan.Champion(inForce) is not { } champion)
        {
            rollout.LastReason = $"waiting for deployment '{rollout.Key}' to serve a model on {TopicCatalog.Deployments}";
            return;
        }
        var now = clock.GetUtcNow();
        var refused = spec.stages.Count == 0 ? "the rollout has no stages" : RolloutCandidate.Problem(spec) ?? RolloutCandidate.ConflictWith(spec, inForce);
        if (refused is not null)
        {
            await PublishEventAsync(rollout, RolloutActions.RolledBack, null, null, "refused: " + refused, [], null, ct);
            rollout.Phase = RolloutPhase.RolledBack;
            rollout.LastReason = refused;
            return;
        }
        rollout.Champion = champion;
        var first = spec.stages[0];
        var candidate = rollout.Candidate;
        var rules = candidate.IsRules ? $" with output rules {inForce.output_rules ?? "(none)"}" : "";
        var started = $"rollout of {candidate} started at stage '{first.name}'; champion is {champion.ModelKey}{rules}";
        var revision = await PublishDeploymentAsync(rollout, started, (d, r) => DeploymentPlan.ForStage(d, champion, candidate, first, r, now.UtcDateTime), ct);
        await PublishEventAsync(rollout, RolloutActions.Started, null, first.name, started, [], revision, ct);
        controller.Locked(() => { rollout.EnterStage(0, now); return 0; });
        rollout.LastReason = $"stage '{first.name}' started";
        LogStarted(rollout.Key, candidate.ToString());
    }

    /// <summary>
    /// Back to the champion alone, with the rollout event and an alert: <see cref="RolloutPublisher.RolledBackAlert"/>
    /// for a failed gate, <see cref="RolloutPublisher.AbortedAlert"/> for an abort. Each step is published once, in
    /// the order restore, alert, event; a failure leaves the rollout rolling back, and the next evaluation publishes
    /// what is missing. The event goes last because it is what a restarted controller reads to know the rollback is
    /// done: a restart before it finishes the rollback again (the restore not republished, <see
    /// cref="RolloutController"/>), so the alert may go out twice, under the same fingerprint, but is never lost.
    /// </summary>
    private async Task RollBackAsync(ActiveRollout rollout, CancellationToken ct)
    {
        var pending = rollout.Rollback!;
        if (!pending.DeploymentRestored)
        {
            var now = clock.GetUtcNow();
            pending.DeploymentRevision = rollout.Champion is { } champion
                ? await PublishDeploymentAsync(rollout, pending.Reason, (d, r) => DeploymentPlan.RolledBack(d, champion, rollout.Candidate, r, now.UtcDateTime), ct)
                : null;
            pending.DeploymentRestored = true;
        }
        if (!pending.AlertRaised)
        {
            var specVersion = controller.DeploymentInForce(rollout.Key)?.spec_version;
            await (pending.Aborted
                ? publisher.RaiseAbortedAsync(rollout.Spec, pending.Reason, specVersion, ct)
                : publisher.RaiseRolledBackAsync(rollout.Spec, pending.Reason, specVersion, ct));
            pending.AlertRaised = true;
        }
        if (!pending.EventPublished)
        {
            await PublishEventAsync(rollout, RolloutActions.RolledBack, rollout.Stage.name, null, pending.Reason, pending.Metrics, pending.DeploymentRevision, ct);
            pending.EventPublished = true;
        }
        controller.RolledBack(rollout);
        if (pending.Aborted) RolloutMetrics.Stage.RemoveLabelled(rollout.Key);
        else RolloutMetrics.Stage.WithLabels(rollout.Key).Set(-1);
        LogRolledBack(rollout.Key, pending.Reason);
    }

    /// <summary>A manual stage leaving with its approval: say so once, before the transition it allowed.</summary>
    private async Task AnnounceApprovalAsync(ActiveRollout rollout, CancellationToken ct)
    {
        var stage = rollout.Stage;
        if (!stage.manual || rollout.ApprovalAnnounced == stage.name) return;
        await PublishEventAsync(rollout, RolloutActions.Approved, stage.name, stage.name,
            $"stage '{stage.name}' approved (rollout revision {rollout.Spec.revision})", [], null, ct);
        rollout.ApprovalAnnounced = stage.name;
    }

    /// <summary>
    /// Publishes the next revision of the deployment in force as <paramref name="plan"/> makes it, with the decision's
    /// reason as its change_reason: what a restarted controller reads back when the transition's event never went out.
    /// </summary>
    private async Task<long?> PublishDeploymentAsync(ActiveRollout rollout, string reason, Func<Deployment, long, Deployment> plan, CancellationToken ct)
    {
        var inForce = controller.DeploymentInForce(rollout.Key);
        if (inForce is null) return null;
        var deployment = plan(inForce, inForce.revision + 1);
        deployment.change_reason = reason;
        await publisher.PublishDeploymentAsync(rollout.Key, deployment, ct);
        controller.Published(rollout.Key, deployment);
        return deployment.revision;
    }

    /// <summary>Publishes a transition, and tells the controller before it is read back (as <see cref="RolloutController.Published"/>).</summary>
    private async Task PublishEventAsync(ActiveRollout rollout, string action, string? from, string? to, string reason,
        Dictionary<string, double> metrics, long? revision, CancellationToken ct)
    {
        var rolloutEvent = new RolloutEvent
        {
            deployment = rollout.Spec.deployment,
            tenant_id = rollout.Spec.tenant_id,
            candidate_model = rollout.Spec.candidate_model,
            candidate_rules = rollout.Spec.candidate_rules,
            action = action,
            from_stage = from,
            to_stage = to,
            reason = reason,
            metrics = metrics,
            deployment_revision = revision,
            at = clock.GetUtcNow().UtcDateTime,
            rollout_created_at = rollout.Spec.created_at,
        };
        await publisher.PublishEventAsync(rollout.Key, rolloutEvent, ct);
        controller.OnEvent(rollout.Key, rolloutEvent);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Key}: {Candidate} started")]
    private partial void LogStarted(string key, string candidate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rollout {Key} rolled back: {Reason}")]
    private partial void LogRolledBack(string key, string reason);
}
