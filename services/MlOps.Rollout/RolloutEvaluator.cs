using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Rollout.Control;

namespace MlOps.Rollout;

/// <summary>
/// Judges every active rollout each <c>Rollout:EvaluateEvery</c> once the watcher has read the topics, and carries
/// out the decision: a deployment revision, a rollout event with the reason and the metrics, an alert on rollback.
/// A failed publish leaves the rollout where it was; the next evaluation tries again.
/// </summary>
public sealed partial class RolloutEvaluator(
    RolloutController controller,
    RolloutWatcher watcher,
    RolloutPublisher publisher,
    TimeProvider clock,
    IOptions<RolloutOptions> options,
    ILogger<RolloutEvaluator> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await watcher.CaughtUp.WaitAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.EvaluateEvery, clock);
        do
        {
            try
            {
                await EvaluateAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogEvaluationFailed(ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task EvaluateAsync(CancellationToken ct)
    {
        var (live, aborted) = controller.Reconcile();
        foreach (var rollout in aborted.Where(a => a.Phase is RolloutPhase.Running or RolloutPhase.AwaitingApproval))
        {
            await RollBackAsync(rollout, "aborted: the rollout record was deleted (./mlops rollout abort)", aborted: true, ct);
            RolloutMetrics.Stage.RemoveLabelled(rollout.Key);
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
                var revision = await PublishDeploymentAsync(rollout, (d, r) =>
                    DeploymentPlan.ForStage(d, rollout.Champion, rollout.Candidate, next, r, now.UtcDateTime), ct);
                await PublishEventAsync(rollout, RolloutActions.Advanced, stage.name, next.name, advance.Reason, metrics, revision, ct);
                controller.Locked(() => { rollout.EnterStage(advance.ToStage, now); return 0; });
                break;
            case RolloutDecision.Completed completed:
                await AnnounceApprovalAsync(rollout, ct);
                revision = await PublishDeploymentAsync(rollout, (d, r) =>
                    DeploymentPlan.Completed(d, rollout.Champion, rollout.Candidate, r, now.UtcDateTime), ct);
                await PublishEventAsync(rollout, RolloutActions.Completed, stage.name, null, completed.Reason, metrics, revision, ct);
                rollout.Phase = RolloutPhase.Completed;
                rollout.LastReason = completed.Reason;
                break;
            case RolloutDecision.RolledBack rolledBack:
                await RollBackAsync(rollout, rolledBack.Reason, aborted: false, ct, metrics);
                break;
        }
        RolloutMetrics.Stage.WithLabels(rollout.Key).Set(
            rollout.Phase switch { RolloutPhase.RolledBack => -1, RolloutPhase.Completed => rollout.Spec.stages.Count, _ => rollout.StageIndex });
    }

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
        if (spec.stages.Count == 0 || RolloutCandidate.Problem(spec) is not null)
        {
            var refused = spec.stages.Count == 0 ? "the rollout has no stages" : RolloutCandidate.Problem(spec)!;
            await PublishEventAsync(rollout, RolloutActions.RolledBack, null, null, "refused: " + refused, [], null, ct);
            rollout.Phase = RolloutPhase.RolledBack;
            rollout.LastReason = refused;
            return;
        }
        rollout.Champion = champion;
        var first = spec.stages[0];
        var candidate = rollout.Candidate;
        var revision = await PublishDeploymentAsync(rollout, (d, r) => DeploymentPlan.ForStage(d, champion, candidate, first, r, now.UtcDateTime), ct);
        var rules = candidate.IsRules ? $" with output rules {inForce.output_rules ?? "(none)"}" : "";
        await PublishEventAsync(rollout, RolloutActions.Started, null, first.name,
            $"rollout of {candidate} started at stage '{first.name}'; champion is {champion.model_name}:{champion.model_version}{rules}", [], revision, ct);
        controller.Locked(() => { rollout.EnterStage(0, now); return 0; });
        rollout.LastReason = $"stage '{first.name}' started";
        LogStarted(rollout.Key, candidate.ToString());
    }

    /// <summary>
    /// Back to the champion alone, with the rollout event and an alert: <see cref="RolloutPublisher.RolledBackAlert"/>
    /// for a failed gate, <see cref="RolloutPublisher.AbortedAlert"/> for an abort.
    /// </summary>
    private async Task RollBackAsync(ActiveRollout rollout, string reason, bool aborted, CancellationToken ct, Dictionary<string, double>? metrics = null)
    {
        var now = clock.GetUtcNow();
        long? revision = rollout.Champion is { } champion
            ? await PublishDeploymentAsync(rollout, (d, r) => DeploymentPlan.RolledBack(d, champion, rollout.Candidate, r, now.UtcDateTime), ct)
            : null;
        await PublishEventAsync(rollout, RolloutActions.RolledBack, rollout.Stage.name, null, reason, metrics ?? [], revision, ct);
        var specVersion = controller.DeploymentInForce(rollout.Key)?.spec_version;
        await (aborted
            ? publisher.RaiseAbortedAsync(rollout.Spec, reason, specVersion, ct)
            : publisher.RaiseRolledBackAsync(rollout.Spec, reason, specVersion, ct));
        rollout.Phase = RolloutPhase.RolledBack;
        rollout.LastReason = reason;
        LogRolledBack(rollout.Key, reason);
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

    private async Task<long?> PublishDeploymentAsync(ActiveRollout rollout, Func<Deployment, long, Deployment> plan, CancellationToken ct)
    {
        var inForce = controller.DeploymentInForce(rollout.Key);
        if (inForce is null) return null;
        var deployment = plan(inForce, inForce.revision + 1);
        await publisher.PublishDeploymentAsync(rollout.Key, deployment, ct);
        controller.Published(rollout.Key, deployment);
        return deployment.revision;
    }

    private Task PublishEventAsync(ActiveRollout rollout, string action, string? from, string? to, string reason,
        Dictionary<string, double> metrics, long? revision, CancellationToken ct) =>
        publisher.PublishEventAsync(rollout.Key, new RolloutEvent
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
        }, ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rollout {Key}: {Candidate} started")]
    private partial void LogStarted(string key, string candidate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rollout {Key} rolled back: {Reason}")]
    private partial void LogRolledBack(string key, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Evaluating the rollouts failed; retrying at the next tick")]
    private partial void LogEvaluationFailed(Exception ex);
}
