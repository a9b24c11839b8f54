using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Rollout;
using MlOps.Rollout.Control;
using RolloutSpec = MlOps.Contracts.Rollout;

namespace MlOps.UnitTests.Rollouts;

/// <summary>A rollback, once decided, is published in full however often publishing fails, and survives a restart.</summary>
public sealed class RolloutRollbackTests
{
    private static readonly DateTime Created = new(2026, 11, 29, 4, 0, 0, DateTimeKind.Utc);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(Created).AddMinutes(30));
    private readonly FailingRolloutPublisher _publisher = new();
    private readonly RolloutController _controller;
    private readonly RolloutDriver _driver;

    public RolloutRollbackTests()
    {
        _controller = new RolloutController(_clock);
        _driver = new RolloutDriver(_controller, _publisher, _clock, NullLogger<RolloutDriver>.Instance);
        _controller.OnDeployment("flights", new Deployment
        {
            deployment = "flights",
            event_types = ["departure"],
            arms =
            [
                new DeploymentArm { name = RolloutArms.Champion, model_name = "delay", model_version = "1", traffic_weight = 0.9 },
                new DeploymentArm { name = RolloutArms.Candidate, model_name = "delay", model_version = "2", traffic_weight = 0.1 },
            ],
            revision = 5,
        });
    }

    private static RolloutSpec Spec(params RolloutGate[] gates) => new()
    {
        deployment = "flights",
        candidate_model = "delay:2",
        stages = [new RolloutStage { name = "canary", traffic_weight = 0.1, min_samples = gates.Length == 0 ? 1_000 : 0, gates = gates }],
        revision = 1,
        created_at = Created,
    };

    /// <summary>A transition as written before events carried rollout_created_at.</summary>
    private static RolloutEvent Event(string action, string? to, DateTime at, long? revision = null) =>
        new() { deployment = "flights", candidate_model = "delay:2", action = action, to_stage = to, reason = "", at = at, deployment_revision = revision };

    private void AssertRolledBackOnce(string alert)
    {
        var restored = Assert.Single(_publisher.Deployments);
        Assert.Equal((6, RolloutArms.Champion, 1.0), (restored.revision, Assert.Single(restored.arms).name, restored.arms[0].traffic_weight));
        var rolledBack = Assert.Single(_publisher.Events, e => e.action == RolloutActions.RolledBack);
        Assert.Equal(("canary", (long?)6), (rolledBack.from_stage, rolledBack.deployment_revision));
        Assert.Equal([alert], _publisher.Alerts);
    }

    [Fact]
    public async Task An_abort_whose_rollback_publish_failed_is_published_at_the_next_evaluation()
    {
        _controller.OnEvent("flights", Event(RolloutActions.Started, "canary", Created.AddMinutes(1)));
        _controller.OnRollout("flights", Spec());
        await _driver.EvaluateAsync(CancellationToken.None);
        Assert.Equal(RolloutPhase.Running, Assert.Single(_controller.Rollouts()).Phase);

        _controller.OnRollout("flights", null); // ./mlops rollout abort
        _publisher.FailOnce.Add(FailingRolloutPublisher.Event); // the deployment is restored, the event times out
        await Assert.ThrowsAsync<InvalidOperationException>(() => _driver.EvaluateAsync(CancellationToken.None));

        var pending = Assert.Single(_controller.Rollouts());
        Assert.Equal(RolloutPhase.RollingBack, pending.Phase);
        Assert.Empty(_publisher.Events);

        await _driver.EvaluateAsync(CancellationToken.None);

        AssertRolledBackOnce(RolloutPublisher.AbortedAlert); // the restore is not published twice
        Assert.Empty(_controller.Rollouts());
        await _driver.EvaluateAsync(CancellationToken.None);
        Assert.Single(_publisher.Events);
    }

    [Fact]
    public async Task A_failed_gate_whose_rollback_publish_failed_stays_decided_until_it_is_published()
    {
        _controller.OnEvent("flights", Event(RolloutActions.Started, "canary", Created.AddMinutes(1)));
        _controller.OnRollout("flights", Spec(new RolloutGate { metric = "no_such_metric", max = 1 }));
        _publisher.FailOnce.Add(FailingRolloutPublisher.Deployment);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _driver.EvaluateAsync(CancellationToken.None));
        Assert.Equal(RolloutPhase.RollingBack, Assert.Single(_controller.Rollouts()).Phase);
        await _driver.EvaluateAsync(CancellationToken.None);

        AssertRolledBackOnce(RolloutPublisher.RolledBackAlert);
        var rollout = Assert.Single(_controller.Rollouts());
        Assert.Equal(RolloutPhase.RolledBack, rollout.Phase);
        Assert.Contains("no_such_metric", rollout.LastReason);
    }

    [Theory]
    [InlineData(RolloutActions.Started, "canary")]
    [InlineData(RolloutActions.AwaitingApproval, "canary")]
    public async Task A_restarted_controller_rolls_back_a_running_rollout_whose_record_is_gone(string action, string stage)
    {
        // State read back after a restart: the rollout was aborted (or its rollback never went out) while no controller ran.
        _controller.OnEvent("flights", Event(action, stage, Created.AddMinutes(1)));

        await _driver.EvaluateAsync(CancellationToken.None);

        AssertRolledBackOnce(RolloutPublisher.AbortedAlert);
        Assert.Empty(_controller.Rollouts());
        await _driver.EvaluateAsync(CancellationToken.None);
        Assert.Single(_publisher.Deployments);
    }

    [Fact]
    public async Task A_rollout_whose_latest_event_finished_it_is_not_rolled_back_again_without_its_record()
    {
        _controller.OnEvent("flights", Event(RolloutActions.Started, "canary", Created.AddMinutes(1)));
        _controller.OnEvent("flights", Event(RolloutActions.RolledBack, null, Created.AddMinutes(2)));

        await _driver.EvaluateAsync(CancellationToken.None);

        Assert.Empty(_publisher.Deployments);
        Assert.Empty(_publisher.Events);
        Assert.Empty(_controller.Rollouts());
    }

    /// <summary>What a controller that stopped between a gate failure's restore and its rolled_back event left behind.</summary>
    private Deployment Restored(long revision) => DeploymentPlan.RolledBack(
        _controller.DeploymentInForce("flights")!, DeploymentPlan.Champion(_controller.DeploymentInForce("flights")!)!, revision, Created.AddMinutes(5));

    [Fact]
    public async Task A_restarted_controller_finishes_a_gate_failure_rollback_whose_restore_went_out_instead_of_resuming_the_stage()
    {
        var started = Event(RolloutActions.Started, "canary", Created.AddMinutes(1), revision: 5);
        _controller.OnEvent("flights", started);
        _controller.OnDeployment("flights", Restored(6));
        _controller.OnRollout("flights", Spec(new RolloutGate { metric = GateMetric.FallbackRate, max = 0.01 }));

        await _driver.EvaluateAsync(CancellationToken.None);

        Assert.Empty(_publisher.Deployments); // the restore is not published again, and the candidate gets no traffic back
        var rolledBack = Assert.Single(_publisher.Events);
        Assert.Equal((RolloutActions.RolledBack, "canary", (long?)6), (rolledBack.action, rolledBack.from_stage, rolledBack.deployment_revision));
        Assert.Contains("interrupted", rolledBack.reason);
        Assert.Equal([RolloutPublisher.RolledBackAlert], _publisher.Alerts);
        Assert.Equal(RolloutPhase.RolledBack, Assert.Single(_controller.Rollouts()).Phase);

        _clock.Advance(TimeSpan.FromHours(1));
        await _driver.EvaluateAsync(CancellationToken.None);
        Assert.Empty(_publisher.Deployments);
        Assert.Single(_publisher.Events);
    }

    [Fact]
    public async Task A_restarted_controller_resumes_the_stage_when_the_deployment_is_the_one_its_latest_event_published()
    {
        var started = Event(RolloutActions.Started, "canary", Created.AddMinutes(1), revision: 5);
        _controller.OnEvent("flights", started);
        _controller.OnRollout("flights", Spec());

        await _driver.EvaluateAsync(CancellationToken.None);

        var rollout = Assert.Single(_controller.Rollouts());
        Assert.Equal((RolloutPhase.Running, "canary"), (rollout.Phase, rollout.Stage.name));
        Assert.Empty(_publisher.Events);
        Assert.Empty(_publisher.Deployments);
    }

    [Fact]
    public async Task An_abort_found_after_a_restart_does_not_publish_a_restore_that_already_went_out()
    {
        var started = Event(RolloutActions.Started, "canary", Created.AddMinutes(1), revision: 5);
        _controller.OnEvent("flights", started);
        _controller.OnDeployment("flights", Restored(6)); // no rollout record: aborted

        await _driver.EvaluateAsync(CancellationToken.None);

        Assert.Empty(_publisher.Deployments);
        var rolledBack = Assert.Single(_publisher.Events);
        Assert.Equal((RolloutActions.RolledBack, (long?)6), (rolledBack.action, rolledBack.deployment_revision));
        Assert.Equal([RolloutPublisher.AbortedAlert], _publisher.Alerts);
    }

    [Fact]
    public async Task A_restart_after_the_rollback_alert_but_before_its_event_repeats_the_alert_rather_than_losing_it()
    {
        var started = Event(RolloutActions.Started, "canary", Created.AddMinutes(1), revision: 5);
        _controller.OnEvent("flights", started);
        var spec = Spec(new RolloutGate { metric = "no_such_metric", max = 1 });
        _controller.OnRollout("flights", spec);
        _publisher.FailOnce.Add(FailingRolloutPublisher.Event); // then the controller stops
        await Assert.ThrowsAsync<InvalidOperationException>(() => _driver.EvaluateAsync(CancellationToken.None));
        Assert.Equal([RolloutPublisher.RolledBackAlert], _publisher.Alerts);

        // A new controller reads back what was published: the rollout, its Started event and the restore.
        var restarted = new RolloutController(_clock);
        restarted.OnRollout("flights", spec);
        restarted.OnEvent("flights", started);
        restarted.OnDeployment("flights", Assert.Single(_publisher.Deployments));
        await new RolloutDriver(restarted, _publisher, _clock, NullLogger<RolloutDriver>.Instance).EvaluateAsync(CancellationToken.None);

        var restore = Assert.Single(_publisher.Deployments);
        Assert.Equal((RolloutActions.RolledBack, (long?)6), (Assert.Single(_publisher.Events).action, _publisher.Events[0].deployment_revision));
        Assert.Equal([RolloutPublisher.RolledBackAlert, RolloutPublisher.RolledBackAlert], _publisher.Alerts);
        // The repeat says what the first said (the restore carried the reason), so it overwrites nothing under the fingerprint.
        Assert.Contains("no_such_metric", _publisher.AlertReasons[0]);
        Assert.Equal([_publisher.AlertReasons[0], _publisher.AlertReasons[0]], _publisher.AlertReasons);
        Assert.Equal(_publisher.AlertReasons[0], restore.change_reason);
        Assert.Equal(_publisher.AlertReasons[0], _publisher.Events[0].reason);
    }

    [Fact]
    public async Task A_gate_failure_interrupted_after_its_restore_and_then_aborted_raises_the_rolled_back_alert_with_the_gates_reason()
    {
        _controller.OnEvent("flights", Event(RolloutActions.Started, "canary", Created.AddMinutes(1), revision: 5));
        var restore = Restored(6);
        restore.change_reason = "gate fallback_rate 0.200 > max 0.010 on 250 predictions";
        _controller.OnDeployment("flights", restore); // then './mlops rollout abort' deleted the record while no controller ran

        await _driver.EvaluateAsync(CancellationToken.None);

        Assert.Empty(_publisher.Deployments);
        var rolledBack = Assert.Single(_publisher.Events);
        Assert.Equal((RolloutActions.RolledBack, (long?)6, restore.change_reason), (rolledBack.action, rolledBack.deployment_revision, rolledBack.reason));
        Assert.Equal([RolloutPublisher.RolledBackAlert], _publisher.Alerts);
        Assert.Equal([restore.change_reason], _publisher.AlertReasons);
    }

    [Fact]
    public async Task An_abort_interrupted_after_its_restore_is_finished_as_that_abort_with_its_reason()
    {
        _controller.OnEvent("flights", Event(RolloutActions.Started, "canary", Created.AddMinutes(1), revision: 5));
        var restore = Restored(6);
        restore.change_reason = RolloutRecovery.AbortReason;
        _controller.OnDeployment("flights", restore);

        await _driver.EvaluateAsync(CancellationToken.None);

        Assert.Empty(_publisher.Deployments);
        Assert.Equal([RolloutPublisher.AbortedAlert], _publisher.Alerts);
        Assert.Equal([RolloutRecovery.AbortReason], _publisher.AlertReasons); // what the first alert said, word for word
        Assert.Equal(RolloutRecovery.AbortReason, Assert.Single(_publisher.Events).reason);
    }

    /// <summary>A transition of the rollout created at <see cref="Created"/>, stamped with it as the controller now does.</summary>
    private static RolloutEvent Stamped(string action, string? to, DateTime at, long? revision) =>
        new()
        {
            deployment = "flights", candidate_model = "delay:2", action = action, to_stage = to, reason = "", at = at,
            deployment_revision = revision, rollout_created_at = Created,
        };

    [Fact]
    public async Task An_interrupted_rollback_is_finished_even_when_the_clis_clock_was_ahead_of_the_controllers()
    {
        // The rollout record's created_at (the CLI's clock) is later than its Started event (the controller's).
        _controller.OnEvent("flights", Stamped(RolloutActions.Started, "canary", Created.AddSeconds(-2), revision: 5));
        _controller.OnDeployment("flights", Restored(6));
        _controller.OnRollout("flights", Spec(new RolloutGate { metric = GateMetric.FallbackRate, max = 0.01 }));

        await _driver.EvaluateAsync(CancellationToken.None);

        Assert.Empty(_publisher.Deployments); // not started again: the candidate gets no canary traffic
        var rolledBack = Assert.Single(_publisher.Events);
        Assert.Equal((RolloutActions.RolledBack, (DateTime?)Created), (rolledBack.action, rolledBack.rollout_created_at));
        Assert.Equal([RolloutPublisher.RolledBackAlert], _publisher.Alerts);
    }

    [Fact]
    public async Task A_deployment_replaced_by_hand_is_treated_after_a_restart_as_a_running_controller_treats_it()
    {
        _controller.OnEvent("flights", Stamped(RolloutActions.Started, "canary", Created.AddMinutes(1), revision: 5));
        var replaced = Restored(7); // ./mlops deploy of the champion alone during the rollout
        replaced.stage = DeploymentPlan.StableStage;
        _controller.OnDeployment("flights", replaced);
        var spec = Spec();
        spec.stages[0].min_samples = 0;
        spec.stages = [spec.stages[0], new RolloutStage { name = "ramp", traffic_weight = 0.5 }];
        _controller.OnRollout("flights", spec);

        await _driver.EvaluateAsync(CancellationToken.None);

        // Resumed, not ended: its next transition carries the candidate again, as it would have without the restart
        // (rollout abort is how to take a candidate out).
        Assert.Equal(RolloutActions.Advanced, Assert.Single(_publisher.Events).action);
        Assert.Contains(Assert.Single(_publisher.Deployments).arms, a => a.name == RolloutArms.Candidate && a.traffic_weight == 0.5);
        Assert.Empty(_publisher.Alerts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_completion_a_restart_interrupted_is_announced_not_rolled_back_or_resumed(bool rules)
    {
        var spec = Spec();
        if (rules)
        {
            spec.candidate_model = "";
            spec.candidate_rules = "delay-rules:4";
        }
        var advanced = Stamped(RolloutActions.Started, "canary", Created.AddMinutes(1), revision: 5);
        (advanced.candidate_model, advanced.candidate_rules) = (spec.candidate_model, spec.candidate_rules);
        _controller.OnEvent("flights", advanced);
        var inForce = _controller.DeploymentInForce("flights")!;
        var candidate = RolloutCandidate.Of(spec);
        _controller.OnDeployment("flights", DeploymentPlan.Completed(inForce, DeploymentPlan.Champion(inForce)!, candidate, 6, Created.AddMinutes(5)));
        _controller.OnRollout("flights", spec);

        await _driver.EvaluateAsync(CancellationToken.None);

        Assert.Empty(_publisher.Deployments);
        Assert.Empty(_publisher.Alerts);
        var completed = Assert.Single(_publisher.Events);
        Assert.Equal((RolloutActions.Completed, "canary", (long?)6), (completed.action, completed.from_stage, completed.deployment_revision));
        Assert.Equal(RolloutPhase.Completed, Assert.Single(_controller.Rollouts()).Phase);
        await _driver.EvaluateAsync(CancellationToken.None);
        Assert.Single(_publisher.Events);
    }

    [Fact]
    public async Task An_interrupted_rollback_after_awaiting_approval_is_found_by_revision_whatever_the_restores_clock()
    {
        _controller.OnEvent("flights", Stamped(RolloutActions.Started, "canary", Created.AddMinutes(1), revision: 5));
        _controller.OnEvent("flights", Stamped(RolloutActions.AwaitingApproval, "canary", Created.AddMinutes(10), revision: null));
        var restore = Restored(6);
        restore.updated_at = Created.AddMinutes(9); // written by a pod whose clock was behind
        _controller.OnDeployment("flights", restore);
        _controller.OnRollout("flights", Spec());

        await _driver.EvaluateAsync(CancellationToken.None);

        Assert.Empty(_publisher.Deployments);
        Assert.Equal(RolloutActions.RolledBack, Assert.Single(_publisher.Events).action);
    }

    [Fact]
    public async Task A_new_rollout_of_the_same_candidate_is_not_mistaken_for_the_one_before_it()
    {
        // The rollout before (created an hour earlier) was rolled back after this one's record was written.
        var before = Stamped(RolloutActions.RolledBack, null, Created.AddMinutes(1), revision: 5);
        before.rollout_created_at = Created.AddHours(-1);
        _controller.OnEvent("flights", before);
        _controller.OnRollout("flights", Spec());

        await _driver.EvaluateAsync(CancellationToken.None);

        var started = Assert.Single(_publisher.Events);
        Assert.Equal((RolloutActions.Started, (DateTime?)Created), (started.action, started.rollout_created_at));
        Assert.Equal(RolloutPhase.Running, Assert.Single(_controller.Rollouts()).Phase);
    }

    [Fact]
    public void A_transition_recorded_when_published_and_again_when_read_back_is_kept_once()
    {
        var history = new RolloutHistory();
        var published = Stamped(RolloutActions.Started, "canary", Created.AddMinutes(1).AddTicks(4_321), revision: 5);
        var readBack = Stamped(RolloutActions.Started, "canary", Created.AddMinutes(1), revision: 5); // millisecond precision
        history.Add(published);
        history.Add(readBack);
        history.Add(Stamped(RolloutActions.Advanced, "full", Created.AddMinutes(2), revision: 6));

        Assert.Equal((RolloutActions.Advanced, (long?)6), (history.Latest!.action, history.Of(Spec()).PublishedRevision));
        Assert.Equal([RolloutActions.Started, RolloutActions.Advanced], history.Events.Select(e => e.action));
    }
}
