using MlOps.Contracts;
using MlOps.Rollout.Control;

namespace MlOps.UnitTests.Rollouts;

public sealed class DeploymentPlanTests
{
    private static readonly DateTime Now = new(2026, 11, 29, 4, 0, 0, DateTimeKind.Utc);

    private static readonly Deployment InForce = new()
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

    [Fact]
    public void A_shadow_stage_adds_the_candidate_as_a_shadow_arm_and_keeps_the_rest()
    {
        var champion = DeploymentPlan.Champion(InForce)!;
        var stage = new RolloutStage { name = "shadow", shadow = true, traffic_weight = 0 };

        var deployment = DeploymentPlan.ForStage(InForce, champion, "flight-delay:2", stage, 8, Now);

        Assert.Equal(8, deployment.revision);
        Assert.Equal("shadow", deployment.stage);
        Assert.Equal([("champion", "1", 1.0, false), ("candidate", "2", 0.0, true)],
            deployment.arms.Select(a => (a.name, a.model_version, a.traffic_weight, a.shadow)));
        Assert.Equal(InForce.fallback, deployment.fallback);
        Assert.Equal(("acme", "tenant", "delay-rules:3", 0.2), (deployment.tenant_id, deployment.routing_key, deployment.output_rules, deployment.fallback_constant));
    }

    [Fact]
    public void A_traffic_stage_splits_the_weights()
    {
        var stage = new RolloutStage { name = "canary", traffic_weight = 0.25 };

        var deployment = DeploymentPlan.ForStage(InForce, DeploymentPlan.Champion(InForce)!, "flight-delay:2", stage, 8, Now);

        Assert.Equal([0.75, 0.25], deployment.arms.Select(a => a.traffic_weight));
        Assert.All(deployment.arms, a => Assert.False(a.shadow));
    }

    [Fact]
    public void Rollback_serves_the_champion_alone_and_completion_the_candidate_alone()
    {
        var champion = DeploymentPlan.Champion(InForce)!;

        var rolledBack = DeploymentPlan.RolledBack(InForce, champion, 9, Now);
        var completed = DeploymentPlan.Completed(InForce, "flight-delay:2", 9, Now);

        Assert.Equal(("champion", "1", 1.0), rolledBack.arms.Select(a => (a.name, a.model_version, a.traffic_weight)).Single());
        Assert.Equal("rolled_back", rolledBack.stage);
        Assert.Equal(("champion", "2", 1.0), completed.arms.Select(a => (a.name, a.model_version, a.traffic_weight)).Single());
        Assert.Equal("stable", completed.stage);
    }

    [Fact]
    public void A_resumed_rollout_takes_the_arm_named_champion()
    {
        var during = DeploymentPlan.ForStage(InForce, DeploymentPlan.Champion(InForce)!, "flight-delay:2", new RolloutStage { name = "full", traffic_weight = 1 }, 8, Now);

        Assert.Equal("1", DeploymentPlan.Champion(during)!.model_version);
    }

    [Fact]
    public void A_model_rollout_keeps_the_champion_arms_own_rules_on_both_arms_and_after_completion()
    {
        var champion = new DeploymentArm { name = "stable", model_name = "flight-delay", model_version = "1", traffic_weight = 1, output_rules = "vip-rules:1" };
        var stage = new RolloutStage { name = "canary", traffic_weight = 0.25 };

        var canary = DeploymentPlan.ForStage(InForce, champion, "flight-delay:2", stage, 8, Now);
        var completed = DeploymentPlan.Completed(canary, champion, RolloutCandidate.ForModel("flight-delay:2"), 9, Now);

        Assert.Equal(["vip-rules:1", "vip-rules:1"], canary.arms.Select(a => a.output_rules));
        Assert.Equal(("2", "vip-rules:1"), (completed.arms.Single().model_version, completed.arms.Single().output_rules));
        Assert.Equal("delay-rules:3", completed.output_rules);
    }
}
