using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Rollout;
using MlOps.Rollout.Control;
using RolloutSpec = MlOps.Contracts.Rollout;

namespace MlOps.UnitTests.Rollouts;

public sealed class RolloutControllerTests
{
    private static readonly DateTime Created = new(2026, 11, 29, 4, 0, 0, DateTimeKind.Utc);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(Created).AddMinutes(30));

    private static RolloutSpec Spec(DateTime created) => new()
    {
        deployment = "flights",
        candidate_model = "delay:2",
        stages =
        [
            new RolloutStage { name = "shadow", shadow = true },
            new RolloutStage { name = "canary", traffic_weight = 0.1 },
        ],
        revision = 1,
        created_at = created,
    };

    private static Deployment During() => new()
    {
        deployment = "flights",
        event_types = ["departure"],
        arms =
        [
            new DeploymentArm { name = RolloutArms.Champion, model_name = "delay", model_version = "1", traffic_weight = 0.9 },
            new DeploymentArm { name = RolloutArms.Candidate, model_name = "delay", model_version = "2", traffic_weight = 0.1 },
        ],
        revision = 5,
    };

    private static RolloutEvent Event(string action, string? to, DateTime at) =>
        new() { deployment = "flights", candidate_model = "delay:2", action = action, to_stage = to, reason = "", at = at };

    private static Prediction Prediction(string arm, string version, DateTime at) => new()
    {
        deployment = "flights",
        tenant_id = "airline-a",
        arm = arm,
        model_name = "delay",
        model_version = version,
        scores = new Dictionary<string, double> { [StageMetrics.ProbabilityScore] = 0.3 },
        decision = "ok",
        predicted_at = at,
    };

    [Fact]
    public void A_restarted_controller_resumes_at_the_stage_of_the_latest_event_and_restarts_its_window()
    {
        var controller = new RolloutController(_clock);
        controller.OnDeployment("flights", During());
        controller.OnEvent("flights", Event(RolloutActions.Started, "shadow", Created.AddMinutes(1)));
        controller.OnEvent("flights", Event(RolloutActions.Advanced, "canary", Created.AddMinutes(10)));
        controller.OnRollout("flights", Spec(Created));

        var rollout = Assert.Single(controller.Reconcile().Live);

        Assert.Equal((RolloutPhase.Running, 1), (rollout.Phase, rollout.StageIndex));
        Assert.Equal(_clock.GetUtcNow(), rollout.StageStartedAt);
        Assert.Equal("1", rollout.Champion!.model_version);
    }

    [Fact]
    public void A_rollout_whose_latest_event_finished_it_stays_finished()
    {
        var controller = new RolloutController(_clock);
        controller.OnEvent("flights", Event(RolloutActions.RolledBack, null, Created.AddMinutes(5)));
        controller.OnRollout("flights", Spec(Created));

        Assert.Empty(controller.Reconcile().Live);
        Assert.Equal(RolloutPhase.RolledBack, Assert.Single(controller.Rollouts()).Phase);
    }

    [Fact]
    public void A_new_rollout_under_the_key_of_a_finished_one_starts_afresh()
    {
        var controller = new RolloutController(_clock);
        controller.OnEvent("flights", Event(RolloutActions.Completed, null, Created.AddMinutes(5)));
        controller.OnRollout("flights", Spec(Created.AddMinutes(20)));

        Assert.Equal(RolloutPhase.Pending, Assert.Single(controller.Reconcile().Live).Phase);
    }

    [Fact]
    public void A_tombstone_starts_rolling_back_a_started_rollout_until_the_rollback_is_published()
    {
        var controller = new RolloutController(_clock);
        controller.OnEvent("flights", Event(RolloutActions.Started, "shadow", Created.AddMinutes(1)));
        controller.OnRollout("flights", Spec(Created));
        controller.Reconcile();
        controller.OnRollout("flights", null);

        var (live, rollingBack) = controller.Reconcile();

        Assert.Empty(live);
        var aborted = Assert.Single(rollingBack);
        Assert.Equal((RolloutPhase.RollingBack, true), (aborted.Phase, aborted.Rollback!.Aborted));
        // Nothing published yet (a failed publish): the next evaluation is offered it again.
        Assert.Same(aborted, Assert.Single(controller.Reconcile().RollingBack));
        // What the driver does once the deployment, the rolled_back event and the alert went out.
        controller.OnEvent("flights", Event(RolloutActions.RolledBack, null, Created.AddMinutes(30)));
        controller.RolledBack(aborted);
        Assert.Empty(controller.Reconcile().RollingBack);
        Assert.Empty(controller.Rollouts());
    }

    [Fact]
    public void A_tombstone_forgets_a_rollout_that_never_started()
    {
        var controller = new RolloutController(_clock);
        controller.OnRollout("flights", Spec(Created));
        controller.Reconcile();
        controller.OnRollout("flights", null);

        var (live, rollingBack) = controller.Reconcile();

        Assert.Empty(live);
        Assert.Empty(rollingBack);
        Assert.Empty(controller.Rollouts());
    }

    [Fact]
    public void Only_predictions_of_the_rollouts_models_made_in_the_current_stage_count()
    {
        var controller = new RolloutController(_clock);
        controller.OnDeployment("flights", During());
        controller.OnEvent("flights", Event(RolloutActions.Started, "shadow", Created.AddMinutes(1)));
        controller.OnRollout("flights", Spec(Created));
        var rollout = Assert.Single(controller.Reconcile().Live);
        var now = _clock.GetUtcNow().UtcDateTime;

        Assert.True(controller.OnPrediction(Prediction(RolloutArms.Candidate, "2", now)));
        Assert.True(controller.OnPrediction(Prediction(RolloutArms.Champion, "1", now)));
        Assert.False(controller.OnPrediction(Prediction(RolloutArms.Candidate, "2", now.AddSeconds(-1))));
        Assert.False(controller.OnPrediction(Prediction(RolloutArms.Candidate, "3", now)));
        Assert.False(controller.OnPrediction(Prediction("stable", "1", now)));
        Assert.Equal((1, 1), (rollout.Metrics.Candidate.Count, rollout.Metrics.Champion.Count));
    }

    [Fact]
    public void Predictions_served_by_a_fallback_count_for_the_arm_they_were_routed_to()
    {
        var controller = new RolloutController(_clock);
        controller.OnDeployment("flights", During());
        controller.OnEvent("flights", Event(RolloutActions.Started, "canary", Created.AddMinutes(1)));
        controller.OnRollout("flights", Spec(Created));
        var rollout = Assert.Single(controller.Reconcile().Live);
        var now = _clock.GetUtcNow().UtcDateTime;

        // What Inference logs when the candidate cannot score: the constant (or the next model of the chain) served.
        var constant = Prediction(RolloutArms.Candidate, "0.2", now);
        (constant.model_name, constant.served_by, constant.fallback_reason) = ("constant", "fallback:constant", "missing_required_feature: delay:2: required feature 'event.x' is missing");
        var chained = Prediction(RolloutArms.Candidate, "1", now);
        (chained.served_by, chained.fallback_reason) = ("fallback:delay:1", "timeout: delay:2 took 80.0 ms, the limit is 50 ms");
        var served = Prediction(RolloutArms.Candidate, "2", now);
        served.served_by = "arm";

        Assert.True(controller.OnPrediction(constant));
        Assert.True(controller.OnPrediction(chained));
        Assert.True(controller.OnPrediction(served));
        Assert.Equal(3, rollout.Metrics.Candidate.Count);
        Assert.Equal(2.0 / 3, rollout.Metrics.Value(GateMetric.FallbackRate)!.Value, 9);
        // Not a fallback, and not the candidate's model: another deployment revision's arm, still ignored.
        var stale = Prediction(RolloutArms.Candidate, "3", now);
        stale.served_by = "arm";
        Assert.False(controller.OnPrediction(stale));
    }

    [Fact]
    public void Older_deployment_and_rollout_revisions_are_ignored()
    {
        var controller = new RolloutController(_clock);
        controller.OnDeployment("flights", During());
        var older = During();
        older.revision = 4;
        older.arms = [];
        controller.OnDeployment("flights", older);

        Assert.Equal(5, controller.DeploymentInForce("flights")!.revision);
    }
}
