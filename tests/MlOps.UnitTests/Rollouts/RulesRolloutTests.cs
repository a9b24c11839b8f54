using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Rollout;
using MlOps.Rollout.Control;
using RolloutSpec = MlOps.Contracts.Rollout;

namespace MlOps.UnitTests.Rollouts;

/// <summary>
/// A rollout whose candidate is an output rule set (candidate_rules) on the champion's model: the deployment revision
/// of each stage, how its predictions are counted, and how a shadow stage is judged.
/// </summary>
public sealed class RulesRolloutTests
{
    private static readonly DateTime Now = new(2026, 11, 29, 4, 0, 0, DateTimeKind.Utc);
    private static readonly RolloutCandidate Candidate = RolloutCandidate.ForRules("delay-rules:4");

    private static Deployment InForce() => new()
    {
        deployment = "flights",
        tenant_id = "acme",
        event_types = ["flight_departure"],
        arms = [new DeploymentArm { name = "stable", model_name = "flight-delay", model_version = "1", traffic_weight = 1 }],
        fallback = ["flight-delay:0"],
        fallback_constant = 0.2,
        routing_key = "tenant",
        output_rules = "delay-rules:3",
        revision = 7,
        spec_version = "flights@abc",
    };

    private static IEnumerable<(string, string, double, bool, string?)> Arms(Deployment d) =>
        d.arms.Select(a => (a.name, $"{a.model_name}:{a.model_version}", a.traffic_weight, a.shadow, (string?)a.output_rules));

    [Fact]
    public void A_shadow_stage_makes_the_candidate_the_shadow_rule_set_and_the_champion_serves_alone()
    {
        var inForce = InForce();
        var deployment = DeploymentPlan.ForStage(inForce, DeploymentPlan.Champion(inForce)!, Candidate,
            new RolloutStage { name = "shadow", shadow = true }, 8, Now);

        Assert.Equal([("champion", "flight-delay:1", 1.0, false, (string?)null)], Arms(deployment));
        Assert.Equal(("shadow", "delay-rules:3", "delay-rules:4", 8L), (deployment.stage, deployment.output_rules, deployment.shadow_rules, deployment.revision));
        Assert.Equal(inForce.fallback, deployment.fallback);
        Assert.Equal(("tenant", 0.2), (deployment.routing_key, deployment.fallback_constant));
    }

    [Fact]
    public void A_traffic_stage_serves_the_candidate_rules_from_a_candidate_arm_on_the_champions_model()
    {
        var inForce = InForce();
        inForce.shadow_rules = "delay-rules:4"; // left by the shadow stage before
        var deployment = DeploymentPlan.ForStage(inForce, DeploymentPlan.Champion(inForce)!, Candidate,
            new RolloutStage { name = "canary", traffic_weight = 0.2 }, 8, Now);

        Assert.Equal(
            [("champion", "flight-delay:1", 0.8, false, (string?)null), ("candidate", "flight-delay:1", 0.2, false, "delay-rules:4")],
            Arms(deployment));
        Assert.Equal(("canary", "delay-rules:3", (string?)null), (deployment.stage, deployment.output_rules, deployment.shadow_rules));
    }

    [Fact]
    public void Completion_makes_the_candidate_the_deployments_rules_with_a_single_champion_arm()
    {
        var during = DeploymentPlan.ForStage(InForce(), DeploymentPlan.Champion(InForce())!, Candidate,
            new RolloutStage { name = "full", traffic_weight = 1 }, 8, Now);

        var completed = DeploymentPlan.Completed(during, DeploymentPlan.Champion(during)!, Candidate, 9, Now);

        Assert.Equal([("champion", "flight-delay:1", 1.0, false, (string?)null)], Arms(completed));
        Assert.Equal(("stable", "delay-rules:4", (string?)null), (completed.stage, completed.output_rules, completed.shadow_rules));
    }

    [Fact]
    public void Rollback_serves_the_champion_alone_with_the_old_rules_and_frees_the_shadow_slot()
    {
        var inForce = InForce();
        var shadow = DeploymentPlan.ForStage(inForce, DeploymentPlan.Champion(inForce)!, Candidate, new RolloutStage { name = "shadow", shadow = true }, 8, Now);
        var canary = DeploymentPlan.ForStage(inForce, DeploymentPlan.Champion(inForce)!, Candidate, new RolloutStage { name = "canary", traffic_weight = 0.1 }, 8, Now);

        foreach (var during in new[] { shadow, canary })
        {
            var rolledBack = DeploymentPlan.RolledBack(during, DeploymentPlan.Champion(during)!, Candidate, 9, Now);

            Assert.Equal([("champion", "flight-delay:1", 1.0, false, (string?)null)], Arms(rolledBack));
            Assert.Equal(("rolled_back", "delay-rules:3", (string?)null), (rolledBack.stage, rolledBack.output_rules, rolledBack.shadow_rules));
        }
    }

    [Fact]
    public void A_shadow_rule_set_that_is_not_the_candidate_is_left_alone()
    {
        var inForce = InForce();
        inForce.shadow_rules = "delay-rules:9";

        var rolledBack = DeploymentPlan.RolledBack(inForce, DeploymentPlan.Champion(inForce)!, Candidate, 8, Now);

        Assert.Equal("delay-rules:9", rolledBack.shadow_rules);
    }

    [Fact]
    public void The_candidate_is_the_rule_set_when_named_and_a_rollout_naming_both_is_refused()
    {
        var rules = new RolloutSpec { candidate_model = "", candidate_rules = "delay-rules:4" };
        var both = new RolloutSpec { candidate_model = "flight-delay:2", candidate_rules = "delay-rules:4" };

        Assert.Equal(("rules delay-rules:4", true), (RolloutCandidate.Of(rules).ToString(), RolloutCandidate.Of(rules).IsRules));
        Assert.Null(RolloutCandidate.Problem(rules));
        Assert.Equal("the rollout names both candidate_model 'flight-delay:2' and candidate_rules 'delay-rules:4'", RolloutCandidate.Problem(both));
        Assert.Equal("candidate_rules 'delay-rules' is not 'name:version'", RolloutCandidate.Problem(new RolloutSpec { candidate_model = "", candidate_rules = "delay-rules" }));
    }

    private static Prediction Prediction(string arm, string? decision, string? shadowDecision, double? probability = 0.6) => new()
    {
        deployment = "flights",
        tenant_id = "acme",
        arm = arm,
        model_name = "flight-delay",
        model_version = "1",
        scores = probability is { } p ? new Dictionary<string, double> { [StageMetrics.ProbabilityScore] = p } : [],
        decision = decision,
        shadow_decision = shadowDecision,
        latency_ms = 5,
        predicted_at = Now,
    };

    [Fact]
    public void A_rules_shadow_stage_judges_the_shadow_decisions_on_the_champions_predictions()
    {
        var metrics = new StageMetrics(rulesShadow: true);
        metrics.Record(Prediction(RolloutArms.Champion, "positive", "positive"));
        metrics.Record(Prediction(RolloutArms.Champion, "positive", "review"));
        metrics.Record(Prediction(RolloutArms.Champion, "negative", "negative"));
        metrics.Record(Prediction(RolloutArms.Champion, "negative", "positive"));
        metrics.Record(Prediction(RolloutArms.Champion, "positive", "positive"));
        metrics.Record(Prediction(RolloutArms.Champion, "positive", null)); // a revision before the stage's: not the candidate's
        metrics.Record(Prediction(RolloutArms.Champion, null, null, probability: null)); // unscored: an error for both

        Assert.Equal((7, 6), (metrics.Champion.Count, metrics.Candidate.Count));
        Assert.Equal(1.0 / 6, metrics.Candidate.ErrorRate, 9);
        // Of the five decided with a shadow decision, 3 are positive either way (one review, one flipped to positive).
        Assert.Equal(0, metrics.ScoreShift!.Value, 9);

        metrics.Record(Prediction(RolloutArms.Champion, "positive", "abstain"));
        Assert.Equal(Math.Abs(3.0 / 6 - 4.0 / 6), metrics.ScoreShift!.Value, 9);

        // Both rule sets judging a fallback's score say nothing of the champion's model: a sample, not in the shift.
        var fallback = Prediction(RolloutArms.Champion, "negative", "positive");
        (fallback.fallback_reason, fallback.served_by) = ("timeout: flight-delay:1 took 80.0 ms", "fallback:flight-delay:0");
        metrics.Record(fallback);
        Assert.Equal(8, metrics.Candidate.Count);
        Assert.Equal(Math.Abs(3.0 / 6 - 4.0 / 6), metrics.ScoreShift!.Value, 9);
    }

    [Fact]
    public void A_rules_shadow_stage_has_no_score_shift_before_a_shadow_decision()
    {
        var metrics = new StageMetrics(rulesShadow: true);
        metrics.Record(Prediction(RolloutArms.Champion, "positive", null));

        Assert.Equal(0, metrics.Candidate.Count);
        Assert.Null(metrics.ScoreShift);
    }

    [Fact]
    public void A_rules_shadow_stage_passes_or_fails_its_score_shift_gate_on_the_decision_shares()
    {
        var rollout = new RolloutSpec
        {
            candidate_model = "", candidate_rules = "delay-rules:4",
            stages = [new RolloutStage { name = "shadow", shadow = true, min_samples = 2, gates = [new RolloutGate { metric = GateMetric.ScoreShift, max = 0.2 }] }],
        };
        var start = new DateTimeOffset(Now);
        var metrics = new StageMetrics(rulesShadow: true);
        metrics.Record(Prediction(RolloutArms.Champion, "positive", "positive"));
        metrics.Record(Prediction(RolloutArms.Champion, "positive", "positive"));

        Assert.IsType<RolloutDecision.Completed>(RolloutDecider.Decide(rollout, 0, start, start, metrics, []));

        metrics.Record(Prediction(RolloutArms.Champion, "positive", "review"));
        var decision = RolloutDecider.Decide(rollout, 0, start, start, metrics, []);

        Assert.IsType<RolloutDecision.RolledBack>(decision);
        Assert.Equal("stage 'shadow': score_shift 0.3333 exceeds max 0.2 over 3 candidate predictions", decision.Reason);
    }

    [Fact]
    public void The_controller_counts_a_candidate_arm_on_the_champions_model_by_its_arm_name()
    {
        var created = Now.AddMinutes(-30);
        var clock = new FakeTimeProvider(new DateTimeOffset(Now));
        var controller = new RolloutController(clock);
        var during = DeploymentPlan.ForStage(InForce(), DeploymentPlan.Champion(InForce())!, Candidate, new RolloutStage { name = "canary", traffic_weight = 0.1 }, 8, created);
        controller.OnDeployment("flights/acme", during);
        controller.OnEvent("flights/acme", new RolloutEvent
        {
            deployment = "flights", tenant_id = "acme", candidate_model = "", candidate_rules = "delay-rules:4",
            action = RolloutActions.Started, to_stage = "canary", reason = "", at = created.AddMinutes(1),
        });
        controller.OnRollout("flights/acme", new RolloutSpec
        {
            deployment = "flights", tenant_id = "acme", candidate_model = "", candidate_rules = "delay-rules:4",
            stages = [new RolloutStage { name = "canary", traffic_weight = 0.1 }], revision = 1, created_at = created,
        });
        var rollout = Assert.Single(controller.Reconcile().Live);
        Assert.False(rollout.Metrics.RulesShadow);

        Assert.True(controller.OnPrediction(Prediction(RolloutArms.Candidate, "positive", null)));
        Assert.True(controller.OnPrediction(Prediction(RolloutArms.Champion, "negative", null)));
        var otherModel = Prediction(RolloutArms.Candidate, "positive", null);
        otherModel.model_version = "2";
        otherModel.predicted_at = Now;
        Assert.False(controller.OnPrediction(otherModel));
        Assert.Equal((1, 1), (rollout.Metrics.Candidate.Count, rollout.Metrics.Champion.Count));
    }

    private static RolloutSpec RulesRollout(bool shadowStage) => new()
    {
        deployment = "flights",
        tenant_id = "acme",
        candidate_model = "",
        candidate_rules = "delay-rules:4",
        stages = shadowStage
            ? [new RolloutStage { name = "shadow", shadow = true, min_samples = 1_000 }, new RolloutStage { name = "canary", traffic_weight = 0.2 }]
            : [new RolloutStage { name = "canary", traffic_weight = 0.2, min_samples = 1_000 }],
        revision = 1,
        created_at = Now,
    };

    [Fact]
    public void A_rules_rollout_with_a_shadow_stage_conflicts_with_another_shadow_rule_set_in_force()
    {
        var inForce = InForce();
        Assert.Null(RolloutCandidate.ConflictWith(RulesRollout(shadowStage: true), inForce)); // no shadow rules
        inForce.shadow_rules = "delay-rules:4";
        Assert.Null(RolloutCandidate.ConflictWith(RulesRollout(shadowStage: true), inForce)); // its own
        inForce.shadow_rules = "experiment:9";
        Assert.Null(RolloutCandidate.ConflictWith(RulesRollout(shadowStage: false), inForce)); // kept by a traffic stage
        Assert.Equal(
            "deployment 'flights' (tenant acme) already shadow-evaluates rule set 'experiment:9', which the shadow stage of rules delay-rules:4 " +
            "would replace; remove shadow_rules from the deployment or drop the shadow stage, then start the rollout again",
            RolloutCandidate.ConflictWith(RulesRollout(shadowStage: true), inForce));
    }

    [Fact]
    public async Task The_controller_refuses_a_rules_rollout_whose_shadow_stage_would_replace_another_shadow_rule_set()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(Now).AddMinutes(1));
        var controller = new RolloutController(clock);
        var publisher = new FailingRolloutPublisher();
        var inForce = InForce();
        inForce.shadow_rules = "experiment:9";
        controller.OnDeployment("flights/acme", inForce);
        controller.OnRollout("flights/acme", RulesRollout(shadowStage: true));

        await new RolloutDriver(controller, publisher, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<RolloutDriver>.Instance)
            .EvaluateAsync(CancellationToken.None);

        Assert.Empty(publisher.Deployments); // experiment:9 keeps being evaluated
        var refused = Assert.Single(publisher.Events);
        Assert.Equal(RolloutActions.RolledBack, refused.action);
        Assert.StartsWith("refused: deployment 'flights' (tenant acme) already shadow-evaluates rule set 'experiment:9'", refused.reason);
        Assert.Equal(RolloutPhase.RolledBack, Assert.Single(controller.Rollouts()).Phase);
    }
}
